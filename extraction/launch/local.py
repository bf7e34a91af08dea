"""A whole Seams deployment on loopback: ``make broker`` and ``make split``.

``--extract none`` is the monolith in broker mode (``deploy/processes/Procfile``:
web, relay, worker, beat). ``--extract payments`` (or ``users``, ``orders``) is
the split system (``deploy/processes/Procfile.split``): the monolith without that
app — the one public base URL, forwarding the app's routes — and the app as its
own service, each with its own PostgreSQL database, relay and worker, all on one
RabbitMQ. Creating, migrating and seeding the databases is done here; honcho
runs the process file with the environment built here.

The end-to-end tests build the same plan with ``plan()``, prepare it with
``prepare()`` and start each process from the same process-file entry with
``environment()``: what ``make split`` runs is what the tests run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "deploy" / "processes"
ALL_SERVICES = ("users", "orders", "payments")


@dataclass(frozen=True)
class Node:
    """One service of the deployment: the apps it runs, its database and its port."""

    name: str
    role: str
    services: tuple[str, ...]
    database_url: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Deployment:
    procfile: Path
    nodes: tuple[Node, ...]
    shared: Mapping[str, str] = field(default_factory=dict)

    @property
    def public_url(self) -> str:
        return self.nodes[0].url

    def service_urls(self, node: Node) -> str:
        """``SEAMS_SERVICE_URLS`` of ``node``: where each app it does not run lives."""
        return ",".join(
            f"{app}={other.url}"
            for other in self.nodes
            if other is not node
            for app in other.services
        )

    def node_environment(self, node: Node) -> dict[str, str]:
        """What one process of ``node`` sees (manage.py run by hand, or a test)."""
        return {
            **self.shared,
            "SEAMS_SERVICES": ",".join(node.services),
            "DATABASE_URL": node.database_url,
            "SEAMS_SERVICE_URLS": self.service_urls(node),
        }

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment honcho runs the process file with (every node's variables)."""
        # A launcher passes its own environment down (PATH, locale, …) like any shell.
        env = {**(os.environ if base is None else base), **self.shared}
        # The process files name bare commands (python, celery, gunicorn): this venv's.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(ROOT)
        if self.procfile.name == "Procfile":
            env.update(self.node_environment(self.nodes[0]))
            env["PORT"] = str(self.nodes[0].port)  # honcho sets it per process too
            return env
        for node in self.nodes:
            env[f"{node.role}_SERVICES"] = ",".join(node.services)
            env[f"{node.role}_DATABASE_URL"] = node.database_url
            env[f"{node.role}_PORT"] = str(node.port)
            env[f"{node.role}_SERVICE_URLS"] = self.service_urls(node)
            env[f"{node.role}_NAME"] = node.name
        return env


def local_secrets(*, cache_url: str, cache_prefix: str) -> dict[str, str]:
    """Keys every process of a loopback deployment shares (never use them anywhere else)."""
    return {
        "SECRET_KEY": "local-only-secret-key-not-for-any-real-deployment",
        "SEAMS_RPC_KEYS": "local-only-rpc-key-not-for-any-real-deployment",
        # The shared cache: each service's token denylist (UserDeactivated) must be
        # seen by every web and worker process of that service.
        "CACHE_URL": cache_url,
        "CACHE_KEY_PREFIX": cache_prefix,
    }


