"""The lazy message middleware: no storage for a request that never uses messages,
and the admin's messages still reach the next page."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from apikit.middleware import LazyMessageMiddleware

pytestmark = pytest.mark.django_db


def test_a_request_that_never_uses_messages_builds_no_storage_and_sets_no_cookie():
    request = RequestFactory().get("/api/v1/products")
    request.session = {}
    response = LazyMessageMiddleware(lambda r: HttpResponse("ok"))(request)
    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_by_a_view_is_stored_for_the_next_request(admin_client):
    from django.contrib.sessions.backends.db import SessionStore

    def view(request):
        messages.success(request, "saved it")
        return HttpResponse("ok")

    request = RequestFactory().get("/admin/")
    request.session = SessionStore()
    response = LazyMessageMiddleware(view)(request)
    assert request._messages._wrapped is not empty
    # then: the cookie carries it to the next request, which reads it
    seen: list[str] = []

    def next_view(request):
        seen.extend(str(m) for m in messages.get_messages(request))
        return HttpResponse("ok")

    following = RequestFactory().get("/admin/")
    following.COOKIES["messages"] = response.cookies["messages"].value
    following.session = request.session
    LazyMessageMiddleware(next_view)(following)
    assert seen == ["saved it"]
