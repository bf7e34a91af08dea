"""Django's message middleware, its storage built only by a request that uses messages.

``MessageMiddleware`` builds the message storage (a cookie storage, a session
storage and their signer) on every request and asks it to write on every
response. Only the admin's pages use messages; an API request never does, so
here the storage is built the first time a view adds or reads a message, and a
request that never touched it leaves the response alone (there is nothing to
write: the storage only writes what was added, or what was read and must go).
"""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:  # type: ignore[attr-defined]
            return response
        return super().process_response(request, response)
