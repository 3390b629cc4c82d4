from __future__ import annotations

from django.urls import path

from governance.consumers import BallotTurnoutConsumer

websocket_urlpatterns = [
    path("ws/governance/ballots/<int:ballot_id>/", BallotTurnoutConsumer.as_asgi()),
]
