"""Fixtures for the event tests: an isolated broker namespace and real processes.

Every test that touches a broker gets its own ``SEAMS_EVENTS_PREFIX``, so parallel
test workers never consume each other's messages; its exchanges and queues are
deleted afterwards. Relay and worker subprocesses are started from the entries of
``deploy/processes/Procfile`` (the documented commands, run as honcho runs them)
against the pytest test database, and killed (their whole process group) when
the test ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from kombu import Connection

from extraction.events.routing import exchange, local_queues, task_queue, tasks_exchange
from extraction.launch.procfile import read_procfile, start_entry
from tests.extraction import probe_handlers
from tests.services_plugin import SERVICES

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "deploy" / "processes" / "Procfile"


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def delete_topology(url: str) -> None:
    with Connection(url, connect_timeout=5) as conn:
        channel = conn.channel()
        services = ("users", "orders", "payments")
        for queue in [*local_queues(services), *(task_queue(s) for s in services)]:
            queue(channel).delete()
        exchange()(channel).delete()
        tasks_exchange()(channel).delete()


@pytest.fixture
def broker_prefix(settings) -> Iterator[str]:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings.SEAMS_EVENTS_PREFIX = prefix
    yield prefix
    for url in (SERVICES.rabbitmq, SERVICES.redis):
        if url:
            try:
                delete_topology(url)
            except Exception as exc:  # noqa: BLE001 - the broker may be gone: nothing to clean
                print(f"cleanup of {prefix} on {url.split('@')[-1]}: {exc}")


@pytest.fixture
def rabbitmq(settings, broker_prefix) -> str:
    """Broker mode on RabbitMQ for this test process (publish no longer delivers in process)."""
    assert SERVICES.rabbitmq
    settings.CELERY_BROKER_URL = SERVICES.rabbitmq
    settings.SEAMS_EVENT_DELIVERY = "broker"
    return SERVICES.rabbitmq


class Processes:
    """Start ``manage.py``/Celery subprocesses on the test database; kill them at the end."""

    def __init__(self, logs: Path, prefix: str) -> None:
        self.logs = logs
        self.prefix = prefix
        self.running: list[tuple[subprocess.Popen[bytes], Path]] = []

    def env(self, **extra: str) -> dict[str, str]:
        db = django_settings.DATABASES["default"]
        env = {
            **os.environ,
            # The Procfile names bare commands (python, celery): this interpreter's.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"),
            "CONN_MAX_AGE": "60",
            "SEAMS_EVENTS_PREFIX": self.prefix,
            "SEAMS_EXTRA_HANDLER_MODULES": probe_handlers.MODULE,
            "SEAMS_OUTBOX_MAX_ATTEMPTS": "3",
            "SEAMS_OUTBOX_RETRY_BASE_SECONDS": "0.2",
            "SEAMS_OUTBOX_RETRY_MAX_SECONDS": "1",
            "SEAMS_RELAY_POLL_SECONDS": "0.5",
            "SEAMS_RELAY_RECONNECT_MAX_SECONDS": "1",
            "LOG_LEVEL": "INFO",
        }
        env.update(extra)
        return env

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        """Start the Procfile entry ``name`` with the test environment plus ``env``."""
        entry = read_procfile(PROCFILE)[name]
        log = self.logs / f"{name}-{len(self.running)}.log"
        process = start_entry(entry, env=self.env(**env), cwd=ROOT, log=log)
        self.running.append((process, log))
        return process

    def relay(self, broker_url: str, batch_size: int = 50, **env: str) -> subprocess.Popen[bytes]:
        return self.start(
            "relay",
            CELERY_BROKER_URL=broker_url,
            SEAMS_RELAY_BATCH_SIZE=str(batch_size),
            **env,
        )

    def worker(
        self, broker_url: str, concurrency: int | None = None, **env: str
    ) -> subprocess.Popen[bytes]:
        if concurrency is not None:
            env["CELERY_WORKER_CONCURRENCY"] = str(concurrency)
        return self.start("worker", CELERY_BROKER_URL=broker_url, **env)

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        log = next(log for p, log in self.running if p is process)
        return log.read_text(errors="replace")

    def logs_text(self) -> str:
        return "\n".join(
            f"----- {log.name} -----\n{log.read_text(errors='replace')[-3000:]}"
            for _, log in self.running
        )

    def stop_all(self) -> None:
        for process, _ in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def processes(tmp_path, broker_prefix, request) -> Iterator[Processes]:
    procs = Processes(tmp_path, broker_prefix)
    yield procs
    procs.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(procs.logs_text())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
