"""factory-boy factories of the users app."""

from __future__ import annotations

import factory

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
    email = factory.Sequence(lambda n: f"staff{n}@seams.example")
    is_staff = True


class SuperuserFactory(StaffUserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@seams.example")
    is_superuser = True
