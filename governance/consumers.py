"""The live turnout counter of a ballot: `/ws/governance/ballots/<id>/`.

- Anonymous users: accepted and closed at once with 4401 (as the notification socket does).
- Unknown ballot: closed with 4404.
- On connect and after every committed vote: `{"type": "turnout", "voted": n, "eligible": m}`.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from governance.events import ballot_group_name
from governance.models import Ballot, VoterRecord

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _turnout(ballot_id: int) -> tuple[int, int] | None:
    eligible = Ballot.objects.filter(pk=ballot_id).values_list("eligible_count", flat=True).first()
    if eligible is None:
        return None
    return VoterRecord.objects.filter(ballot_id=ballot_id).count(), eligible


class BallotTurnoutConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        ballot_id = int(self.scope["url_route"]["kwargs"]["ballot_id"])
        counts = await _turnout(ballot_id)
        if counts is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group_name = ballot_group_name(ballot_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        voted, eligible = counts
        await self.send_json({"type": "turnout", "voted": voted, "eligible": eligible})

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Nothing to hear from the client; the counter only flows one way.
        return

    async def governance_turnout(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "turnout", "voted": event["voted"], "eligible": event["eligible"]}
        )
