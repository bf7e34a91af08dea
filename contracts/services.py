"""Contract service base and the typed lookup that resolves an implementation.

A contract is a ``Service`` subclass whose public methods are keyword-only and
fully annotated, and whose bodies raise ``NotImplementedError``. The owning app
registers a provider (a subclass that overrides every method) when it runs in
this process; other transports (the remote adapter) register the same way.

The contract methods are deliberately not ``abc.abstractmethod``: mypy refuses
to pass an abstract class where ``type[S]`` is expected, and ``get`` must stay
statically typed (``get(UsersService)`` is a ``UsersService`` to mypy).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar, get_type_hints

S = TypeVar("S", bound="Service")
F = TypeVar("F", bound=Callable[..., Any])

IDEMPOTENT_ATTRIBUTE = "__seams_idempotent__"


def idempotent(method: F) -> F:
    """Mark a contract method as safe to repeat: a transport may retry it.

    Only reads (or writes keyed so that a repeat changes nothing) may be marked;
    a remote call of any other method is attempted exactly once.
    """
    setattr(method, IDEMPOTENT_ATTRIBUTE, True)
    return method


def is_idempotent(method: Callable[..., Any]) -> bool:
    return bool(getattr(method, IDEMPOTENT_ATTRIBUTE, False))


class ContractDefinitionError(TypeError):
    """A contract or a provider does not follow the contract rules."""


class ProviderMissing(LookupError):
    """No implementation of a contract is registered in this process."""


class Service:
    """Base of every contract.

    Subclasses that set ``owner`` (the app label that provides it) are contracts;
    their public methods are validated when the class is created.
    """

    owner: ClassVar[str] = ""
    contract: ClassVar[type[Service] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "owner" in cls.__dict__:
            cls.contract = cls
            for name, method in contract_methods(cls):
                _validate_contract_method(cls, name, method)


def contract_methods(contract: type[Service]) -> Iterator[tuple[str, Callable[..., Any]]]:
    """The public methods a contract declares, in definition order."""
    for name, value in contract.__dict__.items():
        if not name.startswith("_") and inspect.isfunction(value):
            yield name, value


def declared_contracts() -> tuple[type[Service], ...]:
    """Every contract class defined so far (under ``contracts.``), sorted by name."""
    found: list[type[Service]] = []
    pending = list(Service.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.contract is cls and cls.__module__.startswith("contracts."):
            found.append(cls)
    return tuple(sorted(found, key=lambda c: c.__qualname__))


def _validate_contract_method(cls: type[Service], name: str, method: Callable[..., Any]) -> None:
    where = f"{cls.__qualname__}.{name}"
    signature = inspect.signature(method)
    hints = get_type_hints(method)
    for param in list(signature.parameters.values())[1:]:
        if param.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise ContractDefinitionError(f"{where}: parameter {param.name!r} must be keyword-only")
        if param.name not in hints:
            raise ContractDefinitionError(f"{where}: parameter {param.name!r} has no annotation")
    if "return" not in hints:
        raise ContractDefinitionError(f"{where}: return type is not annotated")


def signature_mismatches(contract: type[Service], provider: type[Service]) -> list[str]:
    """Why ``provider`` does not implement ``contract`` exactly (empty when it does)."""
    problems = []
    for name, method in contract_methods(contract):
        implementation = getattr(provider, name, None)
        if implementation is None or implementation is method:
            problems.append(f"{provider.__qualname__} does not implement {name}()")
            continue
        expected, actual = inspect.signature(method), inspect.signature(implementation)
        if list(expected.parameters) != list(actual.parameters) or [
            p.kind for p in expected.parameters.values()
        ] != [p.kind for p in actual.parameters.values()]:
            problems.append(f"{provider.__qualname__}.{name}{actual} differs from {expected}")
            continue
        if get_type_hints(method) != get_type_hints(implementation):
            problems.append(f"{provider.__qualname__}.{name} annotations differ from the contract")
    return problems


class _Registry:
    """Process-wide map from a contract to the factory of its implementation."""

    def __init__(self) -> None:
        self._factories: dict[type[Service], Callable[[], Service]] = {}
        self._instances: dict[type[Service], Service] = {}
        self._lock = threading.Lock()

    def provide(
        self, contract: type[S], factory: Callable[[], S], *, replace: bool = False
    ) -> None:
        if contract.contract is not contract:
            raise ContractDefinitionError(f"{contract.__qualname__} is not a contract")
        if isinstance(factory, type):
            problems = signature_mismatches(contract, factory)
            if problems:
                raise ContractDefinitionError("; ".join(problems))
        with self._lock:
            if contract in self._factories and not replace:
                raise ContractDefinitionError(f"{contract.__qualname__} already has a provider")
            self._factories[contract] = factory
            self._instances.pop(contract, None)

    def has(self, contract: type[Service]) -> bool:
        return contract in self._factories

    def withdraw(self, contract: type[Service]) -> None:
        """Forget the implementation of ``contract`` (binding is redone from settings)."""
        with self._lock:
            self._factories.pop(contract, None)
            self._instances.pop(contract, None)

    def factory(self, contract: type[S]) -> Callable[[], S] | None:
        """The factory bound to ``contract`` (``None`` when unbound)."""
        factory = self._factories.get(contract)
        return factory  # type: ignore[return-value]

    def get(self, contract: type[S]) -> S:
        instance = self._instances.get(contract)
        if instance is None:
            with self._lock:
                factory = self._factories.get(contract)
                if factory is None:
                    raise ProviderMissing(
                        f"no provider of {contract.__qualname__} is registered in this process"
                    )
                instance = self._instances.setdefault(contract, factory())
        if not isinstance(instance, contract):
            raise ContractDefinitionError(
                f"provider {type(instance).__qualname__} is not a {contract.__qualname__}"
            )
        return instance


registry = _Registry()


def get(contract: type[S]) -> S:
    """The implementation of ``contract`` chosen for this process."""
    return registry.get(contract)
