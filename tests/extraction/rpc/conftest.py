"""Fixtures of the RPC tests: signed requests to the in-process endpoint, and a
scripted HTTP server standing in for a provider."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from extraction.rpc import breakers, signing, versions
from extraction.rpc.client import reset_transports
from tests.contracts.live import refused_address

KEY = "rpc-test-key"


@pytest.fixture(autouse=True)
def rpc_settings(settings) -> None:
    settings.SEAMS_RPC_KEYS = [KEY]
    settings.SEAMS_RPC_RETRIES = 2
    settings.SEAMS_RPC_RETRY_BACKOFF_SECONDS = 0.01
    settings.SEAMS_RPC_CONNECT_TIMEOUT_SECONDS = 0.5
    settings.SEAMS_RPC_READ_TIMEOUT_SECONDS = 2.0
    settings.SEAMS_RPC_REDIS_URL = ""
    breakers.reset_breakers()
    reset_transports()
    yield
    breakers.reset_breakers()
    reset_transports()


def signed_headers(
    path: str,
    body: bytes,
    *,
    key: str = KEY,
    version: str | None = None,
    now: float | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    contract, method = path.rstrip("/").split("/")[-2:]
    headers = {versions.HEADER: version or versions.version_of(contract, method), **(extra or {})}
    signing.sign(key=key, method="POST", path=path, body=body, headers=headers, now=now)
    return headers


class Rpc:
    """POSTs to the in-process endpoint, signed unless told otherwise."""

    def __init__(self) -> None:
        self.client = Client(raise_request_exception=False)

    def post(
        self, contract: str, method: str, payload: Any = None, *, body: bytes | None = None, **kw
    ):
        path = f"/internal/rpc/{contract}/{method}"
        raw = body if body is not None else json.dumps(payload or {}).encode()
        headers = kw.pop("headers", None)
        if headers is None:
            headers = signed_headers(path, raw, **kw)
        return self.client.post(path, raw, content_type="application/json", headers=headers)


@pytest.fixture
def rpc() -> Rpc:
    return Rpc()


class ScriptedProvider:
    """An HTTP server that answers each POST with the next scripted answer and
    records the requests (headers and body) it received."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.default: tuple[int, dict[str, str], bytes] = (503, {}, b"down")
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                scripted.requests.append((dict(self.headers), self.rfile.read(length)))
                status, headers, body = (
                    scripted.answers.pop(0) if scripted.answers else scripted.default
                )
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        # Port 0: the system picks a free one, so parallel suites never collide.
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def attempts(self) -> int:
        return len(self.requests)

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, headers or {}, json.dumps(payload).encode()))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted_provider() -> Iterator[ScriptedProvider]:
    provider = ScriptedProvider()
    yield provider
    provider.stop()


@pytest.fixture
def unreachable_url() -> Iterator[str]:
    """A port where nothing listens (held for the test, so nothing starts to)."""
    sock, url = refused_address()
    yield url
    sock.close()
