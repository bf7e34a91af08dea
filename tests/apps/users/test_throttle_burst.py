"""The sign-in and sign-up limits hold under a concurrent burst on a shared cache (Redis).

Every thread is a separate client connection of the same address, released at the
same instant by a barrier; the counters live in Redis, as in production.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.users.api.throttles import AuthRateThrottle
from tests.services_plugin import SERVICES

pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]

BURST = 40
LIMIT = 5


@pytest.fixture
def redis_cache(settings, monkeypatch):
    # One instant for the whole burst: windows are fixed, and a burst that straddled
    # a window's end would rightly let a second budget through.
    monkeypatch.setattr(AuthRateThrottle, "timer", lambda self: 1_800_000_000.5)
    prefix = f"seams-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SERVICES.redis,
            "KEY_PREFIX": prefix,
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "auth.register": f"{LIMIT}/hour",
            "auth.token": f"{LIMIT}/minute",
            "auth.refresh": f"{LIMIT}/minute",
        },
    }
    yield cache
    # Only this test's keys: the database is shared with tests running in parallel.
    server = redis.Redis.from_url(SERVICES.redis)
    try:
        keys = list(server.scan_iter(match=f"{prefix}:*"))
        if keys:
            server.delete(*keys)
    finally:
        server.close()


def burst(url: str) -> list[int]:
    """BURST requests with a body refused after the throttle (400), all at once."""
    barrier = threading.Barrier(BURST)

    def one(_: int) -> int:
        client = APIClient()
        barrier.wait(timeout=30)
        return client.post(url, {}, format="json").status_code

    with ThreadPoolExecutor(BURST) as pool:
        return list(pool.map(one, range(BURST)))


@pytest.mark.parametrize("url", ["/api/v1/auth/token", "/api/v1/auth/register"])
def test_a_concurrent_burst_gets_exactly_the_limit_through(redis_cache, url):
    # when
    statuses = burst(url)
    # then: LIMIT requests reached the view (refused there for their empty body), no more
    assert statuses.count(429) == BURST - LIMIT, statuses
    assert statuses.count(400) == LIMIT


def test_after_a_burst_the_window_stays_closed_to_new_connections(redis_cache):
    # given: a burst spent the budget
    statuses = burst("/api/v1/auth/token")
    assert statuses.count(400) == LIMIT
    # when: a fresh client of the same address asks again
    again = APIClient().post("/api/v1/auth/token", {}, format="json")
    # then
    assert again.status_code == 429
