"""Run inside a process that serves a subset of the apps (``SEAMS_SERVICES``).

Started by ``test_subsets.py`` as ``python -m tests.extraction.identity.subset_probe``
after ``manage.py migrate`` on the process's own fresh database. It prints one
JSON object: the migrated apps, the tables, and the status of one authenticated
request to each public API of the subset and of an admin sign-in. The JWTs are
the users app's own where it runs here, and otherwise minted with the shared
signing key exactly as the users app would (an HTTP client of the users service
would get the same).
"""

from __future__ import annotations

import json
import os
import sys
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.recorder import MigrationRecorder  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

STAFF_EMAIL = os.environ.get("PROBE_STAFF_EMAIL", "")
STAFF_PASSWORD = os.environ.get("PROBE_STAFF_PASSWORD", "")
CUSTOMER_PASSWORD = "a long and unusual passphrase 42"


def minted_token(*, is_staff: bool) -> str:
    token = AccessToken()
    token["user_id"] = str(uuid.uuid4())
    token["email"] = f"probe-{token['user_id'][:8]}@example.com"
    token["is_staff"] = is_staff
    return str(token)


def customer_token(client: Client) -> str:
    if "users" not in settings.SEAMS_SERVICES:
        return minted_token(is_staff=False)
    email = f"probe-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": CUSTOMER_PASSWORD}
    client.post("/api/v1/auth/register", body, content_type="application/json")
    answer = client.post("/api/v1/auth/token", body, content_type="application/json")
    return str(answer.json()["access"])


def rpc_answer(client: Client, contract: str) -> str:
    """The error code of a signed call with no arguments: ``rpc.unknown_contract``
    where the contract is not served here, an argument or version error where it is."""
    from extraction.rpc import signing

    path = f"/internal/rpc/{contract}/get_user"
    headers: dict[str, str] = {}
    signing.sign(
        key=settings.SEAMS_RPC_KEYS[0], method="POST", path=path, body=b"{}", headers=headers
    )
    answer = client.post(path, b"{}", content_type="application/json", headers=headers)
    return str(answer.json()["code"])


def main() -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {customer_token(client)}"}
    requests = {
        "users": "/api/v1/users/me",
        "orders": "/api/v1/orders",
        "payments": "/api/v1/payments",
    }
    api = {
        service: client.get(path, **auth).status_code
        for service, path in requests.items()
        if service in settings.SEAMS_SERVICES
    }
    admin = Client(HTTP_HOST="127.0.0.1")
    signed_in = admin.post(
        "/admin/login/", {"username": STAFF_EMAIL, "password": STAFF_PASSWORD, "next": "/admin/"}
    )
    from project.celery import app as celery_app

    celery_app.loader.import_default_modules()
    report = {
        "auth_user_model": settings.AUTH_USER_MODEL,
        "migrated_apps": sorted(
            {app for app, _ in MigrationRecorder(connection).applied_migrations()}
        ),
        "tables": sorted(connection.introspection.table_names()),
        "grantable_apps": sorted(
            set(Permission.objects.values_list("content_type__app_label", flat=True))
            & set(settings.ALL_SERVICES)
        ),
        "commands": sorted(get_commands()),
        "tasks": sorted(name for name in celery_app.tasks if not name.startswith("celery.")),
        "rpc": {
            service: rpc_answer(client, f"{service.title()}Service")
            for service in settings.ALL_SERVICES
        },
        "api": api,
        "admin_login": signed_in.status_code,
        "admin_login_says_unavailable": "users service does not answer"
        in signed_in.content.decode(),
        "admin_index": admin.get("/admin/").status_code,
    }
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
