"""The internal RPC endpoint: ``POST /internal/rpc/<contract>/<method>``.

One view serves every contract bound locally in this process, built from the
contract class: the arguments are decoded and validated by the method's codec,
the result encoded the same way; no code per method. Answers:

- 405 ``rpc.method_not_allowed`` (anything but POST)
- 401 ``rpc.unauthenticated`` / ``rpc.bad_signature`` / ``rpc.expired`` / ``rpc.replayed``
- 404 ``rpc.unknown_contract`` / ``rpc.unknown_method`` (not served by this process)
- 409 ``incompatible_contract_version`` (the caller was built against another shape)
- 422 ``rpc.invalid_arguments`` with pydantic's errors as details
- a contract error: its own status and body (``{"code", "message", "details"}``)
- 500 ``rpc.internal_error`` with the correlation id, and nothing of the failure

The route is a plain Django view, outside DRF: it is not in the public schema.
"""

from __future__ import annotations

import logging
from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from contracts.codec import to_jsonable
from contracts.errors import ContractError, IncompatibleContractVersion
from contracts.services import registry
from extraction import correlation
from extraction.rpc import binding, identity, signing, versions
from extraction.rpc.wire import ANSWER_HEADER, CONTRACT_ERROR_ANSWER

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    """The endpoint's own refusal, in the API's error shape (``project.api_errors`` is
    the composition root's, for DRF views: extraction does not import it)."""
    return JsonResponse({"code": code, "message": message, "details": details or {}}, status=status)


def _contract_error(error: ContractError) -> JsonResponse:
    """A contract error's answer: its own status and body, marked as the provider's."""
    return JsonResponse(
        to_jsonable(error.as_dict(), dict[str, Any]),
        status=error.http_status,
        headers={ANSWER_HEADER: CONTRACT_ERROR_ANSWER},
    )


@csrf_exempt
def rpc_view(request: HttpRequest, contract: str, method: str) -> HttpResponse:
    if request.method != "POST":
        response = _error(405, "rpc.method_not_allowed", "Contract methods are called with POST.")
        response["Allow"] = "POST"
        return response
    try:
        signing.verify(
            keys=settings.SEAMS_RPC_KEYS,
            method=request.method or "POST",
            path=request.path,
            body=request.body,
            meta=request.META,
            window_seconds=settings.SEAMS_RPC_SIGNATURE_WINDOW_SECONDS,
            first_seen=signing.first_seen,
        )
    except signing.SignatureRefused as refused:
        logger.warning("RPC %s.%s refused: %s", contract, method, refused.message)
        return _error(401, refused.code, refused.message)
    served = binding.served_method(contract, method)
    if served is None:
        if binding.served_contract(contract) is None:
            return _error(404, "rpc.unknown_contract", f"No contract {contract} is served here.")
        return _error(404, "rpc.unknown_method", f"{contract} has no method {method}.")
    contract_class, codec = served
    expected = versions.version_of(contract, method)
    given = request.META.get(versions.META_KEY, "")
    if given != expected:
        error = IncompatibleContractVersion(
            f"The caller was built against another shape of {contract}.{method} "
            f"(caller {given or 'none'}, provider {expected}): deploy the callers and the "
            f"provider from the same contract snapshot, or call a method both know.",
            details={"method": f"{contract}.{method}", "caller": given, "provider": expected},
        )
        return _contract_error(error)
    try:
        arguments = codec.decode_arguments(request.body)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        return _error(
            422,
            "rpc.invalid_arguments",
            f"The arguments of {contract}.{method} are not valid.",
            {"errors": to_jsonable(errors, list[dict[str, Any]])},
        )
    user = identity.EndUser.from_header(request.META.get(identity.META_KEY, ""))
    try:
        with identity.serving(user):
            result = getattr(registry.get(contract_class), method)(**arguments)
        body = codec.encode_result(result)
    except ContractError as exc:
        return _contract_error(exc)
    except Exception:
        # CorrelationMiddleware bound the caller's id for this request, and sends it back.
        correlation_id = correlation.get()
        logger.exception("RPC %s.%s failed (correlation id %s)", contract, method, correlation_id)
        return _error(
            500,
            "rpc.internal_error",
            "The provider failed; its logs have the details.",
            {"correlation_id": correlation_id},
        )
    return HttpResponse(body, content_type="application/json")
