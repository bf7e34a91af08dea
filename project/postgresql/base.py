"""Django's PostgreSQL backend with a health check that costs no round trip.

``CONN_HEALTH_CHECKS`` makes Django check a reused connection before the first
query of each request; the stock check sends ``SELECT 1``, a round trip and a
statement on the server for every request. A connection the server has closed,
or is closing (restart, ``pg_terminate_backend``, idle timeout), always has
something to read: the server's FATAL message, then end of file. An idle
connection in good health has nothing to read. So this check polls the socket
without waiting, and sends ``SELECT 1`` only when something is there to read;
the stock check then decides. What no check at the start of a request can see
(the network path dies later) fails the query, as it would with ``SELECT 1``.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            pending = poller.poll(0)
        except (OSError, ValueError):  # the socket is gone
            return False
        if pending:  # the server said something while the connection was idle
            return bool(super().is_usable())
        return True
