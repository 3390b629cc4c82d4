"""WebSocket routes of every app, gathered for coop.asgi."""

from __future__ import annotations

from coop.notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*notification_routes]
