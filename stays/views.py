"""HTML pages of the stays service: search with a map, listing and booking, the host's desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coop.exceptions import DomainError, NotFound
from coop.geo.points import Point
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.checkout import card_payment_context
from frontend.catalogue import service_page_context
from frontend.forms import form_add_domain_error
from governance.board import board_action_check
from stays import selectors, services
from stays.forms import (
    BlockForm,
    BookingForm,
    CalendarForm,
    HomeMoveForm,
    ListingForm,
    ListingPhotoForm,
    ReviewForm,
    SearchForm,
    ZoneForm,
)
from stays.models import Booking, BookingStatus, Home, Listing, RefundStatus, Zone
from stays.pricing import stay_quote
from stays.services.homes import home_move
from stays.services.photos import listing_photo_add, listing_photo_move, listing_photo_remove
from stays.services.refunds import booking_refund_retry_now
from stays.services.zones import ZoneInput, zone_create, zone_update
from stays.zones import policy_key_of, policy_sets, zone_policy


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.in_good_standing:  # type: ignore[union-attr]
            return redirect("stays:index")
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def index(request: HttpRequest) -> HttpResponse:
    """What the service is, how it works and the fairness rules it follows. Public."""
    context = service_page_context("stays")
    return render(request, "stays/index.html", context)


def _map_points(points: list[tuple[Listing, Point]]) -> list[dict[str, Any]]:
    """Results placed on a 100x100 plot (no map tiles: the page loads nothing from outside)."""
    if not points:
        return []
    lats = [p.lat for _, p in points]
    lngs = [p.lng for _, p in points]
    span_lat = max(max(lats) - min(lats), 0.005)
    span_lng = max(max(lngs) - min(lngs), 0.005)
    return [
        {
            "listing": listing,
            "x": round(5 + 90 * (point.lng - min(lngs)) / span_lng, 2),
            "y": round(95 - 90 * (point.lat - min(lats)) / span_lat, 2),
        }
        for listing, point in points
    ]


@member_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits: list[selectors.ListingHit] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        hits = selectors.listing_search(
            check_in=data.get("check_in"), check_out=data.get("check_out"), guests=data["guests"]
        )
    elif not form.is_bound:
        hits = selectors.listing_search()
    plotted = [(hit.listing, selectors.approximate_home_point(hit.listing)) for hit in hits]
    return render(
        request,
        "stays/search.html",
        {"form": form, "hits": hits, "map_points": _map_points(plotted)},
    )


def _listing_context(listing: Listing, user: User, form: BookingForm) -> dict[str, Any]:
    today = timezone.localdate()
    days = selectors.month_days(today.year, today.month)
    taken = selectors.taken_nights(listing, days[0], days[-1] + dt.timedelta(days=1))
    return {
        "listing": listing,
        "form": form,
        "exact": selectors.can_see_address(listing, user),
        "policy": zone_policy(listing.home.zone),
        "days": [(day, taken.get(day, "free")) for day in days],
        "reviews": selectors.published_reviews(listing)[:20],
        "quote": None,
    }


@member_required
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        listing = selectors.listing_get(pk)
    except NotFound:
        raise Http404 from None
    user = _user(request)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_create(
                guest=user,
                listing=listing,
                check_in=data["check_in"],
                check_out=data["check_out"],
                guests=data["guests"],
                community_project=data["community_project"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return redirect("stays:booking", pk=booking.pk)
    context = _listing_context(listing, user, form)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["check_out"] > data["check_in"]:
            context["quote"] = stay_quote(
                listing=listing, check_in=data["check_in"], check_out=data["check_out"]
            )
    return render(request, "stays/listing.html", context)


@member_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        booking = selectors.booking_get_for_user(user, pk)
    except NotFound:
        raise Http404 from None
    payable = (
        booking.guest_id == user.pk
        and booking.status == BookingStatus.AWAITING_PAYMENT
        and booking.payment is not None
    )
    context = {
        "booking": booking,
        "is_host": booking.listing.host_id == user.pk,
        "exact": selectors.can_see_address(booking.listing, user),
        "lines": [
            ("Nights", booking.nights_cents),
            ("Cleaning", booking.cleaning_cents),
            ("Co-op fee", booking.coop_fee_cents),
        ],
        "money": {
            key: Money(getattr(booking, f"{key}_cents"), booking.currency)
            for key in ("nights", "cleaning", "coop_fee", "community_share", "total", "refund")
        },
        "payable": payable,
        "payment_missing": booking.guest_id == user.pk
        and booking.status == BookingStatus.AWAITING_PAYMENT
        and booking.payment is None,
        "can_review": booking.status == BookingStatus.CONFIRMED
        and timezone.localdate() >= booking.check_out
        and not booking.reviews.filter(author=user).exists(),
        "review_form": ReviewForm(),
        "refund": getattr(booking, "refund", None),
        # A host deciding on a request sees what other hosts wrote about this guest.
        "guest_reviews": (
            list(selectors.guest_reviews(booking.guest)[:10])
            if booking.listing.host_id == user.pk
            else []
        ),
        **card_payment_context(),
    }
    return render(request, "stays/booking.html", context)


@require_POST
@member_required
def booking_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        booking = selectors.booking_get_for_user(user, pk)
    except NotFound:
        raise Http404 from None
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a rating from 1 to 5.")
        return redirect("stays:booking", pk=pk)
    try:
        services.review_submit(
            author=user,
            booking=booking,
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thank you. Reviews appear when both are in, or after 14 days.")
    return redirect("stays:booking", pk=pk)


@require_POST
@member_required
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    try:
        booking = selectors.booking_get_for_user(user, pk)
    except NotFound:
        raise Http404 from None
    actions: dict[str, Callable[[], Booking]] = {
        "accept": lambda: services.booking_accept(host=user, booking=booking),
        "decline": lambda: services.booking_decline(host=user, booking=booking),
        "cancel": lambda: services.booking_cancel(user=user, booking=booking),
        "pay": lambda: services.booking_pay(guest=user, booking=booking),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Done.")
    return redirect("stays:booking", pk=pk)


@member_required
def host(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    listings = list(selectors.listing_base().filter(host=user))
    bookings = selectors.bookings_of_host(user)
    today = timezone.localdate()
    days = selectors.month_days(today.year, today.month)
    end = days[-1] + dt.timedelta(days=1)
    calendars = []
    for listing in listings:
        taken = selectors.taken_nights(listing, days[0], end)
        calendars.append((listing, [(day, taken.get(day, "free")) for day in days]))
    return render(
        request,
        "stays/host.html",
        {
            "home": Home.objects.filter(host=user).select_related("zone").first(),
            "calendars": calendars,
            "requests": bookings.filter(status=BookingStatus.REQUESTED).order_by("hold_until"),
            "upcoming": bookings.filter(
                status=BookingStatus.CONFIRMED, check_out__gte=today
            ).order_by("check_in")[:50],
            "payouts": bookings.filter(host_paid_at__isnull=False).order_by("-host_paid_at")[:50],
            "block_form": BlockForm(),
            "calendar_form": CalendarForm(),
            "photo_form": ListingPhotoForm(),
        },
    )


@require_POST
@member_required
def host_listing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    try:
        listing = selectors.listing_get_for_host(user, pk)
    except NotFound:
        raise Http404 from None
    form: BlockForm | CalendarForm
    try:
        if action == "block":
            form = BlockForm(request.POST)
            if form.is_valid():
                services.block_create(
                    host=user,
                    listing=listing,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
        elif action == "calendar":
            form = CalendarForm(request.POST)
            if form.is_valid():
                services.calendar_add(host=user, listing=listing, url=form.cleaned_data["url"])
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("stays:host")
    if form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, "Saved.")
    return redirect("stays:host")


@member_required
def listing_new(request: HttpRequest) -> HttpResponse:
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point = None
        if data["lat"] is not None and data["lng"] is not None:
            point = Point(data["lat"], data["lng"])
        listing_data = services.ListingInput(
            home_type=data["home_type"],
            title=data["title"],
            description=data["description"],
            capacity=data["capacity"],
            beds=data["beds"],
            amenities=[a.strip() for a in data["amenities"].split(",") if a.strip()],
            accessibility_notes=data["accessibility_notes"],
            house_rules=data["house_rules"],
            nightly_price_cents=int(data["nightly_price"] * 100),
            cleaning_fee_cents=int(data["cleaning_fee"] * 100),
            min_nights=data["min_nights"],
            max_nights=data["max_nights"],
            instant_book=data["instant_book"],
            cancellation_policy=data["cancellation_policy"],
            licence_number=data["licence_number"],
        )
        try:
            listing = services.listing_create(
                host=_user(request), data=listing_data, address=data["address"], point=point
            )
        except DomainError as error:
            form_add_domain_error(
                form, error, rename={"location": "lat", "nightly_price_cents": "nightly_price"}
            )
        else:
            return redirect("stays:listing", pk=listing.pk)
    return render(request, "stays/listing_form.html", {"form": form})


@member_required
def trips(request: HttpRequest) -> HttpResponse:
    """The guest's own stays page: their bookings, and what hosts wrote about them."""
    user = _user(request)
    return render(
        request,
        "stays/trips.html",
        {
            "bookings": selectors.bookings_of_guest(user).order_by("-check_in")[:50],
            "reviews": selectors.guest_reviews(user)[:50],
        },
    )


