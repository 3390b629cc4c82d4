"""Writes of the rides service, by concern: offers and their trip status, bookings, payments,
the chat and live events, saved searches, commutes and commuter pools.

Seats are the scarce thing: every change of `Offer.seats_left` happens with the offer row
locked (coop.locking), checked against the fresh row. Stripe calls (hold at booking, capture
after the trip, release on cancellation) run outside our transactions.

Callers keep writing `from rides import services` and `services.<name>`: every public write is
re-exported here.
"""

from __future__ import annotations

from rides.services.alerts import (
    alert_create,
    alert_delete,
    alerts_notify,
)
from rides.services.bookings import (
    CANCELLATION,
    booking_accept,
    booking_cancel,
    booking_complete,
    booking_decline,
    booking_request,
    bookings_expire_unpaid,
    cancellation_charge_cents,
)
from rides.services.common import (
    Place,
    passenger_price_cents,
    price_cap_cents,
    road_km,
)
from rides.services.commutes import (
    COMMUTE_HORIZON_DAYS,
    commute_create,
    commute_extend,
)
from rides.services.live import (
    message_post,
)
from rides.services.offers import (
    MAX_WAYPOINTS,
    NEXT_STATUS,
    offer_advance,
    offer_create,
)
from rides.services.payments import (
    booking_payment_refresh,
)
from rides.services.pools import (
    PoolBooked,
    PoolSkipped,
    pool_book,
    pool_run_start,
    pool_run_work_out,
)

__all__ = [
    "CANCELLATION",
    "COMMUTE_HORIZON_DAYS",
    "MAX_WAYPOINTS",
    "NEXT_STATUS",
    "Place",
    "PoolBooked",
    "PoolSkipped",
    "alert_create",
    "alert_delete",
    "alerts_notify",
    "booking_accept",
    "booking_cancel",
    "booking_complete",
    "booking_decline",
    "booking_payment_refresh",
    "booking_request",
    "bookings_expire_unpaid",
    "cancellation_charge_cents",
    "commute_create",
    "commute_extend",
    "message_post",
    "offer_advance",
    "offer_create",
    "passenger_price_cents",
    "pool_book",
    "pool_run_start",
    "pool_run_work_out",
    "price_cap_cents",
    "road_km",
]
