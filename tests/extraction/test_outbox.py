"""The transactional outbox and the inbox, on the real database.

These tests commit for real (``transactional_db``): ``on_commit`` callbacks only
run when the outermost transaction commits.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import codec, publish
from contracts.events import Event, event, subscribe, unsubscribe
from extraction.events import delivery
from extraction.events.delivery import apply_once, deliver_rows, local_subscriptions
from extraction.models import InboxEntry, OutboxEvent, OutboxStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@event
class ProbeHappened(Event):
    name = "tests.ProbeHappened"
    version = 1

    label: str


@event
class NobodyListens(Event):
    name = "tests.NobodyListens"
    version = 1


@pytest.fixture(autouse=True)
def _fresh_process_sweep_schedule():
    # Each test starts like a freshly started process: its first commit sweeps.
    delivery.sweeps.reset()
    yield
    delivery.sweeps.reset()


class DeliveryClock:
    """The clocks ``extraction.events.delivery`` reads, moved forward on demand (the rest of the
    process, the database included, keeps the real time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real_monotonic, real_now = time.monotonic, timezone.now
        monkeypatch.setattr(
            delivery, "time", SimpleNamespace(monotonic=lambda: real_monotonic() + self.offset)
        )
        monkeypatch.setattr(
            delivery,
            "timezone",
            SimpleNamespace(now=lambda: real_now() + timedelta(seconds=self.offset)),
        )

    def now(self) -> datetime:
        return delivery.timezone.now()

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch) -> DeliveryClock:
    return DeliveryClock(monkeypatch)


@dataclass
class Calls:
    seen: list[str]


@pytest.fixture
def probe_handler():
    """A handler with a real, non-idempotent database effect: it creates a row."""
    calls = Calls(seen=[])

    @subscribe(ProbeHappened, service="users")
    def record_probe(event: ProbeHappened) -> None:
        calls.seen.append(event.label)
        Group.objects.create(name=f"probe-{uuid.uuid4()}")
        if event.label.startswith("boom") or (
            event.label.startswith("once") and calls.seen.count(event.label) == 1
        ):
            raise RuntimeError("handler failed on purpose")

    yield calls
    unsubscribe(f"{record_probe.__module__}.{record_probe.__qualname__}")


def test_publish_then_commit_delivers_once(probe_handler):
    # when
    with transaction.atomic():
        publish(ProbeHappened(label="committed"))
        assert probe_handler.seen == []  # nothing is delivered before the commit
    # then
    assert probe_handler.seen == ["committed"]
    assert Group.objects.count() == 1
    row = OutboxEvent.objects.get()
    assert row.status == OutboxStatus.PUBLISHED
    assert row.attempts == 1
    assert row.published_at is not None and row.last_attempt_at == row.published_at
    assert InboxEntry.objects.filter(event_id=row.event_id).count() == 1
    # and a later sweep finds nothing left to deliver
    assert deliver_rows() == 0
    assert probe_handler.seen == ["committed"]


def test_publish_then_rollback_delivers_nothing(probe_handler):
    # when
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        publish(ProbeHappened(label="rolled back"))
        _ = 1 / 0
    # then
    assert OutboxEvent.objects.count() == 0
    assert deliver_rows() == 0
    assert probe_handler.seen == []
    assert Group.objects.count() == 0


def test_the_same_event_delivered_twice_applies_its_effect_once(probe_handler):
    # given: an event that was delivered once
    with transaction.atomic():
        publish(ProbeHappened(label="twice"))
    row = OutboxEvent.objects.get()
    event_ = codec.from_jsonable(ProbeHappened, row.payload)
    (subscription,) = local_subscriptions(ProbeHappened)
    # when: the broker redelivers it, and the row is resubmitted as well
    ran_again = apply_once(subscription, event_)
    OutboxEvent.objects.filter(id=row.id).update(status=OutboxStatus.PENDING)
    deliver_rows()
    # then
    assert ran_again is False
    assert probe_handler.seen == ["twice"]
    assert Group.objects.count() == 1
    assert InboxEntry.objects.count() == 1


def test_a_failing_handler_rolls_back_its_effect_and_the_row_is_retried(probe_handler):
    # when
    with transaction.atomic():
        publish(ProbeHappened(label="boom"))
    # then: the handler ran, but neither its row nor its inbox entry survived
    assert probe_handler.seen == ["boom"]
    assert Group.objects.count() == 0
    assert InboxEntry.objects.count() == 0
    row = OutboxEvent.objects.get()
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 1
    assert "handler failed on purpose" in row.last_error
    assert row.next_attempt_at is not None


