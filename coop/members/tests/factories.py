from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress

from coop.members.models import MembershipStatus, User

_member_numbers = iter(range(1, 10**9))


class UserFactory(factory.django.DjangoModelFactory[User]):
    """An applicant with a verified email address; `MemberFactory` for a member."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified_email(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class MemberFactory(UserFactory):
    membership_status = MembershipStatus.MEMBER
    member_number = factory.LazyFunction(lambda: next(_member_numbers))
    became_member_at = factory.Faker("date_time_this_decade", tzinfo=factory.Faker("pytimezone"))
