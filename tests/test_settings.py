"""Settings refuse unsafe or impossible configurations with one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_check(*options: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "CACHE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Seams refuses to start: SECRET_KEY is not set and DEBUG is off "
        "(set SECRET_KEY in the environment, or DEBUG=1 for local development)."
    ]


def test_debug_starts_without_a_secret_key():
    assert run_check(DEBUG="1").returncode == 0


def test_debug_is_off_by_default(settings):
    assert settings.DEBUG is False


def test_unknown_service_names_are_refused():
    result = run_check(SECRET_KEY="x" * 50, SEAMS_SERVICES="users,shipping")
    assert result.returncode == 1
    assert "unknown: shipping" in result.stderr


def test_the_deploy_check_warns_when_throttles_would_count_per_process():
    # given: production settings with the default, per-process cache
    result = run_check("--deploy", SECRET_KEY="x" * 50)
    # then
    assert "seams.W020" in result.stderr + result.stdout


def test_a_shared_cache_satisfies_the_deploy_check():
    result = run_check("--deploy", SECRET_KEY="x" * 50, CACHE_URL="redis://127.0.0.1:6379/1")
    output = result.stderr + result.stdout
    # then: the check ran to its end, and did not warn about the throttles
    assert result.returncode == 0, output
    assert "System check identified" in output
    assert "seams.W020" not in output


def database_settings(**env: str) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "CONN_MAX_AGE"}}
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({k: db[k] for k in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "project.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_keeps_health_checked_connections_and_debug_does_not():
    assert database_settings(SECRET_KEY="x" * 50) == {
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    assert database_settings(DEBUG="1")["CONN_MAX_AGE"] == 0


def test_the_in_process_cache_keeps_the_rpc_replay_windows_nonces():
    # given: no CACHE_URL (the embedded default, and the suite's)
    from django.conf import settings
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    # then: far more nonces than Django's default 300 stay until their window ends
    assert cache._max_entries == 100_000
