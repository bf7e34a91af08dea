"""A deployment's processes, started from its process file and watched (tests, benchmarks).

``make split`` hands the process file to honcho; the end-to-end tests and
``bench/split.py`` need to stop and start single processes, so they run the
same entries through this class instead: same plan, same databases, same
commands, same environment (``extraction.launch.local``).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import urllib3
from kombu import Connection

from extraction.launch.local import (
    ALL_SERVICES,
    ROOT,
    Deployment,
    Node,
    drop_database,
    local_secrets,
    plan,
    prepare,
)
from extraction.launch.procfile import Entry, read_procfile, start_entry, stop

# Entries the tests and benchmarks leave out: beat keeps its schedule in one file
# per machine, and nothing they check waits on it.
NOT_STARTED = frozenset({"beat"})


class Stack:
    def __init__(
        self, deployment: Deployment, *, logs: Path, base_env: Mapping[str, str] | None = None
    ) -> None:
        self.deployment = deployment
        self.logs = logs
        self.env = deployment.environment(base_env)
        self.entries: dict[str, Entry] = read_procfile(deployment.procfile)
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        logs.mkdir(parents=True, exist_ok=True)

    def web_entry(self, node: Node) -> str:
        return "web" if "web" in self.entries else node.role.lower()

    def start(self, names: Iterable[str] | None = None) -> None:
        chosen = [n for n in self.entries if n not in NOT_STARTED] if names is None else names
        for name in chosen:
            if name in self.running and self.running[name].poll() is None:
                continue
            log = self.logs / f"{name}.log"
            self.running[name] = start_entry(self.entries[name], env=self.env, cwd=ROOT, log=log)

    def stop(self, name: str, *, sig: int = signal.SIGTERM) -> None:
        process = self.running.pop(name, None)
        if process is not None:
            stop(process, sig=sig)

    def wait_healthy(self, *, timeout: float = 90, nodes: Iterable[Node] | None = None) -> None:
        """Until the web process of every node (default: all) answers /healthz, or dies."""
        http = urllib3.PoolManager()
        deadline = time.monotonic() + timeout
        for node in self.deployment.nodes if nodes is None else nodes:
            name = self.web_entry(node)
            while True:
                process = self.running.get(name)
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{self.log(name)[-3000:]}")
                try:
                    answer = http.request("GET", f"{node.url}/healthz", timeout=2, retries=False)
                    if answer.status == 200:
                        break
                except urllib3.exceptions.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not healthy after {timeout}s:\n{self.log(name)}")
                time.sleep(0.2)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs_text(self, tail: int = 4000) -> str:
        return "\n".join(
            f"----- {name} -----\n{self.log(name)[-tail:]}" for name in sorted(self.entries)
        )

    def close(self) -> None:
        for name in list(self.running):
            self.stop(name)


def drop_databases(deployment: Deployment) -> None:
    for node in deployment.nodes:
        drop_database(node.database_url)


def delete_broker_namespace(deployment: Deployment, services: Iterable[str]) -> None:
    """Delete the exchanges and queues of the deployment's ``SEAMS_EVENTS_PREFIX``."""
    prefix = deployment.shared["SEAMS_EVENTS_PREFIX"]
    with Connection(deployment.shared["CELERY_BROKER_URL"], connect_timeout=5) as conn:
        channel = conn.channel()
        for service in services:
            for queue in (f"{prefix}.{service}", f"{prefix}.{service}.tasks"):
                channel.queue_delete(queue)
        for exchange in (f"{prefix}.events", f"{prefix}.tasks", f"{prefix}.control.pidbox"):
            channel.exchange_delete(exchange)


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> tuple[int, ...]:
    """``count`` distinct free loopback ports: held open together while they are
    picked, since a port just released can be handed out again at once."""
    with contextlib.ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return tuple(int(sock.getsockname()[1]) for sock in sockets)


def loopback_stack(
    *,
    extract: str | None,
    database_url: str,
    broker_url: str,
    cache_url: str,
    logs: Path,
    base_env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Stack:
    """A fresh deployment (new databases, migrated and seeded; a broker namespace of
    its own; free ports), ready to ``start()``; ``close_stack()`` removes it all."""
    prefix = f"e{uuid.uuid4().hex[:10]}"
    deployment = plan(
        extract=extract,
        database_url=database_url,
        broker_url=broker_url,
        prefix=prefix,
        ports=free_ports(2),
        shared={
            **local_secrets(cache_url=cache_url, cache_prefix=prefix),
            **(extra_env or {}),
        },
    )
    prepare(deployment, seed=True, fresh=True)
    return Stack(deployment, logs=logs, base_env=base_env)


def close_stack(stack: Stack) -> None:
    stack.close()
    drop_databases(stack.deployment)
    delete_broker_namespace(stack.deployment, ALL_SERVICES)
