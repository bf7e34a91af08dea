"""The authentication backend of every process: staff sign in through the users contract.

``authenticate`` asks ``UsersService.authenticate_staff`` (in process where the
users app runs, over RPC elsewhere) and syncs the local shadow, so the admin of
any service accepts the one Seams account and grants exactly its permissions.
Permission checks are Django's ModelBackend on the shadow's local rows. A
signed-in session is re-confirmed with ``get_staff_identity`` once it is older
than ``SEAMS_STAFF_RESYNC_SECONDS``: a demoted staff member loses the admin
within that delay in every service. A deactivated one loses it on the next
request after the process heard ``UserDeactivated`` (which feeds the token
denylist): the shadow is retired without waiting for the users service.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from apikit.auth.revocation import revoked_until
from contracts import ContractError, get
from contracts.services import ProviderMissing
from contracts.users import StaffAuthenticationFailed, UsersService
from extraction.identity import services
from extraction.identity.forms import USERS_UNAVAILABLE
from extraction.identity.models import StaffUser

logger = logging.getLogger(__name__)


class UsersContractBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> StaffUser | None:
        email = username if username is not None else kwargs.get(StaffUser.USERNAME_FIELD)
        if not email or password is None:
            return None
        try:
            identity = get(UsersService).authenticate_staff(email=email, password=password)
        except StaffAuthenticationFailed:
            return None
        except ContractError as exc:
            # The users service is unreachable or refused: no sign-in, no 500.
            logger.warning("staff sign-in of %s refused: users contract said %s", email, exc.code)
            _mark_unavailable(request)
            return None
        except ProviderMissing:
            # seams.E001 reports this at startup; a sign-in must not answer 500.
            logger.error("staff sign-in of %s refused: UsersService is not reachable here", email)
            _mark_unavailable(request)
            return None
        return services.staff_shadow_sync(identity=identity)

    def get_user(self, user_id: Any) -> StaffUser | None:
        shadow = super().get_user(user_id)
        if not isinstance(shadow, StaffUser):
            return None
        # A deactivation this process heard of since the last confirmation
        # (UserDeactivated feeds the token denylist in every service) ends the
        # session at once, even while the users service does not answer.
        revoked = revoked_until(shadow.pk)
        if revoked is not None and revoked >= shadow.synced_at.timestamp():
            services.stale_shadow_retire(shadow=shadow)
            return None
        if timezone.now() - shadow.synced_at < timedelta(
            seconds=settings.SEAMS_STAFF_RESYNC_SECONDS
        ):
            return shadow
        try:
            identity = get(UsersService).get_staff_identity(user_id=shadow.pk)
        except StaffAuthenticationFailed:
            services.stale_shadow_retire(shadow=shadow)
            return None
        except (ContractError, ProviderMissing) as exc:
            # Keep the session on what was last confirmed while users is away.
            logger.warning("staff %s not re-confirmed by the users contract: %r", shadow.pk, exc)
            return shadow
        return services.staff_shadow_sync(identity=identity)


def _mark_unavailable(request: HttpRequest | None) -> None:
    if request is not None:
        setattr(request, USERS_UNAVAILABLE, True)
