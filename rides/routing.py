from __future__ import annotations

from django.urls import path

from rides.consumers import RideConsumer

websocket_urlpatterns = [
    path("ws/rides/<int:offer_id>/", RideConsumer.as_asgi()),
]