def test_without_a_broker_a_later_commit_retries_a_failed_row_once_its_backoff_passed(
    probe_handler, settings, clock
):
    # given: an event whose handler failed once, its backoff (1 to 2 s) not over yet,
    # and no periodic sweep due for an hour
    settings.SEAMS_OUTBOX_SWEEP_SECONDS = 3600
    with transaction.atomic():
        publish(ProbeHappened(label="once-flaky"))
    failed = OutboxEvent.objects.get()
    assert failed.status == OutboxStatus.FAILED
    # when: another transaction commits before the backoff is over
    with transaction.atomic():
        publish(ProbeHappened(label="early"))
    # then: the failed row waits
    assert probe_handler.seen == ["once-flaky", "early"]
    # when: one commits after it
    clock.advance((failed.next_attempt_at - clock.now()).total_seconds() + 0.05)
    with transaction.atomic():
        publish(ProbeHappened(label="late"))
    # then: the row is retried, its effect applied once, and it is published
    assert probe_handler.seen == ["once-flaky", "early", "late", "once-flaky"]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxStatus.PUBLISHED, 2)
    assert Group.objects.count() == 3


def test_without_a_broker_a_row_left_pending_by_a_crash_goes_out_after_the_sweep_interval(
    probe_handler, settings, clock
):
    # given: a process that swept just now, and a committed row whose after-commit
    # delivery never ran (another process died)
    settings.SEAMS_OUTBOX_SWEEP_SECONDS = 3600
    with transaction.atomic():
        publish(ProbeHappened(label="first"))
    with transaction.atomic():
        publish(ProbeHappened(label="orphan"))
        transaction.get_connection().run_on_commit.clear()
    # when: a commit within the interval
    with transaction.atomic():
        publish(ProbeHappened(label="next"))
    # then: no sweep yet
    assert probe_handler.seen == ["first", "next"]
    # when: one after it, even of an event nobody in process subscribes to
    clock.advance(3600)
    with transaction.atomic():
        publish(NobodyListens())
    # then
    assert sorted(probe_handler.seen) == ["first", "next", "orphan"]
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {OutboxStatus.PUBLISHED}


def test_a_commit_with_nothing_due_runs_no_sweep(probe_handler):
    # given: this process swept at its first commit
    with transaction.atomic():
        publish(ProbeHappened(label="first"))
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        publish(ProbeHappened(label="second"))
    # then: the publishing transaction, then one delivery transaction claiming one row
    claims = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(claims) == 1
    assert [q["sql"] for q in queries].count("BEGIN") == 2
    assert probe_handler.seen == ["first", "second"]


def test_an_event_nobody_subscribes_to_is_written_published_with_no_delivery_transaction():
    # given: no sweep due
    delivery.sweeps.take()
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        publish(NobodyListens())
    # then
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.PUBLISHED, 0)
    assert row.published_at is not None
    assert [q["sql"] for q in queries].count("BEGIN") == 1


def test_a_handler_that_keeps_failing_is_parked(probe_handler, settings):
    settings.SEAMS_OUTBOX_MAX_ATTEMPTS = 3
    with transaction.atomic():
        publish(ProbeHappened(label="boom-forever"))
    for _ in range(5):
        OutboxEvent.objects.update(next_attempt_at=None)
        deliver_rows()
    row = OutboxEvent.objects.get()
    assert row.status == OutboxStatus.PARKED
    assert row.attempts == 3
    assert probe_handler.seen == ["boom-forever"] * 3


def test_publish_outside_a_transaction_is_refused(probe_handler):
    with pytest.raises(RuntimeError, match=r"must run inside transaction.atomic"):
        publish(ProbeHappened(label="loose"))
    assert OutboxEvent.objects.count() == 0


def test_events_of_one_transaction_are_delivered_together_in_publication_order(probe_handler):
    with transaction.atomic():
        publish(ProbeHappened(label="warm-up"))  # the process's first sweep
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for label in ("first", "second", "third"):
            publish(ProbeHappened(label=label))
    assert probe_handler.seen == ["warm-up", "first", "second", "third"]
    # one claim of the three rows, in one delivery transaction
    assert len([q for q in queries if "FOR UPDATE" in q["sql"]]) == 1
    assert [q["sql"] for q in queries].count("BEGIN") == 2