@member_required
def home_edit(request: HttpRequest) -> HttpResponse:
    """A host who moved records the new address (one host, one home: the same home moves)."""
    user = _user(request)
    home = Home.objects.filter(host=user).select_related("zone").first()
    if home is None:
        return redirect("stays:listing_new")
    initial = {"licence_number": home.listings.values_list("licence_number", flat=True).first()}
    form = HomeMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            home_move(
                host=user,
                address=data["address"],
                point=Point(data["lat"], data["lng"]),
                licence_number=data["licence_number"],
            )
        except DomainError as error:
            form_add_domain_error(form, error, rename={"location": "lat"})
        else:
            messages.success(request, "Your home's new address is saved.")
            return redirect("stays:host")
    return render(request, "stays/home_form.html", {"form": form, "home": home})


def _board_or_404(request: HttpRequest) -> User:
    """Board pages answer 404 to everyone else (they are not advertised)."""
    try:
        board_action_check(user=request.user, request=request)
    except DomainError:
        raise Http404 from None
    return _user(request)


@login_required
def board_refunds(request: HttpRequest) -> HttpResponse:
    _board_or_404(request)
    refunds = list(selectors.refunds_for_board()[:200])
    return render(
        request, "stays/board_refunds.html", {"refunds": refunds, "failed": RefundStatus.FAILED}
    )


