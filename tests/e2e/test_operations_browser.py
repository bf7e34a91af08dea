"""Headless Chromium opens the operator's page of the seams in the admin."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Permission

from contracts import get
from contracts.users import UsersService
from extraction.models import OutboxEvent, OutboxStatus
from extraction.observability import remote
from extraction.observability.recent_calls import recent_calls
from extraction.observability.remote import BreakerState, RemoteService, StaticRemoteServices
from tests.e2e.test_browser import PASSWORD, browser  # noqa: F401 - the Chromium fixture
from tests.factories.users import StaffUserFactory, sign_in_to_admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return StaffUserFactory(
        email="operator@example.com",
        password=PASSWORD,
        permissions=["extraction.view_operations", "extraction.view_outboxevent"],
    )


@pytest.fixture
def payments_elsewhere(settings):
    # payments runs as its own service and its breaker opened after five failures
    settings.SEAMS_SERVICES = ("users", "orders")
    previous = remote.install(
        StaticRemoteServices(
            [RemoteService("payments", "http://payments-web:8000", BreakerState.OPEN, 5)]
        )
    )
    yield
    remote.install(previous)


def test_the_operator_sees_each_app_its_state_and_the_parked_events(
    live_server,
    operator,
    payments_elsewhere,
    browser,  # noqa: F811
):
    # given: a few contract calls and a parked event
    recent_calls.clear()
    for _ in range(3):
        get(UsersService).get_users(user_ids=(operator.id,))
    parked = OutboxEvent.objects.create(
        event_id=uuid.uuid4(),
        name="payments.PaymentCaptured",
        aggregate_id="x",
        payload={},
        status=OutboxStatus.PARKED,
        attempts=8,
        last_error="handler exploded",
    )
    # when: the operator signs in and opens Operations from the admin index
    browser.goto(f"{live_server.url}/admin/login/")
    browser.fill("#id_username", operator.email)
    browser.fill("#id_password", PASSWORD)
    browser.click("input[type=submit]")
    browser.click("text=Operations")
    browser.wait_for_selector("#operations")
    # then: each app, where it runs, and the remote one's breaker
    row = browser.locator
    assert row("tr[data-app=users] .where").inner_text() == "here"
    assert row("tr[data-app=orders] .where").inner_text() == "here"
    assert row("tr[data-app=payments] .where").inner_text() == "at http://payments-web:8000"
    assert row("tr[data-app=payments] .breaker").inner_text() == "open (5 failures)"
    # the calls of the last minutes, the outbox, the diagram
    calls = browser.inner_text("#calls")
    assert "UsersService\tget_users\tdirect" in calls
    assert "parked: 1" in browser.inner_text("#outbox")
    assert "handler exploded" in browser.inner_text("#parked-events")
    assert browser.locator("#module-diagram g.app").count() == 3
    assert "(remote)" in browser.text_content("#module-diagram g.app[data-app=payments]")
    # and the link leads to the parked events, where they are resubmitted
    browser.click("#resubmit-events")
    browser.wait_for_selector("#result_list")
    assert str(parked.id) in browser.inner_text("#result_list")
    assert "status__exact=parked" in browser.url


def test_staff_without_the_permission_do_not_see_the_page(client):
    # given: staff with every other permission of the outbox machinery
    others = [
        f"extraction.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label="extraction").exclude(
            codename="view_operations"
        )
    ]
    staff = StaffUserFactory(permissions=others)
    operator = StaffUserFactory(permissions=["extraction.view_operations"])
    # then
    assert sign_in_to_admin(client, staff).get("/admin/extraction/operations/").status_code == 403
    client.logout()
    assert (
        sign_in_to_admin(client, operator).get("/admin/extraction/operations/").status_code == 200
    )
