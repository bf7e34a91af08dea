"""The PostgreSQL health check: no round trip while the connection is healthy,
a reconnect (and no failed request) once the server has dropped it."""

from __future__ import annotations

import time

import psycopg2
import psycopg2.extensions
import pytest
from django.db import close_old_connections, connections

from apps.orders.models import Product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

connection = connections["default"]
statements: list[str] = []


class CountingCursor(psycopg2.extensions.cursor):
    """Counts what reaches the server, the health check's own SELECT 1 included
    (Django's query log does not see it)."""

    def execute(self, query, vars=None):
        statements.append(str(query))
        return super().execute(query, vars)


@pytest.fixture
def health_checked(settings):
    # As in production: a persistent connection, checked once per request.
    connection.close()
    old = connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    options = connection.settings_dict.setdefault("OPTIONS", {})
    options["cursor_factory"] = CountingCursor
    yield
    connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"] = old
    del options["cursor_factory"]
    connection.close()


def a_request() -> int:
    """What a request does around its queries: returns how many statements reached
    the server."""
    close_old_connections()
    statements.clear()
    Product.objects.count()
    close_old_connections()
    return len(statements)


def test_the_backend_is_the_projects():
    assert type(connection).__module__ == "project.postgresql.base"


def test_a_healthy_connection_is_reused_without_a_ping(health_checked):
    # given: a request left its connection open
    a_request()
    pid = connection.connection.info.backend_pid
    # when / then: the next request reuses it and sends its query alone, no SELECT 1
    assert connection.is_usable()
    assert a_request() == 1
    assert connection.connection.info.backend_pid == pid


def test_a_connection_the_server_dropped_is_replaced_before_the_request_uses_it(health_checked):
    # given: a request left its connection open, then the server dropped it
    a_request()
    pid = connection.connection.info.backend_pid
    dsn = connection.get_connection_params()
    admin = psycopg2.connect(
        **{k: v for k, v in dsn.items() if k in {"host", "port", "user", "password", "dbname"}}
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        # The server closes the socket asynchronously: wait until the backend is gone.
        for _ in range(200):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            alive = cursor.fetchone()[0]
            if not alive:
                break
            time.sleep(0.05)
        assert not alive, f"the backend {pid} was still there after 10 s"
    admin.close()
    # when / then: the check sees it, and the next request gets a new connection and
    # runs its query instead of failing
    assert not connection.is_usable()
    a_request()
    assert statements[-1].startswith("SELECT COUNT(*)")
    assert connection.connection.info.backend_pid != pid
