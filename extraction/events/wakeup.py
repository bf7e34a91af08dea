"""Wake the relay right after a commit instead of making it poll in a hot loop.

On PostgreSQL the publishing transaction sends ``NOTIFY seams_outbox`` (once per
transaction): PostgreSQL delivers it only if and when the transaction commits,
to every relay that ``LISTEN``s on the same database. Elsewhere, a relay running
in the same process is nudged from ``on_commit``. Either way the relay also polls
every ``SEAMS_RELAY_POLL_SECONDS``, so a lost wake-up only costs latency.
"""

from __future__ import annotations

import logging
import select
import threading
import weakref
from typing import Any

from django.db import connection, transaction

CHANNEL = "seams_outbox"

logger = logging.getLogger(__name__)

_local_wakeups: weakref.WeakSet[Wakeup] = weakref.WeakSet()


def _notified() -> None:
    """Marker callback: this transaction has sent its NOTIFY already."""


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def notify_relays() -> None:
    """Called by ``publish`` inside the publishing transaction (broker mode)."""
    if on_postgres():
        # Django keeps the on_commit callbacks of the open transaction (and drops
        # those of a rolled-back savepoint, like PostgreSQL drops its NOTIFY):
        # the marker makes it one NOTIFY per transaction however many events.
        if any(entry[1] is _notified for entry in connection.run_on_commit):
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
        transaction.on_commit(_notified)
    elif _local_wakeups:
        transaction.on_commit(wake_local_relays)


def wake_local_relays() -> None:
    for wakeup in list(_local_wakeups):
        wakeup.nudge()


class Wakeup:
    """What a relay waits on between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._listener: Any = None
        _local_wakeups.add(self)

    def nudge(self) -> None:
        self._event.set()

    def listen(self) -> None:
        """Open a dedicated autocommit connection that LISTENs (PostgreSQL only).

        Never raises: with the database away the relay polls, and the next
        ``wait`` tries to listen again.
        """
        self.close()
        if not on_postgres():
            return
        try:
            raw = connection.get_new_connection(connection.get_connection_params())
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute(f'LISTEN "{CHANNEL}"')
        except Exception:  # psycopg2's own errors, not Django's: the database is away
            logger.warning("cannot LISTEN for wake-ups; polling meanwhile", exc_info=True)
            return
        self._listener = raw

    def wait(self, timeout: float) -> None:
        """Block until a wake-up or ``timeout``; a broken LISTEN degrades to polling."""
        if self._event.is_set():
            self._event.clear()
            return
        if self._listener is None:
            self.listen()
        if self._listener is None:
            self._event.wait(timeout)
            self._event.clear()
            return
        try:
            readable, _, _ = select.select([self._listener], [], [], timeout)
            if readable:
                self._listener.poll()
                self._listener.notifies.clear()
        except Exception:  # the LISTEN connection broke: reopen it on the next wait
            logger.warning("lost the LISTEN connection; polling until it is back", exc_info=True)
            self.close()

    def close(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            finally:
                self._listener = None
