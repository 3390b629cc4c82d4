"""HTML pages of the rides service: phone-first search, offer, requests and the live trip."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_time
from django.views.decorators.http import require_POST

from coop.exceptions import DomainError, InvalidInput
from coop.geo.points import Point
from coop.members.models import User
from coop.money.checkout import card_payment_context
from coop.money.models import PaymentStatus
from frontend.catalogue import service_page_context
from frontend.forms import form_add_domain_error
from governance.board import board_action_check
from governance.parameters import parameter_value
from rides import forms, maps, selectors, services
from rides.models import Booking, BookingStatus, Offer, PoolRunStatus, TripStatus

View = Callable[..., HttpResponse]


def _member_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.in_good_standing:  # type: ignore[union-attr]
            return redirect("rides:index")
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def index(request: HttpRequest) -> HttpResponse:
    """What the service is, how it works and its fairness rules; members get the way in. Public."""
    context = service_page_context("rides")
    context["co2_kg"] = round(selectors.co2_saved_for_coop() / 1000, 1)
    context["cost_per_km_cents"] = parameter_value("rides.cost_per_km_cents")
    return render(request, "rides/index.html", context)


def plot(route: Sequence[Point], marks: Sequence[Point] = ()) -> dict[str, Any]:
    """A small SVG plot of a route and a passenger's pickup/drop-off, without map tiles."""
    points = [*route, *marks]
    min_lat, max_lat = min(p.lat for p in points), max(p.lat for p in points)
    min_lng, max_lng = min(p.lng for p in points), max(p.lng for p in points)
    span = max(max_lat - min_lat, max_lng - min_lng, 0.005)
    pad = span * 0.1

    def xy(p: Point) -> tuple[float, float]:
        x = (p.lng - min_lng + pad) / (span + 2 * pad) * 300
        y = (max_lat - p.lat + pad) / (span + 2 * pad) * 300
        return round(x, 1), round(y, 1)

    path = " ".join(f"{x},{y}" for x, y in map(xy, route))
    return {
        "path": path,
        "start": xy(route[0]),
        "end": xy(route[-1]),
        "marks": [xy(p) for p in marks],
    }


def _result(found: selectors.FoundMatch, seats: int) -> dict[str, Any]:
    match = found.match
    return {
        "offer": found.offer,
        "match": match,
        "explanation": match.explanation(),
        "price_cents": services.passenger_price_cents(
            offer=found.offer, shared_km=match.shared_km, seats=seats
        ),
        # Not on the ride yet: the driver's start, end and stops are shown approximately.
        "plot": plot(selectors.offer_route_for_public(found.offer), [match.pickup, match.dropoff]),
        "seats": seats,
    }


@_member_only
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None, initial={"day": timezone.localdate()})
    results: list[dict[str, Any]] = []
    searched = False
    origin: tuple[Point, str] | None = None
    destination: tuple[Point, str] | None = None
    if form.is_bound and form.is_valid():
        origin = forms.resolve_place(form, "origin")
        destination = forms.resolve_place(form, "destination")
        if origin and destination:
            start, end = form.window()
            if end < start:
                form.add_error("latest", "Must be after the earliest time.")
            else:
                searched = True
                found = selectors.offer_matches(
                    origin=origin[0],
                    destination=destination[0],
                    depart_after=max(start, timezone.now()),
                    depart_before=end,
                    seats=form.cleaned_data["seats"],
                    order=form.cleaned_data["order"] or "score",
                    viewer=_user(request),
                )
                seats = form.cleaned_data["seats"]
                results = [_result(f, seats) for f in found[:50]]
    shown = (
        [r["offer"] for r in results]
        if searched
        else list(selectors.offer_upcoming(now=timezone.now()).exclude(driver=_user(request))[:40])
    )
    context = {
        "form": form,
        "results": results,
        "searched": searched,
        "map": maps.search_map(
            offers=shown,
            origin=origin[0] if origin else None,
            destination=destination[0] if destination else None,
        ),
    }
    if searched:
        context["alert"] = {
            "origin": str(origin[0]) if origin else "",
            "destination": str(destination[0]) if destination else "",
            "label": f"{origin[1]} → {destination[1]}" if origin and destination else "",
            "earliest": form.cleaned_data["earliest"].strftime("%H:%M"),
            "latest": form.cleaned_data["latest"].strftime("%H:%M"),
            "seats": form.cleaned_data["seats"],
        }
    return render(request, "rides/search.html", context)


