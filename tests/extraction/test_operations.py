"""Operating the outbox: status and metrics, resubmission, purge, admin, beat tasks."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu import Connection
from prometheus_client import CollectorRegistry

from contracts import publish
from extraction.metrics import OutboxCollector
from extraction.models import DeliveryFailure, DeliveryStatus, InboxEntry, OutboxEvent
from extraction.models import OutboxStatus as Status
from extraction.selectors import outbox_stats
from extraction.tasks import purge
from tests.extraction.probe_handlers import OrdersProbed, Probed, effects
from tests.extraction.test_relay import drain_queue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def outbox(command: str, *args: str) -> str:
    out = StringIO()
    call_command("outbox", command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def broker_mode(settings):
    """Publishing only writes the outbox (no broker is called by these tests)."""
    settings.SEAMS_EVENT_DELIVERY = "broker"


def rows(*statuses: str, name: type = OrdersProbed, age: timedelta = timedelta(0)) -> list[int]:
    with transaction.atomic():
        for i, _ in enumerate(statuses):
            publish(name(label=f"s{i}"))
    ids = list(OutboxEvent.objects.order_by("-id").values_list("id", flat=True)[: len(statuses)])
    ids.reverse()
    for row_id, status in zip(ids, statuses, strict=True):
        OutboxEvent.objects.filter(id=row_id).update(
            status=status,
            attempts=3 if status != Status.PENDING else 0,
            created_at=timezone.now() - age,
            published_at=timezone.now() - age if status == Status.PUBLISHED else None,
        )
    return ids


def test_status_counts_by_status_and_name_with_the_lag(broker_mode):
    # given
    rows(Status.PENDING, Status.PUBLISHED, Status.PARKED, age=timedelta(minutes=5))
    rows(Status.PENDING, name=Probed)
    # when
    stats = outbox_stats()
    text = outbox("status")
    data = json.loads(outbox("status", "--json"))
    # then
    assert stats.by_status == {"pending": 2, "published": 1, "failed": 0, "parked": 1}
    assert stats.by_name["tests.OrdersProbed"] == {"pending": 1, "published": 1, "parked": 1}
    assert 299 < stats.oldest_due_age_seconds < 330
    assert "outbox: pending 2, published 1, failed 0, parked 1" in text
    assert "oldest pending: 3" in text
    assert data["outbox"]["by_name"]["tests.Probed"] == {"pending": 1}


def test_metrics_expose_counts_and_lag(broker_mode):
    rows(Status.PENDING, Status.PARKED, age=timedelta(seconds=60))
    registry = CollectorRegistry()
    registry.register(OutboxCollector())
    sample = registry.get_sample_value
    assert sample("seams_outbox_events", {"name": "tests.OrdersProbed", "status": "parked"}) == 1
    assert sample("seams_outbox_oldest_pending_age_seconds") >= 60


def test_resubmit_by_id_name_and_age(broker_mode):
    # given
    old_parked, failed, published = rows(
        Status.PARKED, Status.FAILED, Status.PUBLISHED, age=timedelta(hours=3)
    )
    (new_parked,) = rows(Status.PARKED, name=Probed)
    # when / then: by id
    assert "resubmitted 1 event(s)" in outbox("resubmit", "--id", str(failed))
    assert OutboxEvent.objects.get(id=failed).status == Status.PENDING
    assert OutboxEvent.objects.get(id=failed).attempts == 0
    # by age: only the old parked row (published rows are not resubmitted by default)
    assert "resubmitted 1 event(s)" in outbox("resubmit", "--older-than", "2h")
    assert OutboxEvent.objects.get(id=old_parked).status == Status.PENDING
    assert OutboxEvent.objects.get(id=published).status == Status.PUBLISHED
    # by name
    assert "resubmitted 1 event(s)" in outbox("resubmit", "--name", "tests.Probed")
    assert OutboxEvent.objects.get(id=new_parked).status == Status.PENDING
    # a replay of published rows is explicit
    outbox("resubmit", "--id", str(published), "--status", "published")
    assert OutboxEvent.objects.get(id=published).status == Status.PENDING


def test_resubmit_refuses_to_run_without_a_filter_or_with_an_unknown_status(broker_mode):
    with pytest.raises(CommandError, match="--id, --name, --older-than, or --all"):
        outbox("resubmit")
    with pytest.raises(CommandError, match="unknown status lost"):
        outbox("resubmit", "--all", "--status", "lost")


def test_in_process_resubmit_delivers_again_after_commit():
    # given: a parked row whose handler works now
    with transaction.atomic():
        publish(OrdersProbed(label="again"))
    OutboxEvent.objects.update(status=Status.PARKED, attempts=8)
    InboxEntry.objects.all().delete()
    # when
    outbox("resubmit", "--all")
    # then: the handler ran again (its inbox row was gone) and the row is out
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts) == (Status.PUBLISHED, 1)
    assert effects("orders", "again") == 2


def test_purge_deletes_completed_rows_past_retention(broker_mode):
    # given
    _old_published, old_parked = rows(Status.PUBLISHED, Status.PARKED, age=timedelta(days=10))
    (fresh,) = rows(Status.PUBLISHED, age=timedelta(days=1))
    # when
    dry = outbox("purge", "--older-than", "7d", "--dry-run")
    done = outbox("purge", "--older-than", "7d")
    # then
    assert "would delete 1 outbox row(s) (published)" in dry
    assert "deleted 1 outbox row(s) (published)" in done
    assert set(OutboxEvent.objects.values_list("id", flat=True)) == {old_parked, fresh}


def test_the_beat_purge_follows_the_retention_settings(broker_mode, settings):
    settings.SEAMS_OUTBOX_RETENTION_DAYS = 7
    settings.SEAMS_INBOX_RETENTION_DAYS = 30
    rows(Status.PUBLISHED, age=timedelta(days=8))
    (kept,) = rows(Status.PUBLISHED, age=timedelta(days=6))
    old = InboxEntry.objects.create(
        event_id=OutboxEvent.objects.get(id=kept).event_id, handler="h", event_name="e"
    )
    InboxEntry.objects.filter(id=old.id).update(processed_at=timezone.now() - timedelta(days=31))
    assert purge.apply().get() == {"outbox": 1, "deliveries": 0, "inbox": 1}
    assert list(OutboxEvent.objects.values_list("id", flat=True)) == [kept]
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"seams.outbox.purge", "seams.outbox.redrive"} <= schedule


def test_admin_lists_and_resubmits_outbox_rows(broker_mode, admin_client):
    (parked,) = rows(Status.PARKED)
    url = reverse("admin:extraction_outboxevent_changelist")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"action": "resubmit", "_selected_action": [parked]})
    assert response.status_code == 302
    assert OutboxEvent.objects.get(id=parked).status == Status.PENDING
    assert admin_client.get(reverse("admin:extraction_inboxentry_changelist")).status_code == 200


@pytest.mark.rabbitmq
def test_resubmitting_a_parked_delivery_sends_it_to_its_service_queue_only(rabbitmq, admin_client):
    # given: a parked delivery of the orders handler
    from tests.extraction.test_consumer import APPLY, envelope

    env = envelope(Probed(label="parked"))
    failure = DeliveryFailure.objects.create(
        event_id=env["event_id"],
        event_name=env["name"],
        handler=APPLY,
        service="orders",
        envelope=env,
        status=DeliveryStatus.PARKED,
        attempts=3,
    )
    with Connection(rabbitmq) as conn:
        from extraction.events.routing import declare_topology

        declare_topology(conn.channel())
    url = reverse("admin:extraction_deliveryfailure_changelist")
    assert admin_client.get(url).status_code == 200
    # when
    admin_client.post(url, {"action": "resubmit", "_selected_action": [failure.id]})
    # then
    failure.refresh_from_db()
    assert (failure.status, failure.attempts) == (DeliveryStatus.RETRYING, 0)
    orders = drain_queue(rabbitmq, "orders")
    assert [e["event_id"] for _, e in orders] == [env["event_id"]]
    assert orders[0][0]["id"] == env["event_id"]
    assert drain_queue(rabbitmq, "payments") == []


@pytest.mark.rabbitmq
def test_redrive_resends_a_consumer_retry_that_is_long_overdue(rabbitmq):
    # given: a retrying delivery whose retry message never came
    from extraction.events.routing import declare_topology
    from extraction.tasks import redrive
    from tests.extraction.test_consumer import APPLY, envelope

    env = envelope(Probed(label="lost-retry"))
    failure = DeliveryFailure.objects.create(
        event_id=env["event_id"],
        event_name=env["name"],
        handler=APPLY,
        service="orders",
        envelope=env,
        attempts=1,
        next_attempt_at=timezone.now() - timedelta(minutes=10),
    )
    with Connection(rabbitmq) as conn:
        declare_topology(conn.channel())
    # when
    assert redrive.apply().get() == 1
    # then: sent to the orders queue, and not again on the next run
    assert [e["event_id"] for _, e in drain_queue(rabbitmq, "orders")] == [env["event_id"]]
    failure.refresh_from_db()
    assert failure.next_attempt_at > timezone.now()
    assert redrive.apply().get() == 0
