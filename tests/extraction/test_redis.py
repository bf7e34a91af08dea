"""Redis works as the broker too: relay in this process, a real worker consuming."""

from __future__ import annotations

import pytest
from django.db import transaction

from contracts import publish
from extraction.events.relay import Relay
from extraction.models import OutboxEvent, OutboxStatus
from tests.extraction.conftest import wait_until
from tests.extraction.probe_handlers import Probed
from tests.extraction.test_faults import effects_by_label
from tests.services_plugin import SERVICES

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]


def test_events_relayed_and_consumed_through_redis(settings, processes):
    # given: broker mode on Redis and a worker consuming the orders and payments queues
    settings.CELERY_BROKER_URL = SERVICES.redis
    settings.SEAMS_EVENT_DELIVERY = "broker"
    relay = Relay()
    relay.relay_once()  # declares the queues and their bindings before publishing
    processes.worker(SERVICES.redis)
    with transaction.atomic():
        for i in range(10):
            publish(Probed(label=f"r{i}"))
    # when
    assert relay.drain() == 10
    relay.close()
    # then: each service's handler applied every event once
    assert OutboxEvent.objects.filter(status=OutboxStatus.PUBLISHED).count() == 10
    wait_until(lambda: len(effects_by_label("audit")) == 10, timeout=40, what="payments copies")
    wait_until(lambda: len(effects_by_label("probe")) == 10, timeout=20, what="orders copies")
    assert set(effects_by_label("probe").values()) == set(effects_by_label("audit").values()) == {1}
