"""The remote adapter: a generated subclass of a contract whose methods call its provider.

``remote_adapter(contract, base_url=...)`` is what the registry binds when the
owner of ``contract`` runs elsewhere; ``get(PaymentsService)`` stays a
``PaymentsService`` to mypy. Each call is encoded by the wire codec, signed, and
POSTed over a pooled keep-alive connection (urllib3: measured faster than httpx
here, see docs/rpc.md) with explicit connect and read timeouts. Methods marked
``@idempotent`` are retried with backoff on a transient failure; any other method
is attempted once. Transient failures count towards the service's circuit
breaker; an open breaker or an unreachable service is a ``ServiceUnavailable``
at once. Contract errors come back as the same class.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pybreaker
import tenacity
import urllib3
from django.conf import settings
from urllib3.connectionpool import connection_from_url

from contracts.codec import MethodCodec
from contracts.errors import ContractError, RemoteFailure, ServiceUnavailable
from contracts.services import Service, contract_methods, is_idempotent
from extraction import correlation
from extraction.rpc import breakers, identity, signing, versions
from extraction.rpc.observers import ERROR, HTTP, UNAVAILABLE, contract_outcome, observed
from extraction.rpc.wire import ANSWER_HEADER, CONTRACT_ERROR_ANSWER, PATH

logger = logging.getLogger(__name__)

S = TypeVar("S", bound=Service)

TRANSIENT_STATUSES = frozenset({502, 503, 504})


class Transient(Exception):
    """A failure worth retrying (when the method allows it) and counting in the breaker."""


class HttpTransport:
    """Calls to one remote service: its connection pool, its breaker, its timeouts."""

    def __init__(self, *, service: str, base_url: str) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.pool = connection_from_url(
            self.base_url, maxsize=settings.SEAMS_RPC_POOL_SIZE, block=False
        )
        self.prefix = urllib3.util.parse_url(self.base_url).path or ""
        self.retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(1 + settings.SEAMS_RPC_RETRIES),
            wait=tenacity.wait_exponential(
                multiplier=settings.SEAMS_RPC_RETRY_BACKOFF_SECONDS,
                max=settings.SEAMS_RPC_RETRY_BACKOFF_SECONDS * 8,
            )
            + tenacity.wait_random(0, settings.SEAMS_RPC_RETRY_BACKOFF_SECONDS),
            retry=tenacity.retry_if_exception_type(Transient),
            reraise=True,
        )

    def timeout(self, contract: type[Service], method: str) -> urllib3.Timeout:
        read = settings.SEAMS_RPC_METHOD_READ_TIMEOUTS.get(
            f"{contract.__name__}.{method}", settings.SEAMS_RPC_READ_TIMEOUT_SECONDS
        )
        return urllib3.Timeout(connect=settings.SEAMS_RPC_CONNECT_TIMEOUT_SECONDS, read=float(read))

    def call(
        self,
        contract: type[Service],
        method: str,
        *,
        body: bytes,
        idempotent: bool,
        timeout: urllib3.Timeout,
    ) -> urllib3.BaseHTTPResponse:
        path = self.prefix + PATH.format(contract=contract.__name__, method=method)
        headers = {
            "Content-Type": "application/json",
            versions.HEADER: versions.version_of(contract.__name__, method),
            # Outside a request or task (no id bound), a new id for this call only.
            correlation.HEADER: correlation.get() or correlation.new_id(),
        }
        user = identity.end_user()
        if user is not None:
            headers[identity.HEADER] = user.to_header()

        def attempt() -> urllib3.BaseHTTPResponse:
            # Signed per attempt: a retry is a new request (new nonce), not a replay.
            signing.sign(
                key=settings.SEAMS_RPC_KEYS[0], method="POST", path=path, body=body, headers=headers
            )
            try:
                response = self.pool.urlopen(
                    "POST",
                    path,
                    body=body,
                    headers=headers,
                    timeout=timeout,
                    retries=False,
                    redirect=False,
                )
            except urllib3.exceptions.HTTPError as exc:
                raise Transient(f"{self.service} unreachable: {exc}") from exc
            if response.headers.get(ANSWER_HEADER) == CONTRACT_ERROR_ANSWER:
                return response  # the provider's own answer, whatever its status
            if response.status in TRANSIENT_STATUSES:
                raise Transient(f"{self.service} answered {response.status}")
            if response.status >= 500:
                raise RemoteFailure(details=_error_details(response))
            return response

        guarded = functools.partial(self.retrying, attempt) if idempotent else attempt
        try:
            return breakers.breaker_for(self.service).call(guarded)
        except (Transient, pybreaker.CircuitBreakerError) as exc:
            logger.warning("%s.%s: %s", contract.__name__, method, exc)
            raise ServiceUnavailable(
                f"The {self.service} service is unavailable; retry later.",
                details={
                    "service": self.service,
                    "retry_after_seconds": breakers.retry_after_seconds(self.service),
                },
            ) from None


def _error_details(response: urllib3.BaseHTTPResponse) -> dict[str, Any]:
    try:
        body = json.loads(response.data)
    except ValueError:
        body = {}
    details = body.get("details") if isinstance(body, dict) else None
    return {"status": response.status, **(details if isinstance(details, dict) else {})}


def _raise_for_answer(response: urllib3.BaseHTTPResponse) -> None:
    try:
        body = json.loads(response.data)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        raise RemoteFailure(details={"status": response.status})
    if body["code"].startswith("rpc."):
        # The endpoint refused the call itself (signature, unknown method, arguments):
        # a deployment fault, not something the end user can act on.
        logger.error("RPC refused with %s: %s", response.status, body)
        raise RemoteFailure(
            "A service refused a call from this one; the refusal is logged.",
            details={"status": response.status, "remote_code": body["code"]},
        )
    raise ContractError.from_dict(body, http_status=response.status)


_transports: dict[str, HttpTransport] = {}


def transport_for(service: str, base_url: str) -> HttpTransport:
    transport = _transports.get(service)
    if transport is None or transport.base_url != base_url.rstrip("/"):
        transport = _transports[service] = HttpTransport(service=service, base_url=base_url)
    return transport


def reset_transports() -> None:
    """Forget the transports (their pools and settings); the next adapter builds anew."""
    _transports.clear()


def remote_adapter(contract: type[S], *, base_url: str) -> type[S]:
    """A subclass of ``contract`` whose methods call its provider at ``base_url``."""
    transport = transport_for(contract.owner, base_url)
    namespace: dict[str, Any] = {"__module__": __name__}
    for name, method in contract_methods(contract):
        namespace[name] = _remote_method(contract, name, method, transport)
    adapter = type(f"Remote{contract.__name__}", (contract,), namespace)
    return adapter


def _remote_method(
    contract: type[Service], name: str, method: Callable[..., Any], transport: HttpTransport
) -> Callable[..., Any]:
    codec = MethodCodec(method)
    idempotent = is_idempotent(method)
    timeout = transport.timeout(contract, name)

    def run(self: Service, **arguments: Any) -> Any:
        response = transport.call(
            contract,
            name,
            body=codec.encode_arguments(arguments),
            idempotent=idempotent,
            timeout=timeout,
        )
        if response.status != 200:
            _raise_for_answer(response)
        return codec.decode_result(response.data)

    return functools.wraps(method)(
        observed(contract, name, run, transport=HTTP, outcome_of=_remote_outcome)
    )


def _remote_outcome(error: BaseException) -> tuple[str, str | None]:
    """A remote call's outcome: an unavailable service and a failed provider are not
    contract errors."""
    if isinstance(error, ServiceUnavailable):
        return UNAVAILABLE, error.code
    if isinstance(error, RemoteFailure):
        return ERROR, error.details.get("remote_code", error.code)
    return contract_outcome(error)
