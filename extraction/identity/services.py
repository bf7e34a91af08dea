"""Writes of the staff shadow: one sync from what the users contract answered."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contracts.users import StaffIdentityDTO
from extraction.identity.models import StaffUser


def _local_permissions(labels: tuple[str, ...]) -> list[Permission]:
    """The permissions among ``labels`` that exist in this process.

    A label of an app that does not run here has no row and is skipped: that app's
    admin is not served here, so there is nothing to grant.
    """
    wanted = Q()
    for label in labels:
        app_label, _, codename = label.partition(".")
        if app_label and codename:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
    if not wanted:
        return []
    return list(Permission.objects.filter(wanted).order_by("pk"))


@transaction.atomic
def staff_shadow_sync(*, identity: StaffIdentityDTO) -> StaffUser:
    """Create or update the shadow of ``identity``; its permissions become exactly these."""
    shadow = StaffUser.objects.select_for_update().filter(pk=identity.id).first()
    if shadow is None:
        shadow = StaffUser(id=identity.id)
        # Never a usable password here; set once, because Django derives the
        # session's auth hash from it (a new one would end every other session).
        shadow.set_unusable_password()
    # An older shadow may hold this address (an account deleted and made again in
    # the users app): it is another person now, and must not keep the address.
    for stale in (
        StaffUser.objects.select_for_update().filter(email=identity.email).exclude(pk=identity.id)
    ):
        stale_shadow_retire(shadow=stale)
    shadow.email = identity.email
    shadow.full_name = identity.full_name
    shadow.is_active = identity.is_active
    shadow.is_staff = identity.is_staff
    shadow.is_superuser = identity.is_superuser
    shadow.synced_at = timezone.now()
    shadow.save()
    shadow.user_permissions.set(_local_permissions(identity.permissions))
    return shadow


@transaction.atomic
def stale_shadow_retire(*, shadow: StaffUser) -> None:
    """The users app no longer vouches for this shadow: it can neither sign in nor act.

    The row stays (admin log entries point at it); its password marker changes,
    which ends its sessions.
    """
    shadow.email = f"retired-{shadow.pk}@identity.invalid"
    shadow.is_active = False
    shadow.is_staff = False
    shadow.is_superuser = False
    shadow.set_unusable_password()
    shadow.save()
    shadow.user_permissions.clear()
