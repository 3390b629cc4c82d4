"""The live turnout counter: what vote_cast tells open sockets after commit.

Sockets watching a ballot join `ballot_group_name(ballot_id)`; each committed vote sends a
`governance.turnout` group message and the consumer forwards `{"type": "turnout", "voted",
"eligible"}`. Only counts travel, never who voted.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

TURNOUT = "governance.turnout"


def ballot_group_name(ballot_id: int) -> str:
    return f"governance.ballot.{ballot_id}"


def broadcast_turnout(ballot_id: int) -> None:
    from governance.models import Ballot, VoterRecord  # noqa: PLC0415 - keep events import-light

    eligible = Ballot.objects.filter(pk=ballot_id).values_list("eligible_count", flat=True).first()
    voted = VoterRecord.objects.filter(ballot_id=ballot_id).count()
    layer = get_channel_layer()
    if layer is None:
        logger.warning("No channel layer configured; turnout not broadcast.")
        return
    async_to_sync(layer.group_send)(
        ballot_group_name(ballot_id),
        {"type": TURNOUT, "voted": voted, "eligible": eligible or 0},
    )
