"""Contract call benchmark: prints numbers, it is not a test.

    .venv/bin/python bench/rpc.py [--calls 2000]

Needs PostgreSQL (DATABASE_URL, default a ``seams_rpc_bench`` database on
127.0.0.1, dropped, created and migrated here). Starts one gunicorn provider (gthread,
one worker, on 127.0.0.1:8401 or BENCH_PORT) and measures, in one run, p50/p99
of ``get(UsersService).get_user(...)``:

1. direct: the local provider (transaction guard included);
2. codec: the same through the wire codec (``SEAMS_CONTRACT_CODEC``);
3. http: the remote adapter (urllib3 pool, signed, breaker) against the provider;
4. the floor: the same urllib3 pool POSTing the same body to a bare Django view of
   the same server that makes the same provider call and returns the same JSON
   (no signature, routing, guard or observers: what a hand-written endpoint costs);
   the same floor with httpx, to compare the clients; and a static floor (the same
   bytes computed once: Django and HTTP alone, no query).

It ends with ``rpc/floor p50 ratio`` (http / floor) and ``codec overhead`` (the
codec round trip of the arguments and the result, and nothing else, p50).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEY = "bench-rpc-key"
PORT = int(os.environ.get("BENCH_PORT", "8401"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/seams_rpc_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ["SEAMS_RPC_KEYS"] = KEY
os.environ["CONN_MAX_AGE"] = "600"
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.rpc_settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("CELERY_BROKER_URL", None)


def ensure_database() -> None:
    from extraction.launch.local import create_database

    # A fresh database each run: the schema follows the code.
    create_database(os.environ["DATABASE_URL"], fresh=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True
    )


def start_server() -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "project.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-k",
            "gthread",
            "-w",
            "1",
            "--threads",
            "4",
            "--no-control-socket",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", PORT), 0.5):
            return server
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("gunicorn did not start")


def measure(call: Callable[[], object], calls: int) -> tuple[float, float]:
    for _ in range(min(200, calls)):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return samples[len(samples) // 2] * 1e6, samples[int(len(samples) * 0.99)] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    import httpx
    import urllib3
    from django.conf import settings

    from apps.users.models import User
    from contracts import get
    from contracts.codec import MethodCodec
    from contracts.users import UsersService
    from extraction.rpc.client import remote_adapter

    user, _ = User.objects.get_or_create(email="bench@example.com", defaults={"full_name": "B"})
    local, codec = get(UsersService), MethodCodec(UsersService.get_user)
    body = codec.encode_arguments({"user_id": user.id})
    server = start_server()
    try:
        base = f"http://127.0.0.1:{PORT}"
        remote = remote_adapter(UsersService, base_url=base)()
        assert remote.get_user(user_id=user.id) == local.get_user(user_id=user.id)
        pool = urllib3.PoolManager().connection_from_url(base)
        headers = {"Content-Type": "application/json"}
        floor_answer = pool.urlopen("POST", "/bench/floor", body=body, headers=headers)
        assert codec.decode_result(floor_answer.data) == local.get_user(user_id=user.id)
        results: dict[str, tuple[float, float]] = {}
        results["direct"] = measure(lambda: local.get_user(user_id=user.id), args.calls)
        settings.SEAMS_CONTRACT_CODEC = True
        results["codec"] = measure(lambda: local.get_user(user_id=user.id), args.calls)
        settings.SEAMS_CONTRACT_CODEC = False
        results["http"] = measure(lambda: remote.get_user(user_id=user.id), args.calls)
        results["floor (urllib3)"] = measure(
            lambda: pool.urlopen("POST", "/bench/floor", body=body, headers=headers), args.calls
        )
        with httpx.Client(base_url=base) as client:
            results["floor (httpx)"] = measure(
                lambda: client.post("/bench/floor", content=body, headers=headers), args.calls
            )
        results["static (urllib3)"] = measure(
            lambda: pool.urlopen("POST", "/bench/static", body=body, headers=headers), args.calls
        )
        dto = local.get_user(user_id=user.id)

        def round_trip() -> None:
            codec.decode_arguments(codec.encode_arguments({"user_id": user.id}))
            codec.decode_result(codec.encode_result(dto))

        codec_only = measure(round_trip, args.calls)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)

    print(f"one contract call (UsersService.get_user), {args.calls} calls each, loopback")
    for name, (p50, p99) in results.items():
        print(f"{name:>16}: p50 {p50:8.1f} µs   p99 {p99:8.1f} µs")
    ratio = results["http"][0] / results["floor (urllib3)"][0]
    print(f"codec mode minus direct, p50: {results['codec'][0] - results['direct'][0]:.1f} µs")
    clients = results["floor (httpx)"][0] / results["floor (urllib3)"][0]
    print(f"httpx/urllib3 floor p50: {clients:.2f}")
    static_ratio = results["http"][0] / results["static (urllib3)"][0]
    print(f"rpc/static p50 ratio: {static_ratio:.2f}")
    print(f"rpc/floor p50 ratio: {ratio:.2f}")
    print(f"codec overhead: {codec_only[0]:.0f} µs")
    print(f"load average during the run: {os.getloadavg()[0]:.2f} (a shared machine)")


if __name__ == "__main__":
    main()
