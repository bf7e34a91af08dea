"""A process runs any subset of the apps, on its own fresh database.

For every single app and every pair: ``manage.py migrate`` applies only what the
process owns, ``manage.py check`` passes, the user model is the same staff shadow
as in the monolith, the commands, Celery tasks and RPC contracts are those of the
subset's apps, each public API of the subset answers an authenticated request,
and the admin sign-in never answers 500. The apps that run elsewhere
are named in ``SEAMS_SERVICE_URLS`` (at an address where nothing listens: the
sign-in against a live users service is ``tests/e2e/test_split_admin.py``'s).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[3]
APPS = ("users", "orders", "payments")
SUBSETS = [
    *((app,) for app in APPS),
    *itertools.combinations(APPS, 2),
]
FRAMEWORK_APPS = {"admin", "auth", "contenttypes", "sessions", "extraction", "identity"}
# One operator command and one Celery task of each app: present exactly where it runs.
COMMAND_OF = {"users": "create_staff", "orders": "orders_report", "payments": "payments_report"}
TASK_OF = {"users": "users.send_welcome_email", "payments": "payments.settle_refund"}
STAFF_EMAIL = "ops@seams.example"
STAFF_PASSWORD = "staff passphrase for the subset probe"


def _server() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or "",
    }


def _admin_sql(sql: str) -> None:
    connection = psycopg2.connect(dbname="postgres", **_server())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture
def fresh_database(request) -> Iterator[str]:
    name = f"{settings.DATABASES['default']['NAME']}_{request.node.callspec.id}".replace("-", "_")
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')
    server = _server()
    credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
    yield f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def process_env(subset: tuple[str, ...], database_url: str) -> dict[str, str]:
    # The apps that run elsewhere get a URL where nothing listens: contracts bind
    # to their remote adapters, and a call answers ServiceUnavailable at once.
    elsewhere = ",".join(f"{app}=http://127.0.0.1:9" for app in APPS if app not in subset)
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SEAMS_", "DJANGO_", "CELERY_")) and k != "DATABASE_URL"
    }
    return {
        **base,
        "SEAMS_SERVICES": ",".join(subset),
        "DATABASE_URL": database_url,
        "SEAMS_SERVICE_URLS": elsewhere,
        "SEAMS_RPC_KEYS": "subset-probe-rpc-key",
        "SECRET_KEY": "subset-probe-secret-key",
        # A process running part of the system needs a broker (seams.E010); the
        # check does not connect, and the probe's events stay in the outbox (no
        # relay runs).
        "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
        "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
        "PROBE_STAFF_EMAIL": STAFF_EMAIL,
        "PROBE_STAFF_PASSWORD": STAFF_PASSWORD,
    }


@pytest.mark.parametrize("subset", SUBSETS, ids="-".join)
def test_a_process_serves_its_subset_on_its_own_database(subset, fresh_database):
    env = process_env(subset, fresh_database)
    # when: migrated as the docs say, from nothing
    migrated = run(["manage.py", "migrate", "--noinput"], env)
    assert migrated.returncode == 0, migrated.stderr
    # then
    checked = run(["manage.py", "check"], env)
    assert checked.returncode == 0, checked.stderr
    if "users" in subset:
        staff = run(
            [
                "manage.py",
                "create_staff",
                "--email",
                STAFF_EMAIL,
                "--superuser",
                "--password-env",
                "PROBE_STAFF_PASSWORD",
            ],
            env,
        )
        assert staff.returncode == 0, staff.stderr
    # when
    probed = run(["-m", "tests.extraction.identity.subset_probe"], env)
    assert probed.returncode == 0, probed.stderr
    report = json.loads(probed.stdout.strip().splitlines()[-1])
    # then: the same user model as the monolith, and only what the process owns
    assert report["auth_user_model"] == "identity.StaffUser"
    assert set(report["migrated_apps"]) == FRAMEWORK_APPS | set(subset)
    for absent in set(APPS) - set(subset):
        assert not [t for t in report["tables"] if t.startswith(f"{absent}_")], report["tables"]
    # then: where users runs, staff can be granted the permissions of every app
    assert report["grantable_apps"] == sorted(APPS if "users" in subset else subset)
    # then: the commands and Celery tasks of the subset's apps, and no others
    for app, command in COMMAND_OF.items():
        assert (command in report["commands"]) == (app in subset), command
    for app, task in TASK_OF.items():
        assert (task in report["tasks"]) == (app in subset), task
    # then: the RPC endpoint serves the contracts of the subset's apps, and no others
    for app, code in report["rpc"].items():
        assert (code != "rpc.unknown_contract") == (app in subset), (app, code)
    # then: each public API answers an authenticated request
    assert report["api"] == dict.fromkeys(subset, 200)
    # then: the admin signs staff in where the users contract answers; where the
    # users service is down, the sign-in is refused, never a 500
    if "users" in subset:
        assert (report["admin_login"], report["admin_index"]) == (302, 200)
    else:
        assert (report["admin_login"], report["admin_index"]) == (200, 302)
    assert report["admin_login_says_unavailable"] is ("users" not in subset)