@require_POST
@_member_only
def alert_new(request: HttpRequest) -> HttpResponse:
    """Save the search just made: the member is notified when a matching ride is posted."""
    data = request.POST
    try:
        services.alert_create(
            member=_user(request),
            origin=Point.parse(data.get("origin", "")),
            destination=Point.parse(data.get("destination", "")),
            seats=int(data.get("seats", "1") or 1),
            label=data.get("label", ""),
            earliest_time=parse_time(data.get("earliest", "")),
            latest_time=parse_time(data.get("latest", "")),
        )
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", "That search cannot be saved."))
    else:
        messages.success(request, "Saved. We will tell you when a matching ride is posted.")
    return redirect("rides:search")


# A service names a place's problems by its parts; the forms have one field per place.
_PLACE_ERRORS = {"origin.label": "origin", "destination.label": "destination"}


def _form_places(
    form: forms.OfferForm | forms.CommuteForm,
) -> tuple[services.Place, services.Place] | None:
    """The origin and destination a driver picked, or None (the form then says what is wrong)."""
    origin = forms.resolve_place(form, "origin")
    destination = forms.resolve_place(form, "destination")
    if origin and destination:
        return services.Place(*origin), services.Place(*destination)
    return None


@_member_only
def offer_new(request: HttpRequest) -> HttpResponse:
    form = forms.OfferForm(request.POST or None)
    if form.is_bound and form.is_valid():
        places = _form_places(form)
        if places:
            data = form.cleaned_data
            try:
                offer = services.offer_create(
                    driver=_user(request),
                    origin=places[0],
                    destination=places[1],
                    departs_at=data["departs_at"],
                    seats=data["seats"],
                    price_per_seat_cents=data["price_per_seat"],
                    instant_booking=data["instant_booking"],
                    vehicle=data["vehicle"],
                    luggage=data["luggage"],
                    bike=data["bike"],
                    max_two_in_back=data["max_two_in_back"],
                    pets=data["pets"],
                    quiet=data["quiet"],
                )
            except DomainError as error:
                form_add_domain_error(
                    form, error, rename={**_PLACE_ERRORS, "price_per_seat_cents": "price_per_seat"}
                )
            else:
                messages.success(request, "Your ride is published.")
                return redirect("rides:offer", pk=offer.pk)
    context = {"form": form, "cost_per_km_cents": parameter_value("rides.cost_per_km_cents")}
    return render(request, "rides/offer_form.html", context)


@_member_only
def commute_new(request: HttpRequest) -> HttpResponse:
    """A regular trip entered once; the rides of the coming two weeks appear at once."""
    form = forms.CommuteForm(request.POST or None)
    if form.is_bound and form.is_valid():
        places = _form_places(form)
        if places:
            data = form.cleaned_data
            try:
                commute = services.commute_create(
                    driver=_user(request),
                    origin=places[0],
                    destination=places[1],
                    weekdays=data["weekdays"],
                    departure_time=data["departure_time"],
                    until=data["until"],
                    seats=data["seats"],
                    instant_booking=data["instant_booking"],
                )
            except DomainError as error:
                form_add_domain_error(form, error, rename=_PLACE_ERRORS)
            else:
                messages.success(request, f"{commute.offers.count()} rides published.")
                return redirect("rides:mine")
    return render(request, "rides/commute_form.html", {"form": form})


def _offer_or_404(pk: int) -> Offer:
    return selectors.offer_get(pk)


@_member_only
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    offer = _offer_or_404(pk)
    is_driver = offer.driver_id == user.pk
    mine = offer.bookings.filter(passenger=user).select_related("payment").order_by("-id").first()
    if _payment_due(mine):
        # Back from the card form: Stripe may know before its webhook reaches us.
        with contextlib.suppress(DomainError):  # Stripe unreachable: the page still shows
            services.booking_payment_refresh(booking=cast("Booking", mine))
    on_ride = is_driver or (mine is not None and mine.status != BookingStatus.DECLINED)
    context = {
        "offer": offer,
        "is_driver": is_driver,
        "on_ride": on_ride,
        "booking": mine,
        "bookings": selectors.bookings_of_offer(offer) if is_driver else [],
        "chat": offer.messages.select_related("author") if on_ride else [],
        "message_form": forms.MessageForm(),
        "code_form": forms.CodeForm(),
        "next_status": services.NEXT_STATUS.get(TripStatus(offer.status)),
        "plot": plot(
            offer.route if on_ride else selectors.offer_route_for_public(offer),
            [mine.pickup, mine.dropoff] if mine else [],
        ),
        "co2_kg": round(selectors.co2_saved_for_offer(offer) / 1000, 1),
        "payment_due": _payment_due(mine),
        **card_payment_context(),
        "statuses": [
            TripStatus.SCHEDULED,
            TripStatus.BOARDING,
            TripStatus.UNDER_WAY,
            TripStatus.DONE,
        ],
    }
    return render(request, "rides/offer_detail.html", context)


