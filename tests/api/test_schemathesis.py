"""Property-based tests of the whole API from its committed OpenAPI schema.

schemathesis generates at least 50 requests per operation (valid and invalid
ones) and sends them, authenticated, to the WSGI application in process. Every
answer must be a non-5xx that conforms to the schema: documented status code,
content type, headers and body.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import UserFactory
from tests.factories.users import token_pair_for

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "schema" / "openapi.yaml")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    # Like Django's test client: keep the test's connection (and its transaction)
    # open across requests instead of closing it at the end of each one.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["customer", "staff"])
def api_user(request, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            k: "100000/minute" for k in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        },
    }
    staff = request.param == "staff"
    return UserFactory(is_staff=staff, is_superuser=staff)


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, api_user, wsgi_app):
    # An example may deactivate the signed-in user; the next one starts active again.
    type(api_user).objects.filter(pk=api_user.pk).update(is_active=True)
    token = str(token_pair_for(api_user).access_token)
    case.call_and_validate(
        app=wsgi_app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
