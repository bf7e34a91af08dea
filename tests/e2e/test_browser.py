"""A real browser (headless Chromium) drives the admin and Swagger UI.

Debian's Chromium, driven by Playwright for Python with ``executable_path``; the
test is skipped where no Chromium is installed, and fails under REQUIRE_SERVICES=1
(CI installs it, see .ci/setup.d/chromium.sh).
"""

from __future__ import annotations

import shutil
import uuid

import pytest
from django.db import connections

from tests.factories import UserFactory
from tests.factories.orders import OrderFactory, ProductFactory
from tests.factories.users import token_pair_for
from tests.services_plugin import REQUIRE_SERVICES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "a staff passphrase for the browser"


@pytest.fixture
def browser(monkeypatch):
    if CHROMIUM is None:
        if REQUIRE_SERVICES:
            pytest.fail("Chromium is required (REQUIRE_SERVICES=1) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between browser steps are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(20_000)
        yield page
        browser.close()
        # ORM calls made while Playwright runs get their own connection (its
        # greenlet has its own context); close it, or the test database cannot
        # be dropped at the end of the session.
        connections.close_all()


@pytest.fixture
def staff_user(settings):
    # The live server speaks plain HTTP; secure-only cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return UserFactory(
        email="staff@example.com", password=PASSWORD, is_staff=True, is_superuser=True
    )


def test_staff_fulfils_an_order_in_the_admin(live_server, staff_user, browser):
    # given: a paid order
    product = ProductFactory(name="Browser mug")
    order = OrderFactory.with_lines((product, 2), status="paid", payment_id=uuid.uuid4())
    # when: staff log in, open the order, and run the fulfil action on it
    browser.goto(f"{live_server.url}/admin/login/")
    browser.fill("#id_username", staff_user.email)
    browser.fill("#id_password", PASSWORD)
    browser.click("input[type=submit]")
    browser.wait_for_selector("#site-name")
    browser.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    assert str(order.pk) in browser.content()
    assert "Browser mug" in browser.content()
    browser.goto(f"{live_server.url}/admin/orders/order/")
    browser.check(f"input[name=_selected_action][value='{order.pk}']")
    browser.select_option("select[name=action]", "fulfil_selected")
    browser.click("button[name=index]")
    # then
    message = browser.inner_text("ul.messagelist")
    assert "fulfilled" in message.lower()
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_swagger_ui_loads_and_calls_an_endpoint_with_a_jwt(live_server, staff_user, browser):
    # given
    token = str(token_pair_for(staff_user).access_token)
    browser.goto(f"{live_server.url}/api/docs/")
    browser.wait_for_selector(".swagger-ui .information-container")
    # when: authorize with the JWT and try GET /api/v1/users/me
    browser.click("button.authorize")
    bearer = browser.locator(".auth-container", has_text="jwtAuth")
    bearer.locator("input").fill(token)
    bearer.locator("button.authorize").click()
    browser.click("button.btn-done")
    operation = browser.locator("#operations-users-users_me_retrieve")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    # then
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    body = operation.locator(".live-responses-table .microlight").first.inner_text()
    assert staff_user.email in body
