"""Broker mode, consuming side: run one service's handlers for one message.

The Celery task ``seams.events.consume`` (extraction.tasks) calls ``handle``.
Each handler runs in its own transaction together with its inbox row
(``apply_once``), so a redelivered message is a no-op for every handler that
already applied it. A handler that raises is recorded in ``DeliveryFailure``
(attempts, last error, next attempt) in a transaction of its own, after its
effects rolled back; the task then sends the message again, to that service's
queue only, after an exponential backoff with jitter. After
``SEAMS_OUTBOX_MAX_ATTEMPTS`` attempts the delivery is parked: nothing retries it
until someone resubmits it (admin, ``manage.py outbox resubmit --deliveries``).
The other messages keep flowing meanwhile.

A message that is no envelope at all (not an object, a missing or malformed
``event_id``, ``name``, ``version`` or ``payload``; or not even a task message,
see ``record_rejected_message``) is parked at once as a failure of the
``(envelope)`` handler, so it shows in the admin and ``outbox status`` instead of
being acknowledged silently.
"""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contracts import codec
from contracts.events import Event, Subscription, subscriptions
from extraction.events.delivery import apply_once, retry_delay
from extraction.events.routing import QUEUE_HEADER, service_of_queue
from extraction.models import DeliveryFailure, DeliveryStatus

logger = logging.getLogger(__name__)

DECODE_HANDLER = "(decode)"  # the "handler" of a message that cannot even be decoded
ENVELOPE_HANDLER = "(envelope)"  # the "handler" of a message that is no envelope at all
INVALID_EVENT_NAME = "(invalid envelope)"
ENVELOPE_FIELDS = {"event_id": str, "name": str, "version": int, "payload": dict}


@dataclass(frozen=True)
class Retry:
    service: str
    delay_seconds: float


def copy_service(request: Any) -> str | None:
    """The service whose queue this copy of the message came from (None if unknown)."""
    queue = getattr(request, QUEUE_HEADER, None)
    if not queue:
        # Retries and resubmissions go to a queue by name, through the default exchange.
        queue = (getattr(request, "delivery_info", None) or {}).get("routing_key")
    service = service_of_queue(queue) if queue else None
    return service if service in settings.SEAMS_SERVICES else None


def envelope_problem(envelope: Any) -> str | None:
    """Why ``envelope`` is not an event envelope, or None when it is one."""
    if not isinstance(envelope, dict):
        return f"the message is not an event envelope (a JSON object): {type(envelope).__name__}"
    for field, kind in ENVELOPE_FIELDS.items():
        value = envelope.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"the envelope's {field!r} is missing or not a {kind.__name__}"
    try:
        UUID(envelope["event_id"])
    except ValueError:
        return "the envelope's 'event_id' is not a UUID"
    return None


