"""Celery tasks of the users app: thin, taking ids, with bounded retries."""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from apikit.tasks import shared_task
from apps.users import selectors

logger = logging.getLogger(__name__)


@shared_task(
    name="users.send_welcome_email",
    # SMTPException and connection failures are OSErrors: worth another try.
    # Anything else (a broken template) would fail the same way again.
    autoretry_for=(OSError,),
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    acks_late=True,
)
def send_welcome_email(user_id: str) -> bool:
    """Send the welcome email; returns whether one was sent.

    The account is read when the task runs, not when it was queued: an account
    deleted or deactivated in between gets no mail.
    """
    if not settings.USERS_WELCOME_EMAIL_ENABLED:
        return False
    user = selectors.user_find(user_id=UUID(user_id))
    if user is None or not user.is_active:
        logger.info("welcome email skipped: account %s is gone or inactive", user_id)
        return False
    context = {"user": user, "shop_name": settings.USERS_WELCOME_EMAIL_SHOP_NAME}
    send_mail(
        subject=render_to_string("users/welcome_email_subject.txt", context).strip(),
        message=render_to_string("users/welcome_email.txt", context),
        from_email=settings.USERS_WELCOME_EMAIL_FROM,
        recipient_list=[user.email],
    )
    return True
