"""Errors of the rides service, each with a stable code."""

from __future__ import annotations

from coop.exceptions import Conflict, InvalidInput, NotAllowed


class PriceAboveCost(InvalidInput):
    code = "price_above_cost"
    default_message = "The price per seat is above the trip's cost shared among the people in it."


class NoSeats(Conflict):
    code = "no_seats"
    default_message = "There are not enough seats left on this ride."


class NotAMatch(InvalidInput):
    code = "not_a_match"
    default_message = "This ride cannot pick you up and drop you off there within its limits."


class RideNotOpen(Conflict):
    code = "ride_not_open"
    default_message = "This ride no longer takes bookings."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "That change is not possible in the booking's or ride's current state."


class WrongCode(InvalidInput):
    code = "wrong_code"
    default_message = "That is not the booking code."


class RidesNotAllowed(NotAllowed):
    code = "forbidden"


class NotPaid(Conflict):
    code = "not_paid"
    default_message = "The seat price is not held on the passenger's card yet."
