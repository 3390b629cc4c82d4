"""WebSocket routes of every app, gathered for coop.asgi."""

from __future__ import annotations

from coop.notifications.routing import websocket_urlpatterns as notification_routes
from governance.routing import websocket_urlpatterns as governance_routes
from rides.routing import websocket_urlpatterns as ride_routes

websocket_urlpatterns = [*notification_routes, *governance_routes, *ride_routes]
