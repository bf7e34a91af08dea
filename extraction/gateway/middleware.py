"""The gateway middleware: forwards the public routes of apps that run elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from extraction.gateway.routes import upstream_for


class GatewayMiddleware:
    """Placed early: a forwarded request never reaches sessions, CSRF or a view here.

    The service it goes to authenticates it (the JWT travels in ``Authorization``)
    and answers for itself; this process only carries bytes both ways.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        upstream = upstream_for(request.path)
        if upstream is None:
            return self.get_response(request)
        # The HTTP client and its breakers load with the first forwarded request: a
        # process that serves every app itself never needs them.
        from extraction.gateway.proxy import forward

        return forward(request, upstream)
