"""Production settings pass Django's deployment checklist with no warning."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What the test run relaxes for its plain-HTTP servers; production sets none of it.
TEST_ONLY = {"DEBUG", "SECURE_SSL_REDIRECT", "SECRET_KEY", "ALLOWED_HOSTS", "CACHE_URL"}


def test_production_settings_pass_check_deploy():
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    # What every deployment sets (deploy/): a real key, the public host, a shared cache.
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shop.example.com",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
