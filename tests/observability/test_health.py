"""``/healthz`` answers whatever the dependencies do; ``/readyz`` says whether to send traffic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from extraction.observability import remote
from extraction.observability.remote import BreakerState, RemoteService, StaticRemoteServices
from tests.extraction.conftest import wait_until
from tests.observability.scrape import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def remote_services():
    previous = []

    def install(*services: RemoteService) -> None:
        previous.append(remote.install(StaticRemoteServices(list(services))))

    yield install
    if previous:
        remote.install(previous[0])


def test_liveness_needs_nothing(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_ready_when_the_database_answers_and_is_migrated(client, remote_services):
    # given: a remote service whose breaker is closed
    remote_services(RemoteService("payments", "http://payments:8000", BreakerState.CLOSED))
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": []}
    assert body["checks"]["remote_services"]["services"] == {
        "payments": {"url": "http://payments:8000", "breaker": "closed", "failures": 0}
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_not_ready_while_a_remote_services_breaker_is_open(client, remote_services):
    # given: payments failed often enough for its breaker to open
    remote_services(
        RemoteService("payments", "http://payments:8000", BreakerState.OPEN, failures=5),
        RemoteService("users", "http://users:8000", BreakerState.CLOSED),
    )
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    check = response.json()["checks"]["remote_services"]
    assert check["ok"] is False
    assert check["services"]["payments"]["breaker"] == "open"


@pytest.mark.postgres
@pytest.mark.django_db
def test_not_ready_when_the_broker_is_unreachable(client, settings):
    # given: a broker URL where nothing listens
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.rabbitmq
@pytest.mark.postgres
@pytest.mark.django_db
def test_ready_reports_the_queues_this_process_consumes(client, rabbitmq):
    from kombu import Connection

    from extraction.events.routing import declare_topology

    # given: the service queues exist (a worker declared them) with nobody consuming
    with Connection(rabbitmq) as connection:
        declare_topology(connection.channel())
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 200, response.json()
    queues = response.json()["checks"]["broker"]["queues"]
    assert "orders" in queues
    assert set(queues) <= {"orders", "payments", "users"}
    assert queues["orders"]["exists"] is True
    assert queues["orders"]["consumers"] == 0


@pytest.fixture(scope="module")
def web_without_database(tmp_path_factory):
    """gunicorn with the image's config, its database URL pointing where nothing listens."""
    port = free_port()
    dead = free_port(other_than=port)
    log = tmp_path_factory.mktemp("web") / "web.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "project.wsgi:application",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/nowhere",
            "CELERY_BROKER_URL": "",
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(f"{base}/healthz", timeout=1)
        except httpx.TransportError:
            return False
        return True

    try:
        wait_until(up, timeout=30, what="gunicorn to answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_unreachable_database_keeps_the_process_alive_but_not_ready(web_without_database):
    # when
    alive = httpx.get(f"{web_without_database}/healthz", timeout=10)
    ready = httpx.get(f"{web_without_database}/readyz", timeout=10)
    # then
    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "5"
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] is False
    assert "OperationalError" in checks["database"]["error"]
    assert checks["migrations"] == {"ok": False, "error": "database unreachable"}
    # and the API's health endpoint says so too, as a 503 to retry, not a 500
    health = httpx.get(f"{web_without_database}/health/", timeout=10)
    assert health.status_code == 503
    assert health.headers["Retry-After"] == "5"
    assert health.json()["code"] == "database_unavailable"


def test_probes_answer_whatever_the_host_and_scheme(client, settings):
    # given: production's host list and HTTPS redirect
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    # when: the kubelet probes the pod by its IP over plain HTTP
    probe = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    page = client.get("/api/", HTTP_HOST="10.1.2.3:8000")
    # then: the probe is answered; any other route is refused as before
    assert probe.status_code == 200
    assert page.status_code == 400
