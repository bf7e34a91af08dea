"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus).

None of them is part of the public API (no schema, no session, no JWT). Liveness
touches nothing but the process; a failing readiness answers 503 with
``Retry-After`` so load balancers and Kubernetes take the pod out of rotation.
``/metrics`` answers only with ``Authorization: Bearer <SEAMS_METRICS_TOKEN>``;
without a token configured it does not exist (404).
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from extraction.observability.health import readiness
from extraction.observability.metrics import scrape_registry

READY_RETRY_AFTER_SECONDS = 5


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    result = readiness()
    response = JsonResponse(result.as_dict(), status=200 if result.ready else 503)
    if not result.ready:
        response["Retry-After"] = str(READY_RETRY_AFTER_SECONDS)
    return response


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.SEAMS_METRICS_TOKEN
    if not token:
        raise Http404("metrics are off: set SEAMS_METRICS_TOKEN")
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        response = HttpResponse("metrics need the bearer token\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
