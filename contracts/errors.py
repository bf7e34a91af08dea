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


class NotFound(ContractError):
    code = "not_found"
    http_status = 404
    default_message = "Not found."


class Conflict(ContractError):
    code = "conflict"
    http_status = 409
    default_message = "The resource is not in a state that allows this."


ContractError._by_code[ContractError.code] = ContractError
