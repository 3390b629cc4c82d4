"""`/api/v1/stays`: listings, search, bookings and their answers, calendars, reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.pagination import paginate

from coop.algorithms import explanation_for
from coop.api import error_responses
from coop.community.models import CommunityProject
from coop.exceptions import InvalidInput, NotFound
from coop.geo.points import Point
from coop.geo.schemas import PointSchema
from coop.members.models import User
from coop.pagination import PageNumberPagination
from governance.parameters import parameter_value
from stays import selectors, services
from stays.models import BlockedRange, Booking, Listing
from stays.pricing import QUOTE, stay_quote
from stays.schemas import (
    BlockIn,
    BlockOut,
    BookingIn,
    BookingOut,
    CalendarIn,
    CalendarOut,
    HostRef,
    ListingIn,
    ListingOut,
    PaymentOut,
    PriceOut,
    ProjectOut,
    QuoteOut,
    ReviewIn,
    ReviewOut,
    StatusIn,
)

router = Router(tags=["stays"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def listing_out(
    listing: Listing, *, exact: bool, distance_km: float | None = None, ranked: bool = False
) -> ListingOut:
    point = listing.home.point if exact else selectors.approximate_home_point(listing)
    return ListingOut(
        id=listing.pk,
        host=HostRef(id=listing.host.pk, display_name=listing.host.display_name),
        home_type=listing.home_type,
        status=listing.status,
        title=listing.title,
        description=listing.description,
        photos=list(listing.photos),
        capacity=listing.capacity,
        beds=listing.beds,
        amenities=list(listing.amenities),
        accessibility_notes=listing.accessibility_notes,
        house_rules=listing.house_rules,
        nightly_price_cents=listing.nightly_price_cents,
        cleaning_fee_cents=listing.cleaning_fee_cents,
        currency=listing.currency,
        min_nights=listing.min_nights,
        max_nights=listing.max_nights,
        check_in_time=listing.check_in_time,
        check_out_time=listing.check_out_time,
        instant_book=listing.instant_book,
        cancellation_policy=listing.cancellation_policy,
        licence_number=listing.licence_number,
        zone=listing.home.zone.slug if listing.home.zone else None,
        location=PointSchema(lat=point.lat, lng=point.lng),
        location_is_exact=exact,
        address=listing.home.address if exact else None,
        # To 100 m for others, so distances from many points cannot pin the home down.
        distance_km=None if distance_km is None else round(distance_km, 2 if exact else 1),
        explanation=(
            explanation_for(selectors.SEARCH, distance_km=round(distance_km, 1))
            if ranked and distance_km is not None
            else None
        ),
    )


def booking_out(booking: Booking) -> BookingOut:
    payment = booking.payment
    return BookingOut(
        id=booking.pk,
        listing=booking.listing_id,
        guest=HostRef(id=booking.guest.pk, display_name=booking.guest.display_name),
        status=booking.status,
        check_in=booking.check_in,
        check_out=booking.check_out,
        guests=booking.guests,
        instant=booking.instant,
        hold_until=booking.hold_until,
        price=PriceOut(
            nights=booking.nights,
            nights_cents=booking.nights_cents,
            cleaning_cents=booking.cleaning_cents,
            coop_fee_cents=booking.coop_fee_cents,
            community_share_cents=booking.community_share_cents,
            total_cents=booking.total_cents,
        ),
        currency=booking.currency,
        community_project=booking.community_project_id,
        payment=(
            PaymentOut(id=payment.pk, client_secret=payment.client_secret, status=payment.status)
            if payment is not None
            else None
        ),
        refund_cents=booking.refund_cents,
    )


@router.get(
    "/listings",
    response={200: list[ListingOut], **error_responses(400, 401)},
    summary="Search listings; with near=lat,lng nearest first with distance_km",
)
@paginate(PageNumberPagination)
def listing_list(
    request: HttpRequest,
    *,
    near: str | None = None,
    radius_km: float = 5.0,
    check_in: str | None = None,
    check_out: str | None = None,
    guests: int | None = None,
) -> Sequence[ListingOut]:
    viewer = _user(request)
    dates = selectors.parse_dates(check_in, check_out)
    if guests is not None and guests < 1:
        raise InvalidInput(fields={"guests": ["At least 1."]})
    hits = selectors.listing_search(
        near=Point.parse(near) if near else None,
        radius_km=radius_km,
        check_in=dates[0] if dates else None,
        check_out=dates[1] if dates else None,
        guests=guests,
    )
    visible = selectors.homes_with_address_for(viewer)
    return [
        listing_out(
            hit.listing,
            exact=hit.listing.home_id in visible,
            distance_km=hit.distance_km,
            ranked=bool(near),
        )
        for hit in hits
    ]


@router.post(
    "/listings",
    response={201: ListingOut, **error_responses(400, 401, 403, 409)},
    summary="List your home or a private room in it",
)
def listing_create(request: HttpRequest, payload: ListingIn) -> Status[ListingOut]:
    fields = payload.dict(exclude={"address", "location"})
    listing = services.listing_create(
        host=_user(request),
        data=services.ListingInput(**fields),
        address=payload.address,
        point=payload.location.to_point() if payload.location else None,
    )
    return Status(201, listing_out(selectors.listing_get(listing.pk), exact=True))


@router.put(
    "/listings/{listing_id}",
    response={200: ListingOut, **error_responses(400, 401, 404, 409)},
    summary="Change your listing (its home's address stays)",
)
def listing_update(request: HttpRequest, listing_id: int, payload: ListingIn) -> ListingOut:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    services.listing_update(
        host=_user(request),
        listing=listing,
        data=services.ListingInput(**payload.dict(exclude={"address", "location"})),
    )
    return listing_out(selectors.listing_get(listing_id), exact=True)


@router.get("/listings/{listing_id}", response={200: ListingOut, **error_responses(401, 404)})
def listing_get(request: HttpRequest, listing_id: int) -> ListingOut:
    listing = selectors.listing_get(listing_id)
    return listing_out(listing, exact=selectors.can_see_address(listing, _user(request)))


@router.get(
    "/listings/{listing_id}/quote",
    response={200: QuoteOut, **error_responses(400, 401, 404)},
    summary="The price of a stay, line by line (nights, cleaning, co-op fee, community share)",
)
def listing_quote(request: HttpRequest, listing_id: int, check_in: str, check_out: str) -> QuoteOut:
    listing = selectors.listing_get(listing_id)
    dates = selectors.parse_dates(check_in, check_out)
    assert dates is not None  # both are required query parameters
    quote = stay_quote(listing=listing, check_in=dates[0], check_out=dates[1])
    return QuoteOut(
        nights=quote.nights,
        nights_cents=quote.nights_total.cents,
        cleaning_cents=quote.cleaning.cents,
        coop_fee_cents=quote.coop_fee.cents,
        community_share_cents=quote.community_share.cents,
        total_cents=quote.total.cents,
        currency=quote.total.currency,
        explanation=explanation_for(
            QUOTE,
            coop_fee_basis_points=parameter_value("stays.coop_fee_basis_points"),
            community_share_basis_points=parameter_value("stays.community_share_basis_points"),
        ),
    )


@router.post(
    "/listings/{listing_id}/status",
    response={200: ListingOut, **error_responses(400, 401, 404, 409)},
    summary="Pause or reactivate your listing ({status: active|paused})",
)
def listing_status(request: HttpRequest, listing_id: int, payload: StatusIn) -> ListingOut:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    services.listing_set_status(host=_user(request), listing=listing, status=payload.status)
    return listing_out(selectors.listing_get(listing_id), exact=True)


@router.get(
    "/listings/{listing_id}/calendar.ics",
    auth=None,
    response={200: None, **error_responses(404)},
    summary="Booked and blocked nights as iCalendar (host, or anyone with the feed's token)",
)
def listing_calendar(request: HttpRequest, listing_id: int, token: str = "") -> HttpResponse:
    listing = selectors.listing_get(listing_id)
    is_host = request.user.is_authenticated and listing.host_id == request.user.pk
    if not is_host and token != listing.ical_token:
        raise NotFound("No such calendar.")
    text = selectors.listing_calendar_text(listing, domain=request.get_host())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="listing-{listing.pk}.ics"'
    return response


@router.post(
    "/listings/{listing_id}/bookings",
    response={201: BookingOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Book (instant) or ask to book; nights are held at once",
)
def booking_create(request: HttpRequest, listing_id: int, payload: BookingIn) -> Status[BookingOut]:
    listing = selectors.listing_get(listing_id)
    project = CommunityProject.objects.filter(pk=payload.community_project).first()
    if project is None:
        raise InvalidInput(fields={"community_project": ["No such community project."]})
    booking = services.booking_create(
        guest=_user(request),
        listing=listing,
        check_in=payload.check_in,
        check_out=payload.check_out,
        guests=payload.guests,
        community_project=project,
    )
    return Status(201, booking_out(selectors.booking_get_for_user(_user(request), booking.pk)))


class _Page(Sequence[BookingOut]):
    """Converts only the rows the paginator slices, so a page costs the same at any size."""

    def __init__(self, rows: QuerySet[Booking]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return self._rows.count()

    @overload
    def __getitem__(self, index: int) -> BookingOut: ...
    @overload
    def __getitem__(self, index: slice) -> list[BookingOut]: ...
    def __getitem__(self, index: int | slice) -> BookingOut | list[BookingOut]:
        if isinstance(index, slice):
            return [booking_out(row) for row in self._rows[index]]
        return booking_out(self._rows[index])


@router.get(
    "/bookings",
    response={200: list[BookingOut], **error_responses(400, 401)},
    summary="My bookings as guest (default) or as host (role=host)",
)
@paginate(PageNumberPagination)
def booking_list(request: HttpRequest, role: str = "guest") -> Sequence[BookingOut]:
    user = _user(request)
    if role not in {"guest", "host"}:
        raise InvalidInput(fields={"role": ["guest or host."]})
    rows = selectors.bookings_of_host(user) if role == "host" else selectors.bookings_of_guest(user)
    return _Page(rows.select_related("guest"))


@router.get("/bookings/{booking_id}", response={200: BookingOut, **error_responses(401, 404)})
def booking_get(request: HttpRequest, booking_id: int) -> BookingOut:
    return booking_out(selectors.booking_get_for_user(_user(request), booking_id))


def _answer(request: HttpRequest, booking_id: int, action: str) -> BookingOut:
    user = _user(request)
    booking = selectors.booking_get_for_user(user, booking_id)
    if action == "accept":
        services.booking_accept(host=user, booking=booking)
    elif action == "decline":
        services.booking_decline(host=user, booking=booking)
    else:
        services.booking_cancel(user=user, booking=booking)
    return booking_out(selectors.booking_get_for_user(user, booking_id))


_ANSWER = {200: BookingOut, **error_responses(400, 401, 403, 404, 409)}


@router.post("/bookings/{booking_id}/accept", response=_ANSWER)
def booking_accept(request: HttpRequest, booking_id: int) -> BookingOut:
    return _answer(request, booking_id, "accept")


@router.post("/bookings/{booking_id}/decline", response=_ANSWER)
def booking_decline(request: HttpRequest, booking_id: int) -> BookingOut:
    return _answer(request, booking_id, "decline")


@router.post("/bookings/{booking_id}/cancel", response=_ANSWER)
def booking_cancel(request: HttpRequest, booking_id: int) -> BookingOut:
    return _answer(request, booking_id, "cancel")


@router.post(
    "/bookings/{booking_id}/reviews",
    response={201: ReviewOut, **error_responses(400, 401, 403, 404, 409)},
)
def review_create(request: HttpRequest, booking_id: int, payload: ReviewIn) -> Status[ReviewOut]:
    user = _user(request)
    booking = selectors.booking_get_for_user(user, booking_id)
    review = services.review_submit(
        author=user, booking=booking, rating=payload.rating, text=payload.text
    )
    return Status(
        201,
        ReviewOut(
            id=review.pk,
            role=review.role,
            rating=review.rating,
            text=review.text,
            published=review.published_at is not None,
        ),
    )


@router.get(
    "/listings/{listing_id}/blocks", response={200: list[BlockOut], **error_responses(401, 404)}
)
def block_list(request: HttpRequest, listing_id: int) -> list[BlockedRange]:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    return list(listing.blocks.all())


@router.post(
    "/listings/{listing_id}/blocks",
    response={201: BlockOut, **error_responses(400, 401, 404)},
    summary="Block nights [start, end)",
)
def block_create(request: HttpRequest, listing_id: int, payload: BlockIn) -> Status[BlockedRange]:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    block = services.block_create(
        host=_user(request), listing=listing, start=payload.start, end=payload.end
    )
    return Status(201, block)


@router.post(
    "/listings/{listing_id}/calendars",
    response={201: CalendarOut, **error_responses(400, 401, 404)},
    summary="Import an external iCal feed as blocked nights (refreshed hourly)",
)
def calendar_add(request: HttpRequest, listing_id: int, payload: CalendarIn) -> Status[object]:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    return Status(201, services.calendar_add(host=_user(request), listing=listing, url=payload.url))


@router.get("/projects", response={200: list[ProjectOut], **error_responses(401)})
def project_list(request: HttpRequest) -> list[CommunityProject]:
    return list(selectors.approved_projects())
