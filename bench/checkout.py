"""Seams' hot paths against a minimal plain-Django floor, side by side, in one run.

Run (needs PostgreSQL; Redis for the shared cache, as production has it)::

    .venv/bin/python bench/checkout.py                      # 3 rounds of 6 s per measurement
    .venv/bin/python bench/checkout.py --rounds 5 --seconds 10

Environment: ``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432``:
two databases are created there and dropped at the end), ``BENCH_CACHE_URL``
(default ``redis://127.0.0.1:6379/0``; Seams' throttles and token denylist),
``BENCH_PORT`` (default 8300: Seams on it, the floor on the next one). It takes
about three minutes.

Both sides run the same gunicorn (gthread, 4 workers x 4 threads,
``--no-control-socket``), DEBUG off, persistent connections with health checks,
on the same PostgreSQL server, and both authenticate with a stateless HS256 JWT.
The floor (``bench/floor``) does in one transaction only what a correct checkout
must: lock the product (``SELECT … FOR UPDATE``), decrement the stock, insert the
order, its line and one outbox row, answer JSON; its read is a ``SELECT`` by pk.

The load client is Python: ``--clients`` threads (16) with keep-alive urllib3
connections, the same for both sides. It runs on the same two cores as the
servers and its cost grows with the throughput, so it slows the faster side
(the floor) a little more than the slower one. Each measurement is preceded by a
warm-up second; project and floor alternate within each round, and the ratios
printed at the end are the medians of the per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SPREAD = 100
READ_ORDERS = 50

Request = tuple[str, str, bytes | None, dict[str, str]]


# --- Seeding, run inside each side's own Django process -----------------------------------


def seed_project(pay_orders: int) -> dict[str, Any]:
    from decimal import Decimal

    from apps.orders import services
    from apps.orders.models import Order, OrderLine, Product
    from apps.users.api.serializers import TokenPairSerializer
    from apps.users.models import User

    user = User.objects.create_user(email="bench@seams.example", password=secrets.token_hex(16))
    price = Decimal("10.00")
    Product.objects.bulk_create(
        Product(sku=sku, name=sku, price=price, currency="EUR", stock=10**9)
        for sku in ["HOT", *(f"S{n:03d}" for n in range(SPREAD))]
    )
    reads = [
        str(services.order_place(customer_id=user.id, lines=[("S000", 1)]).id)
        for _ in range(READ_ORDERS)
    ]
    hot = Product.objects.get(sku="HOT")
    orders = Order.objects.bulk_create(
        Order(customer_id=user.id, total=price, currency="EUR") for _ in range(pay_orders)
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=o, product=hot, sku="HOT", name="HOT", unit_price=price, quantity=1)
        for o in orders
    )
    token = str(TokenPairSerializer.get_token(user).access_token)
    return {"token": token, "reads": reads, "pay": [str(o.id) for o in orders]}


def seed_floor() -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    import jwt
    from django.conf import settings

    from bench.floor.models import Order, Product

    customer = uuid.uuid4()
    Product.objects.bulk_create(
        Product(sku=sku, name=sku, price=Decimal("10.00"), currency="EUR", stock=10**9)
        for sku in ["HOT", *(f"S{n:03d}" for n in range(SPREAD))]
    )
    orders = Order.objects.bulk_create(
        Order(
            customer_id=customer, status="pending_payment", total=Decimal("10.00"), currency="EUR"
        )
        for _ in range(READ_ORDERS)
    )
    now = datetime.now(UTC)
    claims = {
        "token_type": "access",
        "user_id": str(customer),
        "email": "bench@floor.example",
        "is_staff": False,
        "iat": now,
        "exp": now + timedelta(hours=1),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")
    return {"token": token, "reads": [str(o.id) for o in orders]}


def seed_main(side: str, pay_orders: int) -> None:
    import django

    django.setup()
    data = seed_project(pay_orders) if side == "project" else seed_floor()
    print(json.dumps(data))


# --- The servers ----------------------------------------------------------------------------


@dataclass
class Side:
    name: str
    port: int
    env: dict[str, str]
    wsgi: str
    process: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [PY, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                GUNICORN,
                *("-k", "gthread", "--workers", "4", "--threads", "4"),
                *("--bind", f"127.0.0.1:{self.port}", "--no-control-socket"),
                *("--log-level", "warning", self.wsgi),
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        http = urllib3.PoolManager(retries=False, timeout=2)
        while time.monotonic() < deadline:
            try:
                http.request("GET", f"http://127.0.0.1:{self.port}/")
                return
            except urllib3.exceptions.HTTPError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def worker_rss_mib(self) -> float:
        assert self.process is not None
        sizes = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields.get("PPid", "0").strip() or 0) == self.process.pid:
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
        return statistics.mean(sizes) if sizes else float("nan")


@contextmanager
def databases(server: str, names: list[str]) -> Iterator[None]:
    from extraction.launch.local import create_database, drop_database

    for name in names:
        create_database(f"{server}/{name}", fresh=True)
    try:
        yield
    finally:
        for name in names:
            drop_database(f"{server}/{name}")


# --- The load client ------------------------------------------------------------------------


@dataclass
class Result:
    rps: float
    p50_ms: float
    errors: int


def drive(
    port: int, next_request: Callable[[], Request | None], seconds: float, clients: int
) -> Result:
    pool = urllib3.HTTPConnectionPool(
        "127.0.0.1", port, maxsize=clients, block=True, retries=False, timeout=30.0
    )
    start = time.monotonic()
    measure_from, until = start + 1.0, start + 1.0 + seconds
    latencies: list[float] = []
    errors = [0]
    first_error: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        mine: list[float] = []
        while (now := time.monotonic()) < until:
            request = next_request()
            if request is None:
                break
            method, path, body, headers = request
            response = pool.urlopen(method, path, body=body, headers=headers)
            done = time.monotonic()
            if response.status >= 300:
                with lock:
                    errors[0] += 1
                    first_error[:] = first_error or [f"{response.status} {response.data[:300]!r}"]
            elif now >= measure_from and done <= until:
                mine.append(done - now)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = min(time.monotonic(), until) - measure_from
    if first_error:
        print(f"    ! {errors[0]} errors on port {port}, first: {first_error[0]}")
    pool.close()
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    return Result(rps=len(latencies) / elapsed, p50_ms=p50, errors=errors[0])


def json_request(method: str, path: str, token: str, body: Any = None, **headers: str) -> Request:
    raw = json.dumps(body).encode() if body is not None else None
    # As behind the TLS-terminating proxy of a production deployment (Seams would
    # redirect plain HTTP otherwise).
    base = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
    }
    return (method, path, raw, {**base, **headers})


def requests_of(project: dict[str, Any], floor: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    skus = [f"S{n:03d}" for n in range(SPREAD)]
    pay_ids = iter(project["pay"])
    pay_lock = threading.Lock()

    def pay() -> Request | None:
        with pay_lock:
            order_id = next(pay_ids, None)
        if order_id is None:
            return None
        body = {"order_id": order_id, "payment_token": "tok_success"}
        return json_request(
            "POST",
            "/api/v1/payments",
            project["token"],
            body,
            **{"Idempotency-Key": str(uuid.uuid4())},
        )

    def place(
        token: str, path: str, sku: Callable[[], str], project_side: bool
    ) -> Callable[[], Request]:
        def make() -> Request:
            line = {"sku": sku(), "quantity": 1}
            return json_request("POST", path, token, {"lines": [line]} if project_side else line)

        return make

    def read(token: str, prefix: str, ids: list[str]) -> Callable[[], Request]:
        return lambda: json_request("GET", f"{prefix}/{random.choice(ids)}", token)

    hot, spread = (lambda: "HOT"), (lambda: random.choice(skus))
    return {
        "place hot": (
            place(project["token"], "/api/v1/orders", hot, True),
            place(floor["token"], "/place", hot, False),
        ),
        "place spread": (
            place(project["token"], "/api/v1/orders", spread, True),
            place(floor["token"], "/place", spread, False),
        ),
        "read": (
            read(project["token"], "/api/v1/orders", project["reads"]),
            read(floor["token"], "/orders", floor["reads"]),
        ),
        "pay": (pay, None),
    }


# --- The run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seed", choices=["project", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--pay-orders", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed_main(args.seed, args.pay_orders)
        return

    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    cache = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0")
    port = int(os.environ.get("BENCH_PORT", "8300"))
    tag = f"bench_checkout_{os.getpid()}"
    key = secrets.token_urlsafe(32)
    common = {**os.environ, "SECRET_KEY": key, "DEBUG": "0", "PYTHONPATH": str(ROOT)}
    common.pop("DATABASE_URL", None)
    project = Side(
        "seams",
        port,
        {
            **common,
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": f"{server}/{tag}_seams",
            "CACHE_URL": cache,
            "CELERY_BROKER_URL": "",
            "JWT_ACCESS_TOKEN_MINUTES": "60",
            "LOG_LEVEL": "WARNING",
        },
        "project.wsgi",
    )
    floor = Side(
        "floor",
        port + 1,
        {
            **common,
            "DJANGO_SETTINGS_MODULE": "bench.floor.settings",
            "DATABASE_URL": f"{server}/{tag}_floor",
        },
        "bench.floor.wsgi",
    )
    # Enough fresh orders to pay for every round at well above the expected rate.
    pay_orders = int(args.rounds * (args.seconds + 1) * 400)
    print(
        f"load client: Python, {args.clients} threads, keep-alive urllib3; {args.rounds} rounds "
        f"of {args.seconds:.0f} s per measurement; machine: {os.cpu_count()} cores (shared)"
    )
    with databases(server, [f"{tag}_seams", f"{tag}_floor"]):
        project.run("manage.py", "migrate", "--noinput", "-v", "0")
        floor.run("-m", "django", "migrate", "--run-syncdb", "--noinput", "-v", "0")
        seeds = {
            "project": json.loads(
                project.run(__file__, "--seed", "project", "--pay-orders", str(pay_orders))
            ),
            "floor": json.loads(floor.run(__file__, "--seed", "floor")),
        }
        try:
            project.start()
            floor.start()
            report(project, floor, requests_of(seeds["project"], seeds["floor"]), args)
        finally:
            project.stop()
            floor.stop()


def report(
    project: Side, floor: Side, phases: dict[str, tuple[Any, Any]], args: argparse.Namespace
) -> None:
    ratios: dict[str, list[float]] = {
        name: [] for name in ("place hot", "place spread", "read", "pay")
    }
    figures: dict[str, list[Result]] = {}
    for round_no in range(1, args.rounds + 1):
        floor_place = 0.0
        for name, (ours, theirs) in phases.items():
            mine = drive(project.port, ours, args.seconds, args.clients)
            figures.setdefault(f"seams {name}", []).append(mine)
            if theirs is None:  # pay, against the floor's place-order of this round
                ratio, versus = mine.rps / floor_place, f"floor place {floor_place:7.1f} req/s"
            else:
                other = drive(floor.port, theirs, args.seconds, args.clients)
                figures.setdefault(f"floor {name}", []).append(other)
                if name == "place hot":
                    floor_place = other.rps
                ratio = mine.rps / other.rps
                versus = f"floor {other.rps:7.1f} req/s p50 {other.p50_ms:6.1f} ms"
            ratios[name].append(ratio)
            print(
                f"round {round_no}  {name:<13} seams {mine.rps:7.1f} req/s "
                f"p50 {mine.p50_ms:6.1f} ms | {versus} | ratio {ratio:.2f}",
                flush=True,
            )
    print("medians:")
    for label, results in figures.items():
        print(
            f"  {label:<20} {statistics.median(r.rps for r in results):7.1f} req/s"
            f"  p50 {statistics.median(r.p50_ms for r in results):6.1f} ms"
        )
    med = {name: statistics.median(values) for name, values in ratios.items()}
    print(f"place/floor ratio: {med['place hot']:.2f} (one hot product)")
    print(f"place/floor ratio: {med['place spread']:.2f} (spread over {SPREAD} products)")
    print(f"read/floor ratio: {med['read']:.2f}")
    print(f"pay/place ratio: {med['pay']:.2f} (pay against the floor's place-order, hot product)")
    ours, theirs = project.worker_rss_mib(), floor.worker_rss_mib()
    print(
        f"RSS per worker: seams {ours:.1f} MiB, floor {theirs:.1f} MiB (ratio {ours / theirs:.2f})"
    )


if __name__ == "__main__":
    main()