def _payment_due(booking: Booking | None) -> bool:
    """The passenger still has to authorise the card hold in the browser."""
    return (
        booking is not None
        and booking.status in (BookingStatus.REQUESTED, BookingStatus.ACCEPTED)
        and booking.payment is not None
        and booking.payment.status == PaymentStatus.PENDING
    )


def _act(request: HttpRequest, pk: int, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("rides:offer", pk=pk)


@require_POST
@_member_only
def offer_book(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_or_404(pk)
    form = forms.BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how many seats and where to be picked up.")
        return redirect("rides:search")

    def book() -> Booking:
        try:
            pickup = Point.parse(form.cleaned_data["pickup"])
            dropoff = Point.parse(form.cleaned_data["dropoff"])
        except InvalidInput as error:
            raise InvalidInput(error.message) from None
        return services.booking_request(
            passenger=_user(request),
            offer=offer,
            seats=form.cleaned_data["seats"],
            pickup=pickup,
            dropoff=dropoff,
        )

    return _act(request, pk, book, "Your seat is booked. Pay below to hold it.")


@require_POST
@_member_only
def offer_status(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_or_404(pk)
    status = request.POST.get("status", "")
    return _act(
        request,
        pk,
        lambda: services.offer_advance(driver=_user(request), offer=offer, status=status),
        "The passengers have been told.",
    )


@require_POST
@_member_only
def offer_message(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_or_404(pk)
    body = request.POST.get("body", "")
    return _act(
        request,
        pk,
        lambda: services.message_post(author=_user(request), offer=offer, body=body),
        "Message sent.",
    )


_BOOKING_ACTIONS = {"accept", "decline", "cancel", "complete"}


@require_POST
@_member_only
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    booking = selectors.booking_get_for_user(user, pk)
    if action not in _BOOKING_ACTIONS:
        return redirect("rides:offer", pk=booking.offer_id)

    def run() -> Booking:
        if action == "accept":
            return services.booking_accept(driver=user, booking=booking)
        if action == "decline":
            return services.booking_decline(driver=user, booking=booking)
        if action == "cancel":
            return services.booking_cancel(user=user, booking=booking)
        return services.booking_complete(
            user=user, booking=booking, code=request.POST.get("code", "")
        )

    return _act(request, booking.offer_id, run, "Done.")


@_member_only
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get_for_user(_user(request), pk)
    return redirect("rides:offer", pk=booking.offer_id)


@_member_only
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "offers": selectors.offer_list(driver=user).filter(
            departs_at__gte=timezone.now() - timedelta(days=30)
        )[:50],
        "bookings": selectors.bookings_of_passenger(user)[:50],
        "co2_kg": round(selectors.co2_saved_for_member(user) / 1000, 1),
    }
    return render(request, "rides/mine.html", context)


def _board_member(request: HttpRequest) -> User:
    try:
        board_action_check(user=request.user, request=request)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return _user(request)


@login_required
def pools(request: HttpRequest) -> HttpResponse:
    """The board's commuter pool: the proposal for a morning (each car's detour and stops
    explained), and a button that books it; each passenger then pays as usual."""
    coordinator = _board_member(request)
    data = request.POST if request.method == "POST" else request.GET
    form = forms.PoolWindowForm(data or None, initial={"day": timezone.localdate()})
    proposal, run, here = None, None, request.path
    if form.is_bound and form.is_valid():
        after, before = form.window()
        window = {k: str(form.data[k]) for k in ("day", "earliest", "latest")}
        here = f"{request.path}?{urlencode(window)}"
        if request.method == "POST":
            outcome = services.pool_book(
                coordinator=coordinator, depart_after=after, depart_before=before
            )
            messages.success(request, f"{len(outcome.bookings)} seat(s) booked.")
            for skipped in outcome.skipped:
                messages.warning(
                    request, f"{skipped.place.alert.member.display_name}: {skipped.reason}"
                )
            # Seats were taken: the stored proposal is out of date.
            return redirect(f"{here}&again=1")
        # Worked out by a background task (seconds on a crowded morning), not in this request.
        run = selectors.pool_run_latest(depart_after=after, depart_before=before)
        again = bool(request.GET.get("again"))
        if again or selectors.pool_run_needs_starting(run, now=timezone.now()):
            services.pool_run_start(
                coordinator=coordinator, depart_after=after, depart_before=before
            )
            # Back to the page without `again`, so reloading it does not start another run.
            return redirect(here)
        if run is not None and run.status == PoolRunStatus.DONE:
            proposal = selectors.pool_run_proposal(run)
    context = {"form": form, "run": run, "proposal": proposal, "here": here}
    return render(request, "rides/pools.html", context)
