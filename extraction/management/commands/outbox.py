"""``manage.py outbox status|relay|resubmit|purge``: operate the event outbox.

- ``status``: counts by status and event name, the age of the oldest pending row,
  the consumers' failed deliveries and, with a broker, each service queue's
  waiting messages and consumers (``--json`` for machines).
- ``relay``: the relay loop in the foreground, for deployments that run it as a
  process of its own (SIGTERM or Ctrl-C stop it after the current batch).
- ``resubmit``: failed or parked rows (or, with ``--deliveries``, parked consumer
  deliveries) by id, event name or age.
- ``purge``: delete completed rows past a retention period.
"""

from __future__ import annotations

import json
import re
import signal
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.events.delivery import deliver_rows
from extraction.events.relay import Relay
from extraction.models import DeliveryStatus, OutboxStatus
from extraction.observability import broker as queues_of_broker
from extraction.observability.metrics import serve_process_metrics
from extraction.selectors import outbox_stats
from extraction.services import (
    RESUBMITTABLE,
    delivery_resubmit,
    inbox_purge,
    outbox_purge,
    outbox_resubmit,
)

_AGE = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def age(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``7d``."""
    match = _AGE.match(text.strip())
    if not match:
        raise CommandError(f"invalid age {text!r}: use a number and s, m, h or d (e.g. 15m)")
    return timedelta(**{_UNITS[match[2]]: float(match[1])})


class Command(BaseCommand):
    help = "Operate the event outbox: status, relay, resubmit, purge."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        status = sub.add_parser("status", help="counts by status and event name, lag")
        status.add_argument("--json", action="store_true", help="print JSON")

        relay = sub.add_parser("relay", help="run the relay loop in the foreground")
        relay.add_argument("--once", action="store_true", help="relay what is due, then exit")
        relay.add_argument("--batch-size", type=int, default=None)
        relay.add_argument("--poll-seconds", type=float, default=None)

        resubmit = sub.add_parser("resubmit", help="retry failed or parked events")
        resubmit.add_argument("--id", type=int, action="append", default=[], dest="ids")
        resubmit.add_argument("--name", action="append", default=[], dest="names")
        resubmit.add_argument("--older-than", type=age, default=None)
        resubmit.add_argument(
            "--status",
            action="append",
            default=[],
            dest="statuses",
            help="statuses to resubmit (default: failed and parked; 'published' replays)",
        )
        resubmit.add_argument("--all", action="store_true", help="no filter: every match")
        resubmit.add_argument(
            "--deliveries",
            action="store_true",
            help="resubmit parked consumer deliveries (broker mode) instead of outbox rows",
        )

        purge = sub.add_parser("purge", help="delete completed rows past retention")
        purge.add_argument(
            "--older-than",
            type=age,
            default=None,
            help="default: SEAMS_OUTBOX_RETENTION_DAYS",
        )
        purge.add_argument(
            "--status", action="append", default=[], dest="statuses", help="default: published"
        )
        purge.add_argument(
            "--inbox-older-than",
            type=age,
            default=None,
            help="also forget inbox entries this old (a redelivery after that runs again)",
        )
        purge.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_status(self, options: dict[str, Any]) -> None:
        stats = outbox_stats()
        queues = self._queues()
        if options["json"]:
            data = stats.as_dict()
            if queues is not None:
                data["queues"] = queues
            self.stdout.write(json.dumps(data, indent=2, sort_keys=True))
            return
        self.stdout.write(f"delivery: {settings.SEAMS_EVENT_DELIVERY}")
        self.stdout.write(
            "outbox: " + ", ".join(f"{status} {n}" for status, n in stats.by_status.items())
        )
        lag = stats.oldest_due_age_seconds
        self.stdout.write(
            "oldest pending: none" if lag is None else f"oldest pending: {lag:.1f}s old"
        )
        for name, statuses in sorted(stats.by_name.items()):
            counts = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()))
            self.stdout.write(f"  {name}: {counts}")
        if stats.deliveries_by_status:
            counts = ", ".join(f"{s} {n}" for s, n in sorted(stats.deliveries_by_status.items()))
            self.stdout.write(f"consumer delivery failures: {counts}")
            for handler, statuses in sorted(stats.deliveries_by_handler.items()):
                counts = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()))
                self.stdout.write(f"  {handler}: {counts}")
        if queues is not None:
            self.stdout.write("queues (the broker's counts):")
            for q in queues.values():
                if "error" in q:
                    self.stdout.write(f"  {q['error']}")
                    continue
                warning = "  <- nothing consumes it" if not q["consumers"] else ""
                self.stdout.write(
                    f"  {q['queue']}: {q['messages']} waiting, {q['consumers']} consumer(s)"
                    + warning
                )

    def _queues(self) -> dict[str, dict[str, Any]] | None:
        """Each consuming service's queue as the broker sees it (None without a broker)."""
        if not settings.CELERY_BROKER_URL:
            return None
        try:
            stats = queues_of_broker.queue_stats(settings.CELERY_BROKER_URL)
        except queues_of_broker.BrokerUnreachable as exc:
            return {"broker": {"error": f"broker unreachable: {exc}"}}
        return {q.service: q.as_dict() for q in stats}

    def do_relay(self, options: dict[str, Any]) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        poll = options["poll_seconds"]
        if settings.SEAMS_METRICS_PORT:
            serve_process_metrics(settings.SEAMS_METRICS_PORT)
        if settings.SEAMS_EVENT_DELIVERY == "inprocess":
            # No broker: the rows are delivered in process after each commit; this
            # loop only retries the failed ones as they come due.
            self.stdout.write("relay: in-process delivery (no broker); retrying failed rows")
            while not stop.is_set():
                delivered = deliver_rows()
                if options["once"]:
                    break
                if not delivered:
                    stop.wait(settings.SEAMS_RELAY_POLL_SECONDS if poll is None else poll)
            return
        relay = Relay(batch_size=options["batch_size"], poll_seconds=poll)
        broker = settings.CELERY_BROKER_URL.rsplit("@", 1)[-1]
        self.stdout.write(f"relay: publishing to {broker} (batch {relay.batch_size})")
        if options["once"]:
            try:
                self.stdout.write(f"relayed {relay.drain()} event(s)")
            finally:
                relay.close()
            return
        relay.run(stop)
        self.stdout.write(f"relay stopped after {relay.relayed} event(s)")

    def do_resubmit(self, options: dict[str, Any]) -> None:
        filters = {
            "ids": options["ids"],
            "names": options["names"],
            "older_than": options["older_than"],
        }
        if not any(filters.values()) and not options["all"]:
            raise CommandError("say which events: --id, --name, --older-than, or --all")
        if options["deliveries"]:
            statuses = options["statuses"] or [DeliveryStatus.PARKED]
            self._check(statuses, DeliveryStatus.values)
            count = delivery_resubmit(**filters, statuses=statuses)
            self.stdout.write(f"resubmitted {count} consumer delivery(ies)")
            return
        statuses = options["statuses"] or list(RESUBMITTABLE)
        self._check(statuses, OutboxStatus.values)
        count = outbox_resubmit(**filters, statuses=statuses)
        self.stdout.write(f"resubmitted {count} event(s)")

    def do_purge(self, options: dict[str, Any]) -> None:
        older_than = options["older_than"] or timedelta(days=settings.SEAMS_OUTBOX_RETENTION_DAYS)
        statuses = options["statuses"] or [OutboxStatus.PUBLISHED]
        self._check(statuses, OutboxStatus.values)
        verb = "would delete" if options["dry_run"] else "deleted"
        count = outbox_purge(older_than=older_than, statuses=statuses, dry_run=options["dry_run"])
        self.stdout.write(f"{verb} {count} outbox row(s) ({', '.join(statuses)})")
        if options["inbox_older_than"] is not None:
            inbox = inbox_purge(older_than=options["inbox_older_than"], dry_run=options["dry_run"])
            self.stdout.write(f"{verb} {inbox} inbox entry(ies)")

    @staticmethod
    def _check(statuses: list[str], allowed: list[str]) -> None:
        unknown = sorted(set(statuses) - set(allowed))
        if unknown:
            raise CommandError(
                f"unknown status {', '.join(unknown)}: choose from {', '.join(allowed)}"
            )
