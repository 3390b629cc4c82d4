"""A host who moves: the one home (one host, one home) takes the new address.

What guests and the city expect decides the rules:
- Guests booked the old address. While a stay there is confirmed, held or under way, the move
  waits: the host cancels those stays (guests are refunded in full, as for any host
  cancellation) or records the move after the last guest checks out.
- The new address is a new dwelling for the city: its zone's rules apply as to a new listing
  (a zone closed to new listings takes none, a licence valid there is needed), the licence
  number (per dwelling) is replaced on every listing of the home, and the yearly cap of nights
  counts from the move on.
- The approximate point shown to others is drawn afresh (`Home.display_key`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coop.commons.services import commons_event_publish
from coop.exceptions import InvalidInput, NotFound
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from stays.exceptions import HomeHasBookings, LicenceRequired, NewListingsClosed
from stays.models import HOLDING, Booking, BookingStatus, Home, Listing, ListingStatus
from stays.services import require_member
from stays.zones import zone_for_point, zone_policy


def _bookings_at_old_address(home: Home) -> list[Booking]:
    """Stays that were promised the current address and have not checked out."""
    now = timezone.now()
    return list(
        Booking.objects.filter(
            Q(status=BookingStatus.CONFIRMED) | Q(status__in=HOLDING, hold_until__gt=now),
            listing__home=home,
            check_out__gt=timezone.localdate(),
        ).order_by("check_in")[:20]
    )


def home_move(*, host: User, address: str, point: Point | None, licence_number: str) -> Home:
    """Record that the host moved: new address, zone, rules, licence and approximate point."""
    require_member(host)
    problems: dict[str, list[str]] = {}
    if not address.strip():
        problems["address"] = ["Give the new address."]
    if point is None:
        problems["location"] = ["Give the new location."]
    if problems:
        raise InvalidInput("Say where you live now.", fields=problems)
    assert point is not None
    home = Home.objects.filter(host=host).first()
    if home is None:
        raise NotFound("You have no home listed yet: list it with its address.")
    zone = zone_for_point(point)
    policy = zone_policy(zone)
    licence_number = licence_number.strip()
    with transaction.atomic():
        # The lock every booking of this home takes: no booking slips in during the move.
        (home,) = lock_for_update(home)
        booked = _bookings_at_old_address(home)
        if booked:
            dates = ", ".join(f"{b.check_in:%d %b}-{b.check_out:%d %b}" for b in booked[:5])
            raise HomeHasBookings(
                f"Guests are booked at your current address ({dates}). Cancel those stays or "
                f"record your move after the last check-out."
            )
        active = list(home.listings.filter(status=ListingStatus.ACTIVE))
        if active and not policy.new_listings:
            raise NewListingsClosed(
                "The city does not allow new short-stay listings where you moved. Pause your "
                "listings to record the move; they cannot be let there."
            )
        if active and not policy.licence_ok(licence_number):
            raise LicenceRequired(
                "The city requires a licence for the new home.",
                fields={"licence_number": ["A valid licence for the new home (e.g. HUTB-012345)."]},
            )
        home.address = address.strip()
        home.lat, home.lng = point.lat, point.lng
        home.zone = zone
        home.moves += 1
        home.moved_on = timezone.localdate()
        home.save(update_fields=["address", "lat", "lng", "zone", "moves", "moved_on"])
        # A licence belongs to a dwelling: the old one does not follow the host.
        Listing.objects.filter(home=home).update(licence_number=licence_number)
        if active and policy.licence_required:
            for listing in active:
                commons_event_publish(
                    kind="listing.regulated_zone",
                    payload={
                        "zone": policy.zone_slug,
                        "registration_number": licence_number,
                        "home_type": listing.home_type,
                        "capacity": listing.capacity,
                    },
                )
    return home
