"""The embedded defaults serve the shop with no PostgreSQL and no broker.

This is what `make run` does, on a throwaway SQLite file: migrate, seed the demo
shop, serve; then the admin, the API index and Swagger UI answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from contracts import demo
from tests.observability.scrape import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "PASSWORD_HASHERS"}
    }
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'seams.sqlite3'}")
    return env


def manage(env, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_migrate_seed_and_serve_on_sqlite_without_services(embedded_env):
    # given: a fresh SQLite database, migrated and seeded twice (seeding is idempotent)
    assert manage(embedded_env, "migrate", "--noinput").returncode == 0
    first = manage(embedded_env, "seed_demo")
    second = manage(embedded_env, "seed_demo")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Admin login: admin@seams.local / " in first.stdout
    assert "(created)" in first.stdout and "(created)" not in second.stdout
    # when: the development server runs
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        # then: the printed admin login signs in (through the users contract, as
        # the local staff shadow) and sees every app's admin
        with httpx.Client(base_url=base, timeout=10) as browser:
            login = browser.get("/admin/login/")
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
            assert csrf, login.text[:500]
            signed_in = browser.post(
                "/admin/login/",
                data={
                    "username": demo.ADMIN_EMAIL,
                    "password": demo.ADMIN_PASSWORD,
                    "csrfmiddlewaretoken": csrf.group(1),
                    "next": "/admin/",
                },
            )
            index = browser.get("/admin/")
        admin = httpx.get(f"{base}/admin/login/", timeout=10)
        api = httpx.get(f"{base}/api/", timeout=10, headers={"Accept": "application/json"})
        docs = httpx.get(f"{base}/api/docs/", timeout=10)
        health = httpx.get(f"{base}/health/", timeout=10).json()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert admin.status_code == 200 and "Seams administration" in admin.text
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert index.status_code == 200
    assert all(f"/admin/{app}/" in index.text for app in ("users", "orders", "payments"))
    assert api.status_code == 200 and api.json()["services"] == ["users", "orders", "payments"]
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    assert health == {"status": "ok", "database": "sqlite"}
