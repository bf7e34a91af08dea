"""Checkout throughput through the public URL: the monolith vs payments extracted.

    .venv/bin/python bench/split.py [--seconds 20] [--clients 8]

Prints numbers; it is not a test. Each deployment is built the way ``make split``
builds it (``extraction.launch``: fresh PostgreSQL databases, migrated and
seeded, every process started from ``deploy/processes/Procfile`` or
``Procfile.split``, RabbitMQ), one after the other on the same machine:

1. the monolith in broker mode (web, relay, worker);
2. the split system: the monolith without payments, and payments as its own
   service with its own database, relay and worker; payments' public routes go
   through the monolith's gateway, and payments asks orders over RPC.

A checkout is one customer placing an order (``POST /orders``) and paying it
(``POST /payments``, captured). ``--clients`` threads check out in a loop for
``--seconds``; the run prints checkouts per second and the p50/p99 latency of a
whole checkout, then ``split/monolith throughput ratio: X.XX``.
Environment: BENCH_DATABASE_URL (a base name; default seams_bench_split),
BENCH_BROKER_URL, BENCH_CACHE_URL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contracts import demo  # noqa: E402
from extraction.launch.local import manage  # noqa: E402
from extraction.launch.stack import Stack, close_stack, loopback_stack  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/seams_bench_split"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0")
CUSTOMERS = [email for email, _name in demo.CUSTOMERS]


@dataclass
class Result:
    checkouts: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def throughput(self) -> float:
        return self.checkouts / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def restock(stack: Stack, skus: list[str]) -> None:
    node = next(n for n in stack.deployment.nodes if "orders" in n.services)
    for sku in skus:
        manage(stack.deployment, node, "restock", "--sku", sku, "--quantity", "1000000")


def checkout_loop(
    base: str, token: str, skus: list[str], until: float, out: list[float], errors: list[str]
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base}/api/v1", timeout=30, headers=auth) as client:
        i = 0
        while time.monotonic() < until:
            sku = skus[i % len(skus)]
            i += 1
            started = time.perf_counter()
            placed = client.post("/orders", json={"lines": [{"sku": sku, "quantity": 1}]})
            if placed.status_code != 201:
                errors.append(f"order {placed.status_code} {placed.text[:200]}")
                continue
            paid = client.post(
                "/payments",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json={"order_id": placed.json()["id"], "payment_token": "tok_success"},
            )
            if paid.status_code != 201:
                errors.append(f"payment {paid.status_code} {paid.text[:200]}")
                continue
            out.append(time.perf_counter() - started)


def measure(extract: str | None, *, seconds: float, clients: int, logs: Path) -> Result:
    stack = loopback_stack(
        extract=extract,
        database_url=DATABASE_URL,
        broker_url=BROKER_URL,
        cache_url=CACHE_URL,
        logs=logs,
        extra_env={
            "LOG_LEVEL": "WARNING",
            "PASSWORD_HASHERS": os.environ.get(
                "PASSWORD_HASHERS", "django.contrib.auth.hashers.PBKDF2PasswordHasher"
            ),
        },
    )
    try:
        stack.start()
        stack.wait_healthy()
        base = stack.deployment.public_url
        with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as client:
            products = client.get("/products").json()["results"]
            skus = [p["sku"] for p in products if p["active"]]
            tokens = [
                client.post(
                    "/auth/token", json={"email": email, "password": demo.CUSTOMER_PASSWORD}
                ).json()["access"]
                for email in CUSTOMERS
            ]
        restock(stack, skus)
        # warm-up: connections, caches, the first RPC and breaker set-up
        warm: list[float] = []
        checkout_loop(base, tokens[0], skus, time.monotonic() + 3, warm, [])
        latencies: list[float] = []
        errors: list[str] = []
        until = time.monotonic() + seconds
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=checkout_loop,
                args=(base, tokens[i % len(tokens)], skus[i:] + skus[:i], until, latencies, errors),
            )
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        if errors:
            print(f"  {len(errors)} failed checkouts, first: {errors[0]}")
        return Result(len(latencies), elapsed, latencies, len(errors))
    except BaseException:
        print(stack.logs_text())
        raise
    finally:
        close_stack(stack)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="seams-bench-split-"))
    results: dict[str, Result] = {}
    for label, extract in (("monolith", None), ("split (payments extracted)", "payments")):
        print(f"{label}: {args.clients} clients for {args.seconds:.0f} s …", flush=True)
        result = measure(extract, seconds=args.seconds, clients=args.clients, logs=logs / label)
        results[label] = result
        print(
            f"  checkouts (placed and paid): {result.checkouts} in {result.seconds:.1f} s = "
            f"{result.throughput:.1f}/s; latency p50 {result.percentile(0.5):.1f} ms, "
            f"p99 {result.percentile(0.99):.1f} ms, mean "
            f"{statistics.fmean(result.latencies) * 1000:.1f} ms; failures {result.failures}",
            flush=True,
        )
    monolith, split = results.values()
    print(f"split/monolith throughput ratio: {split.throughput / monolith.throughput:.2f}")


if __name__ == "__main__":
    main()
