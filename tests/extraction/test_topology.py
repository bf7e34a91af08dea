"""Broker topology across services: the manifest, queues declared before publishing,
per-service task queues, and no split process without a broker."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.db import transaction
from kombu import Connection

from contracts import publish
from contracts.events import subscribe, subscriptions, unsubscribe
from contracts.payments import PaymentCaptured
from contracts.subscriptions import MANIFEST, consumed_event_names
from contracts.users import UserDeactivated
from extraction.checks import check_broker_when_split, check_subscription_manifest
from extraction.events.relay import Relay
from extraction.events.routing import queue_name, task_queue_name
from extraction.launch.procfile import read_procfile
from project.celery import app, route_task
from tests.extraction.conftest import Processes


def test_the_manifest_lists_exactly_what_each_apps_handlers_consume(settings):
    # given: every handler subscribed in this (monolith) process, test probes aside
    handled: dict[str, set[str]] = {service: set() for service in settings.ALL_SERVICES}
    for s in subscriptions():
        if not s.handler.__module__.startswith("tests."):
            handled[s.service].add(s.event_type.name)
    # then: the manifest says the same, for every app
    assert set(MANIFEST) == set(settings.ALL_SERVICES)
    assert {service: consumed_event_names(service) for service in MANIFEST} == handled
    assert check_subscription_manifest() == []


def test_a_handler_the_manifest_does_not_list_fails_the_check():
    # given: a payments handler of an event the manifest does not give payments
    def on_captured(event: object) -> None: ...

    on_captured.__module__ = "apps.payments.handlers_extra"
    subscribe(PaymentCaptured, service="payments")(on_captured)
    try:
        errors = check_subscription_manifest()
    finally:
        unsubscribe(f"{on_captured.__module__}.{on_captured.__qualname__}")
    # then
    assert [e.id for e in errors] == ["seams.E011"]
    assert "'payments' consume ['orders.CaptureRejected', 'payments.PaymentCaptured'" in (
        errors[0].msg
    )


@pytest.mark.parametrize(
    ("services", "broker", "refused"),
    [
        (("users", "orders", "payments"), "", False),  # the monolith: in process is fine
        (("users", "orders"), "", True),  # payments runs elsewhere
        (("payments",), "", True),
        (("payments",), "amqp://127.0.0.1:5672//", False),
    ],
)
def test_a_split_process_without_a_broker_is_refused(settings, services, broker, refused):
    settings.SEAMS_SERVICES = services
    settings.CELERY_BROKER_URL = broker
    errors = check_broker_when_split()
    assert [e.id for e in errors] == (["seams.E010"] if refused else [])


def test_remote_service_urls_alone_require_a_broker(settings):
    settings.SEAMS_SERVICE_URLS = {"payments": "http://127.0.0.1:8699"}
    settings.CELERY_BROKER_URL = ""
    assert [e.id for e in check_broker_when_split()] == ["seams.E010"]


@pytest.mark.parametrize("role", ["web", "worker"])
def test_the_documented_processes_refuse_to_start_split_without_a_broker(tmp_path, role):
    # given: the Procfile's web and worker commands for payments alone, no broker
    procs = Processes(tmp_path, "refused")
    env = {"SEAMS_SERVICES": "payments", "CELERY_BROKER_URL": "", "PORT": "8690"}
    try:
        process = procs.start(role, **env)
        # then: the process exits, naming the check
        process.wait(timeout=60)
        log = procs.log_of(process)
        assert process.returncode != 0
        assert f"Seams refuses to start the {'web server' if role == 'web' else 'worker'}" in log
        assert "seams.E010" in log
    finally:
        procs.stop_all()


def test_each_service_task_runs_on_its_own_queue_and_nothing_on_a_shared_default(settings):
    # then: a service's task goes to that service's task queue
    route = route_task("users.send_welcome_email", (), {}, {})
    assert (
        route["queue"] == task_queue_name("users") == f"{settings.SEAMS_EVENTS_PREFIX}.users.tasks"
    )
    # and this process's own tasks (beat: purge, redrive) to its first service's
    assert route_task("seams.outbox.purge", (), {}, {}) == {}
    assert app.conf.task_default_queue.endswith(f".{settings.SEAMS_SERVICES[0]}.tasks")
    # and a plain worker consumes the event and task queues of its services, and no "celery"
    consumed = set(app.amqp.queues.consume_from)
    prefix = app.conf.task_default_queue.split(".")[0]
    expected = {f"{prefix}.{s}.tasks" for s in settings.SEAMS_SERVICES}
    expected |= {f"{prefix}.{s}" for s in settings.SEAMS_SERVICES if consumed_event_names(s)}
    assert consumed == expected
    assert "celery" not in consumed


@pytest.mark.postgres
@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_the_relay_declares_the_queue_of_a_consumer_that_runs_elsewhere_and_never_started(
    rabbitmq, settings
):
    # given: a process that runs payments only; orders (elsewhere) has never started
    settings.SEAMS_SERVICES = ("payments",)
    with transaction.atomic():
        publish(UserDeactivated(user_id=uuid.uuid4()))
    # when: the relay publishes the event
    relay = Relay()
    assert relay.drain() == 1
    relay.close()
    # then: it waits in orders' queue (a topic exchange drops what no queue is bound to)
    with Connection(rabbitmq) as conn:
        _, waiting, _ = conn.channel().queue_declare(queue_name("orders"), passive=True)
    assert waiting == 1


def test_the_documented_commands_are_the_procfile_entries_the_tests_start():
    # what docs/events.md tells an operator to run by hand is what the fault tests run
    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "events.md").read_text()
    entries = read_procfile(root / "deploy" / "processes" / "Procfile")
    assert set(entries) == {"web", "relay", "worker", "beat"}
    for entry in entries.values():
        assert f"\n{entry.command}\n" in docs, entry.command
    # and the systemd units start the same relay and worker
    units = root / "deploy" / "processes"
    relay_unit = (units / "seams-relay.service").read_text()
    worker_unit = (units / "seams-worker.service").read_text()
    assert f"ExecStart=/srv/seams/.venv/bin/{entry_of(entries, 'relay')}" in relay_unit
    worker = entry_of(entries, "worker").removeprefix("celery -A project worker ")
    assert f"worker -n %i@%%H {worker}\n" in worker_unit


def entry_of(entries: dict, name: str) -> str:
    return str(entries[name].command)
