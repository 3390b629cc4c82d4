from __future__ import annotations

import factory

from coop.members.tests.factories import MemberFactory
from coop.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(MemberFactory)
    kind = "lending.reservation_approved"
    title = factory.Sequence(lambda n: f"Your reservation #{n} was approved")
    body = "Pick it up on Saturday."
    url = factory.Sequence(lambda n: f"/lending/reservations/{n}/")
