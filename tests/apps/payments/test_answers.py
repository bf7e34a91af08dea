"""The stored answer of a payment is built by the domain, without the web layer, and
is exactly what the API's serializer shows."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.core.serializers.json import DjangoJSONEncoder

import apps.payments
from apps.payments.api.serializers import PaymentSerializer
from apps.payments.models import Payment

WEB_LAYER = ("rest_framework", "drf_spectacular", "apps.payments.api")
PAYMENTS = Path(apps.payments.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(PAYMENTS).as_posix()
        for p in PAYMENTS.rglob("*.py")
        if p.relative_to(PAYMENTS).parts[0] not in ("api", "admin.py", "migrations")
    ),
)
def test_the_domain_never_imports_the_web_layer(module):
    imports = imported_modules(PAYMENTS / module)
    assert not {name for name in imports if name.startswith(WEB_LAYER)}, module


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_stored_answer_is_what_the_api_shows(pay):
    # when
    response = pay(key="answer")
    # then: the stored body equals the serializer's view of the payment, and the replay
    payment = Payment.objects.get()
    shown = json.loads(json.dumps(PaymentSerializer(payment).data, cls=DjangoJSONEncoder))
    assert payment.response_body == shown == response.json()
    assert pay(key="answer").json() == shown


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_pending_answer_of_an_unknown_outcome_is_what_the_api_shows(pay, settings):
    settings.PAYMENTS_GATEWAY_RETRY_SECONDS = 0
    response = pay(key="unknown", token="tok_timeout")
    payment = Payment.objects.get()
    shown = json.loads(json.dumps(PaymentSerializer(payment).data, cls=DjangoJSONEncoder))
    assert response.status_code == 202
    assert payment.response_body == shown == response.json()