@require_POST
@login_required
def board_refund_retry(request: HttpRequest, pk: int) -> HttpResponse:
    board_member = _board_or_404(request)
    try:
        refund = selectors.refund_get_for_board(pk)
        refund = booking_refund_retry_now(board_member=board_member, request=request, refund=refund)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if refund.status == RefundStatus.FAILED:
            messages.error(request, f"Refused again: {refund.last_error}")
        else:
            messages.success(request, "The refund is on its way.")
    return redirect("stays:board_refunds")


@login_required
def board_zones(request: HttpRequest) -> HttpResponse:
    _board_or_404(request)
    zones = [(zone, zone_policy(zone), policy_key_of(zone)) for zone in selectors.zones_for_board()]
    return render(request, "stays/board_zones.html", {"zones": zones})


def _zone_input(data: dict[str, Any]) -> ZoneInput:
    fields = ("name", "polygon", "policy_key", "licence_pattern", "description")
    return ZoneInput(**{name: data[name] for name in fields})


@login_required
def board_zone_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no pk) or edit a zone: name, outline, licence format, link to its rules."""
    board_member = _board_or_404(request)
    zone: Zone | None = None
    initial: dict[str, Any] = {}
    if pk is not None:
        try:
            zone = selectors.zone_get(pk)
        except NotFound:
            raise Http404 from None
        initial = {
            name: getattr(zone, name)
            for name in ("name", "slug", "polygon", "policy_key", "licence_pattern", "description")
        }
    form = ZoneForm(request.POST or None, initial=initial, policy_sets=policy_sets())
    if request.method == "POST" and form.is_valid():
        try:
            if zone is None:
                zone = zone_create(
                    board_member=board_member,
                    request=request,
                    slug=form.cleaned_data["slug"],
                    data=_zone_input(form.cleaned_data),
                )
            else:
                zone = zone_update(
                    board_member=board_member,
                    request=request,
                    zone=zone,
                    data=_zone_input(form.cleaned_data),
                )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Zone saved.")
            return redirect("stays:board_zones")
    context = {
        "form": form,
        "zone": zone,
        "policy": zone_policy(zone) if zone is not None else None,
    }
    return render(request, "stays/board_zone_form.html", context)


@require_POST
@member_required
def host_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        listing = selectors.listing_get_for_host(user, pk)
    except NotFound:
        raise Http404 from None
    form = ListingPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("stays:host")
    try:
        listing_photo_add(
            host=user,
            listing=listing,
            upload=form.cleaned_data["photo"],
            alt_text=form.cleaned_data["alt_text"],
        )
    except DomainError as error:
        problems = [e for errs in error.fields.values() for e in errs] or [error.message]
        messages.error(request, " ".join(problems))
    else:
        messages.success(request, "Photo added.")
    return redirect("stays:host")


@require_POST
@member_required
def host_photo_action(request: HttpRequest, pk: int, photo_pk: int, action: str) -> HttpResponse:
    """Remove a photo, or move it: `cover` puts it first, `earlier` one place up."""
    user = _user(request)
    try:
        listing = selectors.listing_get_for_host(user, pk)
    except NotFound:
        raise Http404 from None
    photo = listing.photos.filter(pk=photo_pk).first()
    if photo is None or action not in {"remove", "cover", "earlier"}:
        raise Http404
    photo.listing = listing
    try:
        if action == "remove":
            listing_photo_remove(host=user, photo=photo)
        else:
            position = 0 if action == "cover" else max(photo.position - 1, 0)
            listing_photo_move(host=user, photo=photo, position=position)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Photos updated.")
    return redirect("stays:host")
