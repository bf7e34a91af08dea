"""Contracts evolve compatibly: the code matches the recorded snapshot."""

from __future__ import annotations

import copy
import json

from contracts.snapshot import SNAPSHOT, breaking_changes, describe, render


def test_no_recorded_method_or_event_version_changed_shape():
    recorded = json.loads(SNAPSHOT.read_text())
    assert breaking_changes(recorded, describe()) == [], (
        "a published contract changed incompatibly: declare a new event version or method"
    )


def test_the_snapshot_records_every_current_method_and_event():
    assert SNAPSHOT.read_text() == render(describe()), (
        "contracts changed compatibly but contracts/snapshot.json is stale: "
        "run `python -m contracts.snapshot --write` and commit it"
    )


def test_a_changed_event_field_is_reported_as_breaking():
    # given: the snapshot of a consumer, and code where OrderPlaced lost a field
    recorded = describe()
    current = copy.deepcopy(recorded)
    del current["events"]["orders.OrderPlaced v1"]["properties"]["currency"]
    del current["methods"]["UsersService.get_users"]
    # when
    problems = breaking_changes(recorded, current)
    # then
    assert problems == [
        "method UsersService.get_users was removed",
        "event orders.OrderPlaced v1 changed shape",
    ]
