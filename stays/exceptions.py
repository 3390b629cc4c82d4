"""Stays' domain errors, each with a stable code."""

from __future__ import annotations

from coop.exceptions import Conflict, InvalidInput, NotAllowed


class NotAvailable(Conflict):
    code = "not_available"
    default_message = "Those nights are not available."


class NightCapReached(Conflict):
    code = "night_cap_reached"
    default_message = "This home has reached the city's yearly limit of nights."


class TooManyGuests(InvalidInput):
    code = "too_many_guests"
    default_message = "Too many guests for this stay."


class LicenceRequired(InvalidInput):
    code = "licence_required"
    default_message = "The city requires a valid licence number for short stays in this zone."


class OneHostOneHome(Conflict):
    code = "one_host_one_home"
    default_message = "A member may list one entire home, the one they live in."


class NewListingsClosed(Conflict):
    code = "new_listings_closed"
    default_message = "The city does not allow new short-stay listings in this zone."


class HomeHasBookings(Conflict):
    code = "home_has_bookings"
    default_message = "Guests are booked at your current address."


class InvalidDates(InvalidInput):
    code = "invalid_dates"
    default_message = "Those dates do not make a stay."


class BookingStateError(Conflict):
    code = "invalid_booking_state"
    default_message = "The booking cannot do that now."


class StaysNotAllowed(NotAllowed):
    code = "forbidden"
