"""UserRegistered → the welcome email, through the outbox, the handler and Celery.

Celery runs eager in tests (no broker configured), as in the embedded default.
"""

from __future__ import annotations

import smtplib
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from apps.users import services
from apps.users.tasks import send_welcome_email
from extraction.models import InboxEntry, OutboxEvent, OutboxStatus
from tests.factories.users import UserFactory

PASSWORD = "plum-orchard-47-lantern"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    attempts = 0

    def send_messages(self, email_messages):
        FailingBackend.attempts += 1
        raise smtplib.SMTPServerDisconnected("the server hung up")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registering_sends_one_welcome_email_after_the_commit():
    # when
    with transaction.atomic():
        user = services.user_register(
            email="ada@example.com", password=PASSWORD, full_name="Ada Lovelace"
        )
        assert mail.outbox == []  # nothing leaves before the commit
    # then
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Welcome to the Seams shop"
    assert "Hello Ada Lovelace" in message.body
    row = OutboxEvent.objects.get(name="users.UserRegistered")
    assert row.status == OutboxStatus.PUBLISHED
    assert InboxEntry.objects.filter(
        event_id=row.event_id, handler="apps.users.handlers.queue_welcome_email"
    ).exists()
    assert user.email == "ada@example.com"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_registration_sends_nothing():
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        services.user_register(email="ada@example.com", password=PASSWORD)
        raise RuntimeError("the caller failed after registering")
    # then
    assert mail.outbox == []
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_the_task_skips_a_deactivated_or_missing_account():
    # given
    user = UserFactory(is_active=False)
    # when / then
    assert send_welcome_email.delay(str(user.id)).get() is False
    assert send_welcome_email.delay(str(uuid.uuid4())).get() is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_task_is_off_when_the_setting_says_so(settings):
    # given
    settings.USERS_WELCOME_EMAIL_ENABLED = False
    user = UserFactory()
    # when / then
    assert send_welcome_email.delay(str(user.id)).get() is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_task_retries_a_failing_mail_server_a_bounded_number_of_times(settings, monkeypatch):
    # given: failures stay inside the task, as on a worker (eager retries would
    # otherwise surface as celery.exceptions.Retry after the first attempt)
    monkeypatch.setitem(send_welcome_email.app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.attempts = 0
    user = UserFactory()
    # when
    result = send_welcome_email.apply(args=[str(user.id)])
    # then: the first try and max_retries more, then it gives up with the error
    assert FailingBackend.attempts == 1 + send_welcome_email.max_retries
    assert result.state == "FAILURE"
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
