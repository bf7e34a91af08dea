"""The fast content negotiation answers exactly what DRF's default would."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apikit.drf.negotiation import FastContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    " application/json ",
    "application/json; indent=4",
    "text/html, */*;q=0.8",
    "application/*",
    "text/html",
    "application/xml",
]
RENDERER_SETS = [[JSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()]]


def negotiate(negotiation, accept, renderers, path="/api/v1/orders"):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(path, **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except NotAcceptable:
        return "406"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("renderers", RENDERER_SETS, ids=["json", "json+browsable"])
def test_the_answer_is_drfs(accept, renderers):
    expected = negotiate(DefaultContentNegotiation(), accept, renderers)
    assert negotiate(FastContentNegotiation(), accept, renderers) == expected


def test_a_format_override_still_goes_through_drf():
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]
    found = negotiate(FastContentNegotiation(), None, renderers, "/api/v1/orders?format=api")
    assert found == ("BrowsableAPIRenderer", "text/html")
    assert negotiate(FastContentNegotiation(), "text/html", [JSONRenderer()]) == "406"
