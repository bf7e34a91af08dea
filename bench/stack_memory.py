"""What the stack itself costs a process in memory, layer by layer, before any Seams code.

    .venv/bin/python bench/stack_memory.py

Each line is a fresh interpreter that configures plain Django (the contenttypes
and auth apps, no middleware, a PostgreSQL connection open: within a MiB of the
worker of ``bench/checkout.py``'s floor), then imports one more layer of what
every Seams web worker must run: DRF's views and
serializers (the API), a pydantic model (the contracts' DTOs), the Redis cache
client (throttles, token denylist), the admin. It prints the RSS of each and its
ratio to the plain-Django process, against the 1.3x that ``bench/checkout.py``
holds a Seams worker to. No request is served and no Seams module is imported,
so each figure is a lower bound of what a worker with that layer costs.

Optional modules DRF imports when they are installed (``requests``, ``yaml``,
``uritemplate``) are measured both ways: installed (as in the image, which has
``requests`` for the OTLP exporter) and hidden from the process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

LAYERS: dict[str, list[str]] = {
    "plain Django (the floor)": [],
    "+ DRF views and serializers": ["drf"],
    "+ a pydantic model": ["pydantic"],
    "+ DRF + pydantic": ["drf", "pydantic"],
    "+ DRF + pydantic + Redis client": ["drf", "pydantic", "redis"],
    "+ DRF + pydantic + Redis client + admin": ["drf", "pydantic", "redis", "admin"],
}
OPTIONAL = ["requests", "yaml", "uritemplate"]

CHILD = r"""
import json, os, sys
for name in json.loads(os.environ["HIDE"]):
    sys.modules[name] = None  # "not installed": DRF's optional imports fail
layers = json.loads(os.environ["LAYERS"])
import django
from django.conf import settings
apps = ["django.contrib.contenttypes", "django.contrib.auth"]
if "drf" in layers:
    apps.append("rest_framework")
if "admin" in layers:
    apps += ["django.contrib.admin", "django.contrib.sessions", "django.contrib.messages"]
settings.configure(
    INSTALLED_APPS=apps,
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "postgres",
               "HOST": os.environ["PGHOST"], "PORT": os.environ["PGPORT"],
               "USER": os.environ["PGUSER"]}},
    SECRET_KEY="stack-memory-bench-only-" + "x" * 32,
    USE_TZ=True,
)
django.setup()
from django.db import connection
connection.ensure_connection()
if "drf" in layers:
    import rest_framework.generics, rest_framework.serializers, rest_framework.views  # noqa
if "pydantic" in layers:
    import pydantic
    class Dto(pydantic.BaseModel):
        id: int
        name: str
    Dto(id=1, name="x").model_dump_json()
if "redis" in layers:
    import django.core.cache.backends.redis  # noqa
    import redis  # noqa
if "admin" in layers:
    import django.contrib.admin.options, django.contrib.admin.sites  # noqa
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]) / 1024)
"""


def rss_of(layers: list[str], hide: list[str]) -> float:
    env = {
        **os.environ,
        "LAYERS": json.dumps(layers),
        "HIDE": json.dumps(hide),
        "PGHOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PGPORT": os.environ.get("PGPORT", "5432"),
        "PGUSER": os.environ.get("PGUSER", "postgres"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{layers}: {done.stderr[-2000:]}")
    return float(done.stdout.strip())


def main() -> None:
    for hide, title in [([], "optional modules installed"), (OPTIONAL, "optional modules hidden")]:
        print(f"{title}:")
        floor = None
        for name, layers in LAYERS.items():
            # The median of three fresh processes: RSS varies a little between runs.
            value = sorted(rss_of(layers, hide) for _ in range(3))[1]
            floor = floor or value
            print(f"  {name:<44} {value:6.1f} MiB  ratio {value / floor:.2f}")
        print(f"  the checkout target, 1.3 x the floor:         {1.3 * (floor or 0):6.1f} MiB")


if __name__ == "__main__":
    main()
