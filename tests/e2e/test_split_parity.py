"""Parity: the same checkout through the public URL, monolith vs each app extracted.

The monolith runs in broker mode (``deploy/processes/Procfile``: web, relay,
worker); then users, orders and payments in turn run as their own service
(``deploy/processes/Procfile.split``: the monolith without the app, the service
with its own database, a relay and a worker each, one RabbitMQ), each deployment
fresh and built the way ``make split`` builds it. The scenario's observable
results — every status code and body (normalized), the final states of orders,
payments and refunds, the operator reports, and the events emitted and handled —
are recorded per run; any difference from the monolith fails.
"""

from __future__ import annotations

import difflib
import json
import pprint
from typing import Any

import pytest

from extraction.launch.local import manage
from extraction.launch.stack import Stack
from tests.e2e.checkout_scenario import Normalizer, run_checkout
from tests.e2e.split_stacks import owner, query, running_stack, settled_events

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.redis,
    pytest.mark.timeout(900),
]

MODES = ("monolith", "users", "orders", "payments")


def final_states(stack: Stack) -> dict[str, Any]:
    orders, payments = owner(stack, "orders"), owner(stack, "payments")
    count = "SELECT status, count(*) FROM {} GROUP BY 1 ORDER BY 1"
    return {
        "orders": query(orders, count.format("orders_order")),
        "payments": query(payments, count.format("payments_payment")),
        "refunds": query(payments, count.format("payments_refund")),
    }


def reports(stack: Stack) -> dict[str, Any]:
    normalize = Normalizer()
    deployment = stack.deployment
    orders_report = manage(deployment, owner(stack, "orders"), "orders_report", "--json")
    payments_report = manage(
        deployment, owner(stack, "payments"), "payments_report", "--format", "json"
    )
    return {
        "orders_report": normalize(json.loads(orders_report)),
        "payments_report": normalize(json.loads(payments_report)),
    }


def observe(stack: Stack) -> dict[str, Any]:
    recorded = run_checkout(stack.deployment.public_url)
    return {
        "api": recorded.steps,
        "events": settled_events(stack),
        "states": final_states(stack),
        "reports": reports(stack),
    }


def difference(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    return "\n".join(
        difflib.unified_diff(
            pprint.pformat(expected, width=100).splitlines(),
            pprint.pformat(actual, width=100).splitlines(),
            "monolith",
            "split",
            lineterm="",
        )
    )


def test_the_checkout_is_the_same_with_each_app_extracted(tmp_path):
    # given/when: the scenario against the monolith, then with each app extracted
    observed: dict[str, dict[str, Any]] = {}
    for mode in MODES:
        extract = None if mode == "monolith" else mode
        with running_stack(extract, tmp_path / mode) as stack:
            observed[mode] = observe(stack)
    # then: the monolith run is what the scenario expects at all
    baseline = observed["monolith"]
    assert baseline["states"]["orders"] and baseline["events"]["handled"]
    assert baseline["events"]["delivery failures"] == 0
    # and every split run observed exactly the same
    for mode in MODES[1:]:
        assert observed[mode] == baseline, f"{mode} extracted differs:\n" + difference(
            baseline, observed[mode]
        )
