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
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.config._checks import (
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
    PositiveDataAcceptanceConfig,
)

from tests.factories import UserFactory
from tests.factories.users import token_pair_for

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "schema" / "openapi.yaml")
# The checks that send requests of their own (ignored_auth, use_after_free, …) send
# them to the schema's app: the same in-process application as the test's.
APP = get_wsgi_application()
schema.app = APP
load_all_checks()
# A schema-valid request is never a 400 (the schema would be wrong), but a rule of
# the shop no schema can state (an unknown SKU, a common password) may refuse it:
# that is a 422, accepted here beside schemathesis's own list.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=[*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "422"]
)
# Every check schemathesis has: conformance of status codes, content types, headers
# and bodies; invalid input refused and valid input accepted; required headers;
# unsupported methods and their Allow header; use after free, resource
# availability, ignored authentication and object-level authorization.
CHECKS = REGISTERED_CHECKS.get_all()


@pytest.fixture
def wsgi_app():
    # Like Django's test client: keep the test's connection (and its transaction)
    # open across requests instead of closing it at the end of each one.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield APP
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
