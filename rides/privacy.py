"""Rides in a member's data export, and what leaving does to it.

Leaving waits while the member has a seat booked (requested or accepted) on a ride that has not
happened yet, or drives such a ride with passengers booked. Afterwards their remaining
scheduled offers (without passengers) are cancelled, regular commutes and saved searches are
deleted and their chat messages emptied; past trips and bookings stay (payments point at them).
"""

from __future__ import annotations

from typing import Any

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from rides.models import HOLDING, Booking, Commute, Message, Offer, SearchAlert, TripStatus

_ACTIVE_TRIPS = [TripStatus.SCHEDULED, TripStatus.BOARDING, TripStatus.UNDER_WAY]


def export(member: User) -> dict[str, Any]:
    return {
        "offers": [
            {
                "id": offer.pk,
                "from": offer.origin_label,
                "to": offer.destination_label,
                "departs_at": offer.departs_at,
                "seats": offer.seats,
                "price_per_seat_cents": offer.price_per_seat_cents,
                "currency": offer.currency,
                "vehicle": offer.vehicle,
                "status": offer.status,
            }
            for offer in Offer.objects.filter(driver=member).order_by("pk")
        ],
        "bookings": [
            {
                "id": booking.pk,
                "offer": booking.offer_id,
                "departs_at": booking.offer.departs_at,
                "seats": booking.seats,
                "pickup": {"lat": booking.pickup_lat, "lng": booking.pickup_lng},
                "dropoff": {"lat": booking.dropoff_lat, "lng": booking.dropoff_lng},
                "price_cents": booking.price_cents,
                "currency": booking.currency,
                "status": booking.status,
                "created_at": booking.created_at,
            }
            for booking in Booking.objects.filter(passenger=member)
            .select_related("offer")
            .order_by("pk")
        ],
        "commutes": [
            {
                "from": commute.origin_label,
                "to": commute.destination_label,
                "weekdays": list(commute.weekdays),
                "departure_time": commute.departure_time,
                "until": commute.until,
            }
            for commute in Commute.objects.filter(driver=member).order_by("pk")
        ],
        "saved_searches": [
            {
                "label": alert.label,
                "origin": {"lat": alert.origin_lat, "lng": alert.origin_lng},
                "destination": {"lat": alert.destination_lat, "lng": alert.destination_lng},
                "created_at": alert.created_at,
            }
            for alert in SearchAlert.objects.filter(member=member).order_by("pk")
        ],
        "messages": [
            {"offer": message.offer_id, "body": message.body, "created_at": message.created_at}
            for message in Message.objects.filter(author=member).order_by("pk")
        ],
    }


def obligations(member: User) -> list[str]:
    found = []
    if Booking.objects.filter(
        passenger=member, status__in=HOLDING, offer__status__in=_ACTIVE_TRIPS
    ).exists():
        found.append("You have a seat booked on a ride that has not happened yet.")
    if Booking.objects.filter(
        offer__driver=member, status__in=HOLDING, offer__status__in=_ACTIVE_TRIPS
    ).exists():
        found.append("You are driving a ride that passengers have booked.")
    return found


def anonymise(member: User) -> None:
    Offer.objects.filter(driver=member, status=TripStatus.SCHEDULED).update(
        status=TripStatus.CANCELLED
    )
    Commute.objects.filter(driver=member).delete()
    SearchAlert.objects.filter(member=member).delete()
    Message.objects.filter(author=member).update(body="")


def locks(member: User) -> list[Offer]:
    """The rides the member still drives: a booking locks its ride, then passenger and driver
    (`booking_request`), and `anonymise` cancels these rides, so deletion locks them first."""
    return list(Offer.objects.filter(driver=member, status=TripStatus.SCHEDULED).order_by("pk"))


privacy_register(
    section="rides", export=export, anonymise=anonymise, obligations=obligations, locks=locks
)
