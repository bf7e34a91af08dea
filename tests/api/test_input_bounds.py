"""Input at the edges of what a client can send is a 400 in the shared shape, never a 500.

Every operation is enumerated from the URL conf: each one that takes a JSON body
gets one nested a thousand levels deep, signed in and anonymous (sign-in and
sign-up included); each list gets limits and offsets beyond PostgreSQL's bigint.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.generics import ListAPIView
from rest_framework.test import APIClient

from tests.api_routes import api_operations
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ZERO = "00000000-0000-0000-0000-000000000000"
NESTED = "[" * 1000 + "]" * 1000
NESTED_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
OPERATIONS = sorted((m, n, p) for m, n, p, _ in api_operations())
WITH_BODY = [
    pytest.param(method, name, params, id=f"{method} {name}")
    for method, name, params in OPERATIONS
    if method in {"POST", "PATCH", "PUT"}
]
LISTS = sorted({name for _, name, _, view in api_operations() if issubclass(view, ListAPIView)})


def url_of(name: str, params: tuple[str, ...]) -> str:
    return reverse(name, kwargs={p: ZERO for p in params})


def assert_bad_request(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    return body


# How a list refuses each kind of caller it does not serve (a superuser it serves all).
REFUSAL = {
    "anonymous": (401, "not_authenticated"),
    "customer": (403, "permission_denied"),
    "staff": None,
}


@pytest.fixture(params=sorted(REFUSAL))
def caller(request) -> tuple[str, APIClient]:
    client = APIClient()
    if request.param != "anonymous":
        staff = request.param == "staff"
        client.force_authenticate(UserFactory(is_staff=staff, is_superuser=staff))
    return request.param, client


@pytest.fixture
def api(caller) -> APIClient:
    return caller[1]


def refusal_of(caller: tuple[str, APIClient], name: str) -> tuple[int, str] | None:
    """How the list ``name`` refuses ``caller`` (None: it serves it), checked to be the
    refusal due to such a caller."""
    kind, client = caller
    plain = client.get(reverse(name))
    if plain.status_code == 200:
        return None
    expected = REFUSAL[kind]
    assert expected is not None, f"{name} refused a superuser: {plain.content[:300]}"
    assert (plain.status_code, plain.json()["code"]) == expected, plain.content[:300]
    return expected


@pytest.mark.parametrize(("method", "name", "params"), WITH_BODY)
@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT], ids=["arrays", "objects"])
def test_a_deeply_nested_json_body_never_gets_a_server_error(api, method, name, params, body):
    response = api.generic(method, url_of(name, params), body, content_type="application/json")
    # Refused before the body is read (401, 403, 404), an endpoint that reads no body
    # (2xx), or the body refused: never a 5xx, and every error in the shared shape.
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize("url", ["/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/orders"])
def test_sign_in_sign_up_and_ordering_refuse_a_deeply_nested_body(url):
    client = APIClient()
    if url == "/api/v1/orders":
        client.force_authenticate(UserFactory())
    for body in (NESTED, NESTED_OBJECT):
        response = client.post(url, body, content_type="application/json")
        assert assert_bad_request(response)["code"] == "malformed_request"


def test_a_body_nested_just_deep_enough_is_still_refused_cleanly(api):
    # Past the parser's bound but far below the interpreter's recursion limit.
    body = "[" * 40 + "]" * 40
    response = api.post("/api/v1/auth/token", body, content_type="application/json")
    assert assert_bad_request(response)["code"] == "malformed_request"


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        "limit=9223372036854775808",
        "limit=99999999999999999999999999",
        "offset=9223372036854775808",
        "limit=0",
        "limit=-1",
        "limit=abc",
        "limit=1&limit=2",
        "offset=-5",
    ],
)
def test_out_of_range_pagination_is_a_bad_request(caller, name, query):
    refusal = refusal_of(caller, name)
    response = caller[1].get(f"{reverse(name)}?{query}")
    if refusal is None:
        assert assert_bad_request(response)["code"] == "invalid"
    else:
        # refused before the query is read, exactly as without one
        assert (response.status_code, response.json()["code"]) == refusal
        assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize("name", LISTS)
def test_limits_within_the_bounds_paginate(caller, name):
    refusal = refusal_of(caller, name)
    response = caller[1].get(f"{reverse(name)}?limit=1000&offset=1000000000")
    if refusal is None:
        assert response.status_code == 200
        assert response.json()["results"] == []
    else:
        assert (response.status_code, response.json()["code"]) == refusal
