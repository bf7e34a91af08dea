"""The users part of the demo shop: an administrator and a few customers."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from apps.users.models import User
from contracts import demo


@transaction.atomic
def seed(*, log: Callable[[str], None]) -> None:
    admin, created = User.objects.get_or_create(
        email=demo.ADMIN_EMAIL,
        defaults={
            "id": demo.demo_id("user", demo.ADMIN_EMAIL),
            "full_name": "Shop Admin",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        admin.set_password(demo.ADMIN_PASSWORD)
        admin.save(update_fields=["password"])
    log(f"users: administrator {admin.email} ({'created' if created else 'kept'})")
    for email, name in demo.CUSTOMERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"id": demo.demo_id("user", email), "full_name": name}
        )
        if created:
            user.set_password(demo.CUSTOMER_PASSWORD)
            user.save(update_fields=["password"])
        log(f"users: customer {email} ({'created' if created else 'kept'})")
