"""Concurrent sign-ups with one email address, on the real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.users import services
from apps.users.error_codes import EmailTaken
from apps.users.models import User
from extraction.models import OutboxEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_concurrent_registrations_of_one_email_make_one_account():
    # given
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.user_register(
                email=f"Same@Example.com{' ' * n}", password="plum-orchard-47-lantern"
            )
            outcome = "created"
        except EmailTaken:
            outcome = "taken"
        except Exception as exc:  # noqa: BLE001 - any other outcome is the failure we look for
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(THREADS)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(outcomes) == ["created"] + ["taken"] * (THREADS - 1)
    assert User.objects.filter(email="same@example.com").count() == 1
    assert OutboxEvent.objects.filter(name="users.UserRegistered").count() == 1
