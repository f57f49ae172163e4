from __future__ import annotations

from functools import cache

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from ourpatch.accounts.models import PartnerAgency, StaffProfile, StaffRole
from ourpatch.geography.factories import ForceFactory

PASSWORD = "correct horse battery staple"


@cache
def _password_hash() -> str:
    # Hashing is deliberately slow; hash the shared test password once, not per user.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@police.example")
    password = factory.LazyFunction(_password_hash)


class PartnerAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgency

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Council anti-social behaviour team {n}")
    kind = "council ASB team"


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = StaffRole.CONSTABLE
    force = factory.SubFactory(ForceFactory)

    @factory.post_generation
    def neighbourhoods(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.neighbourhoods.set(extracted)
