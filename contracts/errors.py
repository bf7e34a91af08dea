"""Errors a contract may raise, each with a stable machine-readable code.

Codes are unique across all contracts, so a transport can re-raise the same
class on the caller's side from the code alone.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ContractError(Exception):
    """Base of every error that crosses a contract."""

    code: ClassVar[str] = "contract_error"
    http_status: ClassVar[int] = 400
    default_message: ClassVar[str] = "The request could not be completed."
    _by_code: ClassVar[dict[str, type[ContractError]]] = {}

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details: dict[str, Any] = details or {}
        super().__init__(self.message)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} must declare its own stable code")
        other = ContractError._by_code.get(cls.code)
        if other is not None and other.__qualname__ != cls.__qualname__:
            raise TypeError(f"code {cls.code!r} is used by {other.__qualname__} already")
        ContractError._by_code[cls.code] = cls

    @classmethod
    def for_code(cls, code: str) -> type[ContractError]:
        """The error class registered for ``code`` (``ContractError`` when unknown)."""
        return cls._by_code.get(code, ContractError)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, http_status: int | None = None) -> ContractError:
        """The error ``as_dict`` described, as an instance of the class of its code.

        A code this process does not know becomes a plain ``ContractError`` that
        keeps the code (and the status it travelled with).
        """
        code = str(data.get("code", ContractError.code))
        details = data.get("details")
        error_class = cls.for_code(code)
        error = error_class(
            str(data.get("message") or error_class.default_message),
            details=details if isinstance(details, dict) else {},
        )
        if error_class.code != code:
            # Instance attributes shadow the class's: the code survives the trip.
            vars(error).update(code=code, http_status=http_status or error_class.http_status)
        return error


class NotFound(ContractError):
    code = "not_found"
    http_status = 404
    default_message = "Not found."


class Conflict(ContractError):
    code = "conflict"
    http_status = 409
    default_message = "The resource is not in a state that allows this."


class ServiceUnavailable(ContractError):
    """The provider of a contract cannot be reached now (down, timing out, breaker open).

    Raised at once, without waiting out a timeout, when the breaker of that service
    is open. ``retry_after_seconds`` is when to try again; the public API answers
    503 with a ``Retry-After`` header.
    """

    code = "service_unavailable"
    http_status = 503
    default_message = "A service this request needs is unavailable; retry later."

    @property
    def retry_after_seconds(self) -> int:
        value = self.details.get("retry_after_seconds", 1)
        return max(1, int(value)) if isinstance(value, int | float) else 1


class RemoteFailure(ContractError):
    """The provider failed in a way it does not describe (its own 500)."""

    code = "remote_failure"
    http_status = 502
    default_message = "A service this request needs failed; the failure is logged there."


class IncompatibleContractVersion(ContractError):
    """The caller and the provider were built against different shapes of the method."""

    code = "incompatible_contract_version"
    http_status = 409
    default_message = "The caller and the provider disagree on the shape of this contract method."


ContractError._by_code[ContractError.code] = ContractError
