"""Stays in a member's data export, and what leaving does to it.

Leaving waits while a stay is requested, awaiting payment or confirmed and not yet over, as
guest or as host: the other side relies on it. Bookings, stay records (the city's register) and
reviews stay afterwards; the member's listings are paused and their homes' addresses removed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from stays.models import (
    Booking,
    BookingStatus,
    Home,
    Listing,
    ListingStatus,
    Review,
    ReviewRole,
)

_UPCOMING = [BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED]


def _booking_row(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "listing": booking.listing.title,
        "check_in": booking.check_in,
        "check_out": booking.check_out,
        "guests": booking.guests,
        "status": booking.status,
        "total_cents": booking.total_cents,
        "refund_cents": booking.refund_cents,
        "refund_status": refund.status if (refund := getattr(booking, "refund", None)) else None,
        "currency": booking.currency,
        "created_at": booking.created_at,
    }


def export(member: User) -> dict[str, Any]:
    # One query for both sides: the reviews the member wrote, and the published ones hosts
    # wrote about them as a guest.
    reviews = list(
        Review.objects.filter(
            Q(author=member)
            | Q(booking__guest=member, role=ReviewRole.HOST, published_at__isnull=False)
        ).order_by("pk")
    )
    return {
        "homes": [
            {"address": home.address, "location": {"lat": home.lat, "lng": home.lng}}
            for home in Home.objects.filter(host=member).order_by("pk")
        ],
        "listings": [
            {
                "id": listing.pk,
                "title": listing.title,
                "description": listing.description,
                "status": listing.status,
                "nightly_price_cents": listing.nightly_price_cents,
                "currency": listing.currency,
                "licence_number": listing.licence_number,
                "created_at": listing.created_at,
            }
            for listing in Listing.objects.filter(host=member).order_by("pk")
        ],
        "bookings_as_guest": [
            _booking_row(booking)
            for booking in Booking.objects.filter(guest=member)
            .select_related("listing", "refund")
            .order_by("pk")
        ],
        "bookings_as_host": [
            _booking_row(booking)
            for booking in Booking.objects.filter(listing__host=member)
            .select_related("listing", "refund")
            .order_by("pk")
        ],
        "reviews_written": [
            {
                "booking": review.booking_id,
                "role": review.role,
                "rating": review.rating,
                "text": review.text,
                "created_at": review.created_at,
            }
            for review in reviews
            if review.author_id == member.pk
        ],
        "reviews_by_hosts_about_me": [
            {
                "booking": review.booking_id,
                "rating": review.rating,
                "text": review.text,
                "published_at": review.published_at,
            }
            for review in reviews
            if review.author_id != member.pk
        ],
    }


def obligations(member: User) -> list[str]:
    today = timezone.localdate()
    found = []
    if Booking.objects.filter(guest=member, status__in=_UPCOMING, check_out__gte=today).exists():
        found.append("You have an upcoming stay as a guest.")
    if Booking.objects.filter(
        listing__host=member, status__in=_UPCOMING, check_out__gte=today
    ).exists():
        found.append("You are hosting an upcoming stay.")
    return found


def anonymise(member: User) -> None:
    Listing.objects.filter(host=member).update(status=ListingStatus.PAUSED)
    Home.objects.filter(host=member).update(address="Removed")


def locks(member: User) -> list[Home]:
    """The member's homes: a booking locks its home, then guest and host (`booking_create`), and
    `anonymise` updates the homes, so deletion takes them in that order too, never the reverse."""
    return list(Home.objects.filter(host=member).order_by("pk"))


privacy_register(
    section="stays", export=export, anonymise=anonymise, obligations=obligations, locks=locks
)
