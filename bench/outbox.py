"""Outbox relay benchmark: prints numbers, it is not a test.

    .venv/bin/python bench/outbox.py [--events 20000] [--rate 500] [--seconds 20]

Needs PostgreSQL (DATABASE_URL, default a ``seams_bench`` database on
127.0.0.1, created and migrated here) and RabbitMQ (BENCH_BROKER_URL, default
guest@127.0.0.1). It measures, in one run:

1. relay throughput into RabbitMQ — durable messages, each row marked published
   only after the broker confirmed it — after publishing N events in
   transactions of 1 and then of 100;
2. the baseline: Celery's plain ``delay()`` with publisher confirms on
   (``confirm_publish``), no outbox;
3. publish→handler latency (p50/p99) at a steady offered load: events published
   one per transaction at ``--rate`` per second, relayed by a ``manage.py outbox
   relay`` process woken by NOTIFY, handled by a ``celery worker`` process;
   measured from the event's creation to its inbox row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PREFIX = f"bench{uuid.uuid4().hex[:8]}"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/seams_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["CELERY_BROKER_URL"] = os.environ.get(
    "BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"
)
os.environ["SEAMS_EVENTS_PREFIX"] = PREFIX
os.environ["SEAMS_EXTRA_HANDLER_MODULES"] = "bench.outbox_handlers"
os.environ["CONN_MAX_AGE"] = "600"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")


def ensure_database() -> None:
    import psycopg2
    from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

    url = os.environ["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    conn = psycopg2.connect(f"{base}/postgres")
    conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


ensure_database()

import django  # noqa: E402

django.setup()

from celery import Celery  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from kombu import Connection, Exchange, Queue  # noqa: E402

from bench.outbox_handlers import Pinged  # noqa: E402
from contracts import publish  # noqa: E402
from extraction.events.relay import Relay  # noqa: E402
from extraction.events.routing import declare_topology, exchange, local_queues  # noqa: E402
from extraction.models import InboxEntry, OutboxEvent  # noqa: E402

BROKER = settings.CELERY_BROKER_URL
# The event worker as deploy/Procfile runs it: handlers wait on the database, so
# threads overlap them without a process per slot; a deeper prefetch keeps the
# pool busy between acknowledgements.
WORKER_POOL = os.environ.get("BENCH_WORKER_POOL", "-P threads -c 4 --prefetch-multiplier 8").split()


def reset() -> None:
    with connection.cursor() as cur:
        cur.execute("TRUNCATE extraction_outboxevent, extraction_inboxentry")
    with Connection(BROKER) as conn:
        channel = conn.channel()
        declare_topology(channel)
        for queue in local_queues():
            queue(channel).purge()


def publish_events(count: int, per_transaction: int) -> float:
    start = time.perf_counter()
    for first in range(0, count, per_transaction):
        with transaction.atomic():
            for seq in range(first, min(count, first + per_transaction)):
                publish(Pinged(seq=seq))
    return count / (time.perf_counter() - start)


def relay_throughput(count: int, per_transaction: int) -> float:
    reset()
    rate = publish_events(count, per_transaction)
    relay = Relay()
    start = time.perf_counter()
    relayed = relay.drain()
    elapsed = time.perf_counter() - start
    relay.close()
    assert relayed == count == OutboxEvent.objects.filter(status="published").count()
    print(
        f"  transactions of {per_transaction:>3}: published {rate:8.0f} events/s; "
        f"relayed {count} in {elapsed:.2f}s = {count / elapsed:8.0f} events/s"
    )
    return count / elapsed


def celery_baseline(count: int) -> float:
    app = Celery("bench", broker=BROKER, set_as_current=False)
    app.conf.broker_transport_options = {"confirm_publish": True}
    queue = Queue(f"{PREFIX}.baseline", Exchange(f"{PREFIX}.baseline"), f"{PREFIX}.baseline")
    app.conf.task_queues = [queue]
    app.conf.task_default_queue = queue.name

    @app.task(name="bench.noop")
    def noop(seq: int) -> None: ...

    noop.delay(-1)  # connect and declare outside the measurement
    start = time.perf_counter()
    for seq in range(count):
        noop.delay(seq)
    elapsed = time.perf_counter() - start
    with Connection(BROKER) as conn:
        queue(conn.channel()).delete()
        queue.exchange(conn.channel()).delete()
    print(
        f"  celery delay() with confirm_publish: {count} in {elapsed:.2f}s "
        f"= {count / elapsed:8.0f} msg/s"
    )
    return count / elapsed


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def latency(rate: int, seconds: float, workdir: Path) -> tuple[float, float, int]:
    reset()
    queues = ",".join(q.name for q in local_queues())
    worker = start(
        [
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            "-Q",
            queues,
            *WORKER_POOL,
            "-n",
            f"{PREFIX}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        workdir / "worker.log",
    )
    relay = start(["manage.py", "outbox", "relay"], workdir / "relay.log")
    try:
        # warm up: both processes connected and serving
        with transaction.atomic():
            publish(Pinged(seq=-1))
        deadline = time.monotonic() + 60
        while not InboxEntry.objects.exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"no warm-up delivery; see {workdir}")
            time.sleep(0.1)
        reset()
        total = int(rate * seconds)
        # One commit costs about 2 ms here (fsync): publishers in a few threads,
        # each on its own connection and its share of the schedule, keep the
        # offered load steady.
        threads = 4
        interval = threads / rate
        began = time.perf_counter()

        def publisher(offset: int) -> None:
            try:
                for n, seq in enumerate(range(offset, total, threads)):
                    pause = began + offset / rate + n * interval - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    with transaction.atomic():
                        publish(Pinged(seq=seq))
            finally:
                connection.close()

        pool = [threading.Thread(target=publisher, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        offered = total / (time.perf_counter() - began)
        deadline = time.monotonic() + 60
        while InboxEntry.objects.count() < total and time.monotonic() < deadline:
            time.sleep(0.2)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT EXTRACT(EPOCH FROM (i.processed_at - o.created_at)) * 1000, "
                "EXTRACT(EPOCH FROM (o.published_at - o.created_at)) * 1000 "
                "FROM extraction_inboxentry i JOIN extraction_outboxevent o "
                "ON o.event_id = i.event_id"
            )
            rows = cur.fetchall()
        samples = sorted(float(r[0]) for r in rows)
        relayed = sorted(float(r[1]) for r in rows)
        print(
            f"  of which publish→confirmed by the broker (relay): "
            f"p50 {statistics.median(relayed):.1f} ms, "
            f"p99 {relayed[int(len(relayed) * 0.99)]:.1f} ms"
        )
    finally:
        for process in (relay, worker):
            process.terminate()
        for process in (relay, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    if len(samples) < total:
        print(f"  only {len(samples)} of {total} events handled within 60s")
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(
        f"  offered {offered:.0f} events/s for {seconds:.0f}s: {len(samples)} handled; "
        f"publish→handler p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {samples[-1]:.1f} ms"
    )
    return p50, p99, len(samples)


def cleanup() -> None:
    with Connection(BROKER) as conn:
        channel = conn.channel()
        for queue in local_queues():
            queue(channel).delete()
        exchange()(channel).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20.0)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    workdir = Path(os.environ.get("BENCH_WORKDIR", "/tmp")) / PREFIX
    workdir.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    print(
        f"database {db['NAME']} on {db['HOST']}; broker {BROKER.rsplit('@', 1)[-1]}; "
        f"relay batch {settings.SEAMS_RELAY_BATCH_SIZE}; {os.cpu_count()} CPUs"
    )
    try:
        print(f"relay throughput ({options.events} events, confirmed by the broker per batch):")
        single = relay_throughput(options.events, 1)
        batched = relay_throughput(options.events, 100)
        print("baseline:")
        baseline = celery_baseline(options.events)
        print(f"latency (offered {options.rate} events/s):")
        _, p99, _ = latency(options.rate, options.seconds, workdir)
    finally:
        reset()
        cleanup()
    relay_rate = min(single, batched)
    print(f"relay throughput: {relay_rate:.0f} events/s (the slower of the two runs)")
    print(f"celery delay() with confirms: {baseline:.0f} msg/s")
    print(f"targets: ratio >= 2.00; p99 <= 100 ms at {options.rate}/s (measured p99 {p99:.1f} ms)")
    print(f"relay/celery-confirms ratio: {relay_rate / baseline:.2f}")


if __name__ == "__main__":
    main()
