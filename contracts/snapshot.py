"""A JSON description of every contract method and event, to catch breaking changes.

``python -m contracts.snapshot --write`` records the current shape in
``contracts/snapshot.json``; a test compares the code with that file. A published
event version or a contract method may not change shape: declare a new event
version (or a new method) instead, and keep the old one until no consumer needs it.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any, get_type_hints

from pydantic import TypeAdapter

import contracts
from contracts.events import Event
from contracts.services import contract_methods, declared_contracts

SNAPSHOT = Path(__file__).with_name("snapshot.json")


def load_contract_modules() -> None:
    for module in pkgutil.iter_modules(contracts.__path__):
        importlib.import_module(f"contracts.{module.name}")


def _schema(tp: Any) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(tp).json_schema(mode="serialization")
    return schema


def describe() -> dict[str, Any]:
    """The current shape of every contract method and event version."""
    load_contract_modules()
    methods: dict[str, Any] = {}
    for contract in declared_contracts():
        for name, method in contract_methods(contract):
            hints = get_type_hints(method)
            params = [p for p in inspect.signature(method).parameters if p != "self"]
            methods[f"{contract.__qualname__}.{name}"] = {
                "parameters": {p: _schema(hints[p]) for p in params},
                "returns": _schema(hints["return"]),
            }
    events = {
        f"{event_type.name} v{event_type.version}": _schema(event_type)
        for event_type in sorted(Event.declared(), key=lambda e: (e.name, e.version))
        if event_type.__module__.startswith("contracts.")
    }
    return {"methods": methods, "events": events}


def breaking_changes(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What a consumer built against ``recorded`` would find changed or gone."""
    problems = []
    for section in ("methods", "events"):
        for key, shape in recorded.get(section, {}).items():
            if key not in current[section]:
                problems.append(f"{section[:-1]} {key} was removed")
            elif current[section][key] != shape:
                problems.append(f"{section[:-1]} {key} changed shape")
    return problems


def recorded() -> dict[str, Any]:
    """The committed snapshot (empty before the first ``--write``)."""
    if not SNAPSHOT.exists():
        return {}
    snapshot: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return snapshot


def render(description: dict[str, Any]) -> str:
    return json.dumps(description, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="record the current shapes")
    args = parser.parse_args(argv)
    current = describe()
    if args.write:
        SNAPSHOT.write_text(render(current))
        return 0
    problems = breaking_changes(recorded(), current)
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
