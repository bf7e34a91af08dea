"""A provider process for the contract suites: gunicorn (gthread) on loopback, own database.

The process runs the monolith's settings (every app local) against a database of
its own, created and migrated once per test session and worker. A test in HTTP
mode binds the contracts of the test process to remote adapters pointed at it,
and points the test process's ``default`` connection at the same database for
the duration of the test, so that its factories arrange the data the provider
reads; the tables are emptied afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
from django.core.management.color import no_style
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

ROOT = Path(__file__).resolve().parents[2]
KEY = "contract-suite-rpc-key"


def listening_socket() -> socket.socket:
    """A loopback socket bound to a port the system picked, already listening.

    Handed to gunicorn as ``fd://``: the port is the provider's from the start, so
    no other process (another test worker, another checkout's suite) can take it
    between choosing it and binding it, and no test ever talks to a stranger.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def refused_address() -> tuple[socket.socket, str]:
    """A bound port that does not listen: connections to it are refused at once.

    Keep the socket open while the URL is in use, so no one else takes the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def _admin(settings_dict: dict[str, Any]) -> Any:
    connection = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict.get("PASSWORD") or None,
    )
    connection.autocommit = True
    return connection


class LiveProvider:
    def __init__(self, settings_dict: dict[str, Any], *, logs: Path) -> None:
        self.settings_dict = {**settings_dict, "NAME": f"{settings_dict['NAME']}_live"}
        self.socket = listening_socket()
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"provider-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.wrapper: BaseDatabaseWrapper | None = None

    @property
    def database_url(self) -> str:
        s = self.settings_dict
        return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=self.database_url,
            CONN_MAX_AGE="60",
            SEAMS_RPC_KEYS=KEY,
            SEAMS_SERVICES="users,orders,payments",
            SEAMS_SERVICE_URLS="",
            LOG_LEVEL="WARNING",
        )
        return env

    def start(self) -> None:
        admin = _admin(self.settings_dict)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{self.settings_dict["NAME"]}"')
        admin.close()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
            timeout=240,
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "project.wsgi",
                "-b",
                f"fd://{self.socket.fileno()}",
                "-k",
                "gthread",
                "--threads",
                "4",
                "-w",
                "1",
                "--no-control-socket",
                "--graceful-timeout",
                "2",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(self.socket.fileno(),),
        )
        # The socket listens already: wait until the provider answers on it.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the provider exited:\n{self.log.read_text()[-3000:]}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the provider did not answer in time:\n{self.log.read_text()[-3000:]}")

    @contextlib.contextmanager
    def as_default_database(self) -> Iterator[None]:
        """Point this thread's ``default`` connection at the provider's database."""
        if self.wrapper is None:
            self.wrapper = connections.create_connection("default")
            self.wrapper.settings_dict = {**self.wrapper.settings_dict, **self.settings_dict}
        original = connections["default"]
        connections["default"] = self.wrapper
        try:
            yield
        finally:
            self.empty_tables()
            connections["default"] = original

    def empty_tables(self) -> None:
        assert self.wrapper is not None
        # Content types and permissions stay, as ``flush`` would recreate them.
        kept = {"django_content_type", "auth_permission"}
        tables = [
            t
            for t in self.wrapper.introspection.django_table_names(only_existing=True)
            if t not in kept
        ]
        statements = self.wrapper.ops.sql_flush(no_style(), tables, allow_cascade=True)
        with self.wrapper.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def stop(self) -> None:
        self.socket.close()
        if self.wrapper is not None:
            self.wrapper.close()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        admin = _admin(self.settings_dict)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.settings_dict["NAME"]}" WITH (FORCE)')
        admin.close()
