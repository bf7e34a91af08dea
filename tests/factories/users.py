"""factory-boy factories of the users app."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from apps.users.api.serializers import TokenPairSerializer
from apps.users.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class StaffUserFactory(UserFactory):
    """Staff with no permission unless given, e.g. ``permissions=["users.view_user"]``."""

    email = factory.Sequence(lambda n: f"staff{n}@seams.example")
    is_staff = True

    @factory.post_generation
    def permissions(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for label in extracted or ():
            app_label, codename = label.split(".")
            self.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class SuperuserFactory(StaffUserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@seams.example")
    is_superuser = True


def sign_in_to_admin(client: Client, user: User, password: str = PASSWORD) -> Client:
    """Sign ``user`` in as the admin login does: through the users contract, as the shadow.

    ``force_login`` would not do: the session belongs to ``AUTH_USER_MODEL``, the
    local staff shadow, which only the authentication backend fills.
    """
    assert client.login(email=user.email, password=password), f"{user.email} cannot sign in"
    return client


def token_pair_for(user: User) -> RefreshToken:
    """The refresh token (``.access_token`` for the access one) the API would issue."""
    token: RefreshToken = TokenPairSerializer.get_token(user)
    return token