def test_a_row_published_in_a_rolled_back_savepoint_is_not_delivered(probe_handler):
    with transaction.atomic():
        publish(ProbeHappened(label="kept"))
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            publish(ProbeHappened(label="undone"))
            _ = 1 / 0
        publish(ProbeHappened(label="also kept"))
    assert probe_handler.seen == ["kept", "also kept"]
    assert OutboxEvent.objects.count() == 2


def test_one_row_with_one_handler_runs_without_a_savepoint_and_counts_a_failure_once(
    probe_handler,
):
    from prometheus_client import REGISTRY

    labels = {"service": "users", "event": ProbeHappened.name, "outcome": "failed"}

    def failed() -> float:
        return REGISTRY.get_sample_value("seams_consumer_deliveries_total", labels) or 0.0

    before = failed()
    # when: a delivery that succeeds, then one that fails
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        publish(ProbeHappened(label="fine"))
    with transaction.atomic():
        publish(ProbeHappened(label="boom-once"))
    # then: no savepoint around the handler; the failure is recorded once, counted once
    delivered = [q["sql"] for q in queries.captured_queries]
    assert any("extraction_inboxentry" in sql for sql in delivered)
    assert not [sql for sql in delivered if "SAVEPOINT" in sql]
    assert probe_handler.seen == ["fine", "boom-once"]
    assert failed() - before == 1
    statuses = dict(OutboxEvent.objects.values_list("payload__label", "status"))
    assert statuses == {"fine": OutboxStatus.PUBLISHED, "boom-once": OutboxStatus.FAILED}
    failed_row = OutboxEvent.objects.get(payload__label="boom-once")
    assert (failed_row.attempts, failed_row.published_at) == (1, None)
    assert Group.objects.count() == 1 and InboxEntry.objects.count() == 1


def test_a_row_that_cannot_be_decoded_is_parked_without_running_its_handler(
    probe_handler, monkeypatch
):
    def undecodable(row):
        raise ValueError("payload does not match the event's schema")

    monkeypatch.setattr(delivery, "decode", undecodable)
    # when
    with transaction.atomic():
        publish(ProbeHappened(label="garbled"))
    # then
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts, row.published_at) == (OutboxStatus.PARKED, 1, None)
    assert "ValueError: payload does not match" in row.last_error
    assert probe_handler.seen == [] and InboxEntry.objects.count() == 0


def test_a_failing_handler_does_not_undo_another_handler_of_the_same_event(probe_handler):
    # given: a second local handler of the probe event, which works
    ran: list[str] = []

    @subscribe(ProbeHappened, service="users")
    def also_record(event: ProbeHappened) -> None:
        ran.append(event.label)
        Group.objects.create(name=f"other-{uuid.uuid4()}")

    key = f"{also_record.__module__}.{also_record.__qualname__}"
    try:
        # when: the first handler fails
        with transaction.atomic():
            publish(ProbeHappened(label="boom-shared"))
    finally:
        unsubscribe(key)
    # then: each ran in its own savepoint; the one that worked kept its effect and inbox row
    assert probe_handler.seen == ["boom-shared"] and ran == ["boom-shared"]
    (survivor,) = Group.objects.values_list("name", flat=True)
    assert survivor.startswith("other-")
    assert list(InboxEntry.objects.values_list("handler", flat=True)) == [key]
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)


def test_a_row_another_process_holds_is_skipped_not_waited_for(probe_handler, monkeypatch):
    import threading

    # given: a pending row (its commit's delivery held back), locked by another
    # connection, as a sweep in another process would hold it
    with monkeypatch.context() as patched:
        patched.setattr(delivery, "after_commit", lambda *args, **kwargs: None)
        with transaction.atomic():
            publish(ProbeHappened(label="held"))
    row_id = OutboxEvent.objects.get().id
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        from django.db import connection as other

        try:
            with transaction.atomic():
                list(OutboxEvent.objects.select_for_update().filter(id=row_id))
                locked.set()
                release.wait(timeout=10)
        finally:
            other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=10)
    # when: this process delivers the row after its commit
    started = time.monotonic()
    try:
        delivery.deliver_after_commit([row_id], alone=True)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=10)
    # then: it went on at once and left the row to its holder (still due, run by nobody)
    assert elapsed < 5
    assert probe_handler.seen == []
    assert OutboxEvent.objects.get().status == OutboxStatus.PENDING
    # and once released, the next delivery runs it once
    assert deliver_rows() == 1
    assert probe_handler.seen == ["held"]