def database_url_named(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def plan(
    *,
    extract: str | None,
    database_url: str,
    broker_url: str,
    prefix: str,
    ports: tuple[int, int],
    shared: Mapping[str, str] | None = None,
) -> Deployment:
    """The deployment with ``extract`` as its own service (None: the monolith alone)."""
    env = {
        "CELERY_BROKER_URL": broker_url,
        "SEAMS_EVENTS_PREFIX": prefix,
        "CONN_MAX_AGE": "60",
        # Plain http on loopback: production's https redirect and secure cookies off.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        **(shared or {}),
    }
    base = urlsplit(database_url).path.lstrip("/")
    if extract is None:
        monolith = Node("monolith", "MONOLITH", ALL_SERVICES, database_url, ports[0])
        return Deployment(PROCESSES / "Procfile", (monolith,), env)
    if extract not in ALL_SERVICES:
        raise ValueError(f"cannot extract {extract!r}: choose one of {', '.join(ALL_SERVICES)}")
    rest = tuple(s for s in ALL_SERVICES if s != extract)
    monolith = Node("monolith", "MONOLITH", rest, database_url, ports[0])
    service_db = database_url_named(database_url, f"{base}_{extract}")
    service = Node(extract, "SERVICE", (extract,), service_db, ports[1])
    return Deployment(PROCESSES / "Procfile.split", (monolith, service), env)


def _on_server(url: str, statement: str, name: str) -> None:
    """Run ``statement`` (with ``{}`` for the database name) on ``url``'s server, via
    its ``postgres`` database, outside a transaction (CREATE/DROP DATABASE need that)."""
    conn = psycopg2.connect(database_url_named(url, "postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL(statement).format(sql.Identifier(name)))
    finally:
        conn.close()


def drop_database(url: str) -> None:
    """DROP the database of ``url`` if it exists, closing its connections."""
    _on_server(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", urlsplit(url).path.lstrip("/"))


def create_database(url: str, *, fresh: bool = False) -> None:
    """CREATE the database of ``url`` unless it exists (``fresh``: drop it first)."""
    if fresh:
        drop_database(url)
    name = urlsplit(url).path.lstrip("/")
    conn = psycopg2.connect(database_url_named(url, "postgres"))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            exists = cur.fetchone() is not None
    finally:
        conn.close()
    if not exists:
        _on_server(url, "CREATE DATABASE {}", name)


def manage(deployment: Deployment, node: Node, *args: str) -> str:
    """Run ``manage.py args`` as a process of ``node``; returns its output, raises on failure."""
    env = {**deployment.environment(), **deployment.node_environment(node)}
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{node.name}: manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare(
    deployment: Deployment, *, seed: bool = True, fresh: bool = False, log: bool = False
) -> None:
    """Create (``fresh``: from scratch), migrate and (demo-)seed every node's database."""
    for node in deployment.nodes:
        create_database(node.database_url, fresh=fresh)
        out = manage(deployment, node, "migrate", "--noinput")
        if seed:
            out += manage(deployment, node, "seed_demo", "--allow-production")
        if log:
            last = out.strip().splitlines()[-1] if out.strip() else "ready"
            sys.stdout.write(f"[{node.name}] {last}\n")


def describe(deployment: Deployment) -> str:
    lines = [f"Seams on loopback ({deployment.procfile.relative_to(ROOT)}):"]
    lines.append(
        f"  public URL     {deployment.public_url}/api/  (docs: /api/docs/, admin: /admin/)"
    )
    for node in deployment.nodes:
        lines.append(
            f"  {node.name:<14} {node.url}  apps={','.join(node.services)}  "
            f"db={urlsplit(node.database_url).path.lstrip('/')}"
        )
    lines.append(f"  broker         {deployment.shared['CELERY_BROKER_URL'].split('@')[-1]}")
    lines.append("  admin login    admin@seams.local / seams-admin-demo")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", default="payments", choices=[*ALL_SERVICES, "none"])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/seams_local")
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--prefix", default="seams_local", help="SEAMS_EVENTS_PREFIX")
    parser.add_argument(
        "--cache-url",
        default="redis://127.0.0.1:6379/0",
        help="the cache every process shares (token denylist, throttles)",
    )
    parser.add_argument("--port", type=int, default=8000, help="public port (the service: +1)")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="drop the databases first")
    args = parser.parse_args(argv)
    deployment = plan(
        extract=None if args.extract == "none" else args.extract,
        database_url=args.database_url,
        broker_url=args.broker_url,
        prefix=args.prefix,
        ports=(args.port, args.port + 1),
        shared=local_secrets(cache_url=args.cache_url, cache_prefix=args.prefix),
    )
    prepare(deployment, seed=not args.no_seed, fresh=args.fresh, log=True)
    sys.stdout.write(describe(deployment) + "\n")
    sys.stdout.flush()
    honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
    command = [honcho, "-f", str(deployment.procfile), "-d", str(ROOT), "start"]
    command += ["-p", str(args.port)]
    os.execvpe(honcho, command, deployment.environment())  # noqa: S606


if __name__ == "__main__":
    main()