def _as_json(body: Any) -> Any:
    """``body`` as stored JSON: itself when it is JSON already, else its text."""
    if isinstance(body, bytes | bytearray | memoryview):
        text = bytes(body).decode("utf-8", errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            return {"raw": text[:4000]}
    try:
        json.dumps(body)
    except (TypeError, ValueError):
        return {"raw": repr(body)[:4000]}
    return body


def record_invalid_message(body: Any, *, service: str | None, reason: str) -> DeliveryFailure:
    """Park a message that carries no valid envelope, once per distinct message.

    Its id is the envelope's own ``event_id`` when that is a UUID, else one derived
    from the content, so a redelivered copy counts as another attempt of one row.
    """
    stored = _as_json(body)
    claimed = stored.get("event_id") if isinstance(stored, dict) else None
    try:
        event_id = UUID(str(claimed))
    except ValueError:
        event_id = uuid5(NAMESPACE_URL, json.dumps(stored, sort_keys=True, default=str))
    logger.error("invalid message on the %s queue parked: %s", service or "?", reason)
    return record_failure(
        event_id=event_id,
        envelope=stored,
        handler=ENVELOPE_HANDLER,
        service=service or "",
        error=reason,
        park=True,
    )


def handle(envelope: Any, *, service: str | None, redelivered: bool) -> list[Retry]:
    """Apply ``envelope`` with ``service``'s handlers (all local ones if None).

    Returns the retries to schedule, one per service that has a failing handler.
    """
    problem = envelope_problem(envelope)
    if problem is not None:
        record_invalid_message(envelope, service=service, reason=problem)
        return []
    event_id = UUID(envelope["event_id"])
    try:
        event_type = Event.lookup(envelope["name"], int(envelope["version"]))
        event = codec.from_jsonable(event_type, envelope["payload"])
    except Exception:  # noqa: BLE001 - an undecodable message is parked, not retried
        record_failure(
            event_id=event_id,
            envelope=envelope,
            handler=DECODE_HANDLER,
            service=service or "",
            error=traceback.format_exc(),
            park=True,
        )
        return []
    local = set(settings.SEAMS_SERVICES)
    chosen = [
        s
        for s in subscriptions(event_type)
        if (s.service == service if service else s.service in local)
    ]
    if not chosen:
        logger.info("no local handler for %s (service %s): acknowledged", event.name, service)
    retries: dict[str, float] = {}
    for subscription in chosen:
        failure = _run(subscription, event, envelope, redelivered=redelivered)
        if failure is not None and failure.status == DeliveryStatus.RETRYING:
            assert failure.next_attempt_at is not None
            delay = max(0.0, (failure.next_attempt_at - timezone.now()).total_seconds())
            retries[subscription.service] = min(delay, retries.get(subscription.service, delay))
    return [Retry(s, d) for s, d in retries.items()]


def _run(
    subscription: Subscription, event: Event, envelope: dict[str, Any], *, redelivered: bool
) -> DeliveryFailure | None:
    try:
        applied = apply_once(subscription, event)
    except Exception:  # any handler error is recorded and retried
        logger.exception("handler %s failed on %s", subscription.key, event.event_id)
        return record_failure(
            event_id=event.event_id,
            envelope=envelope,
            handler=subscription.key,
            service=subscription.service,
            error=traceback.format_exc(),
        )
    outcome = "applied" if applied else "duplicate"
    logger.info("%s %s %s with %s", outcome, event.name, event.event_id, subscription.key)
    if redelivered:
        # Only a retried or resubmitted message can have a failure to close. Close
        # it whether this copy ran the handler or found it applied already: a
        # concurrent copy may have succeeded after another recorded a failure.
        DeliveryFailure.objects.filter(event_id=event.event_id, handler=subscription.key).exclude(
            status=DeliveryStatus.RESOLVED
        ).update(status=DeliveryStatus.RESOLVED, resolved_at=timezone.now(), next_attempt_at=None)
    return None


@transaction.atomic
def record_failure(
    *,
    event_id: UUID,
    envelope: Any,
    handler: str,
    service: str,
    error: str,
    park: bool = False,
) -> DeliveryFailure:
    now = timezone.now()
    failure, _ = DeliveryFailure.objects.select_for_update().get_or_create(
        event_id=event_id,
        handler=handler,
        defaults={
            "event_name": (
                str(envelope.get("name") or INVALID_EVENT_NAME)
                if isinstance(envelope, dict)
                else INVALID_EVENT_NAME
            )[:200],
            "service": service,
            "envelope": envelope,
            "first_failed_at": now,
        },
    )
    failure.attempts += 1
    failure.last_error = error[-4000:]
    failure.last_failed_at = now
    failure.resolved_at = None
    if park or failure.attempts >= settings.SEAMS_OUTBOX_MAX_ATTEMPTS:
        failure.status = DeliveryStatus.PARKED
        failure.next_attempt_at = None
        logger.error(
            "delivery of %s to %s parked after %d attempt(s)", event_id, handler, failure.attempts
        )
    else:
        failure.status = DeliveryStatus.RETRYING
        failure.next_attempt_at = now + retry_delay(failure.attempts)
    failure.save()
    return failure
