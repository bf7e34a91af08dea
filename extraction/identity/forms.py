"""The admin login form of every process: says so when the users service does not answer.

Django's form can only say "wrong email or password" when no backend signs the
person in; a staff member whose password is right would then doubt it while the
users service is merely down. The backend marks the request, and this form
tells the two apart.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

# Set on the request by UsersContractBackend when the users contract was unreachable.
USERS_UNAVAILABLE = "_seams_users_unavailable"


class StaffAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "users_unavailable": (
            "Signing in is unavailable for the moment: the users service does not "
            "answer. Try again shortly."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, USERS_UNAVAILABLE, False):
            return ValidationError(
                self.error_messages["users_unavailable"], code="users_unavailable"
            )
        return super().get_invalid_login_error()
