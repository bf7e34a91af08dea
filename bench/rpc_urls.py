"""The project's URLs plus two bare views returning a contract call's JSON (bench/rpc.py).

- ``bench/floor``: what a hand-written endpoint would do: the same provider call,
  its result encoded; no signature, no contract routing, no guard, no observers.
- ``bench/static``: the same bytes, computed once: Django and HTTP alone.
"""

import json
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from apps.users.provider import UsersProvider
from contracts.codec import MethodCodec
from contracts.users import UsersService
from project.urls import urlpatterns as project_urlpatterns

_codec = MethodCodec(UsersService.get_user)
_provider = UsersProvider()
_static: dict[bytes, bytes] = {}


def _answer(body: bytes) -> bytes:
    user = _provider.get_user(user_id=UUID(json.loads(body)["user_id"]))
    return _codec.encode_result(user)


@csrf_exempt
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_answer(request.body), content_type="application/json")


@csrf_exempt
def static(request: HttpRequest) -> HttpResponse:
    body = _static.get(request.body)
    if body is None:
        body = _static[request.body] = _answer(request.body)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [path("bench/floor", floor), path("bench/static", static), *project_urlpatterns]
