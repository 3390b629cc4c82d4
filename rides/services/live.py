"""The chat of a ride and the live events its page receives over the websocket."""

from __future__ import annotations

from django.db import transaction

from coop.exceptions import InvalidInput
from coop.members.models import User
from rides import selectors
from rides.exceptions import (
    RidesNotAllowed,
)
from rides.models import (
    Message,
    Offer,
)

# --- Chat -------------------------------------------------------------------------------------


def message_post(*, author: User, offer: Offer, body: str) -> Message:
    body = body.strip()
    if not body or len(body) > 2000:
        raise InvalidInput(fields={"body": ["Write 1 to 2000 characters."]})
    if not selectors.is_on_ride(author, offer):
        raise RidesNotAllowed("Only the driver and the passengers of a ride can chat.")
    with transaction.atomic():
        message = Message.objects.create(offer=offer, author=author, body=body)
        _broadcast(
            offer,
            {
                "type": "message",
                "id": message.pk,
                "author": author.display_name,
                "body": body,
                "created_at": message.created_at.isoformat(),
            },
        )
    return message


def _broadcast(offer: Offer, event: dict[str, object]) -> None:
    """Push an event to everybody watching the ride's live page, once committed."""
    from rides.consumers import ride_group_send  # noqa: PLC0415 (channels loads late)

    offer_id = offer.pk
    transaction.on_commit(lambda: ride_group_send(offer_id, event))
