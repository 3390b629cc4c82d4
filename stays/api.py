"""`/api/v1/stays`: listings, search, bookings and their answers, calendars, reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from coop.algorithms import explanation_for
from coop.api import error_responses
from coop.community.models import CommunityProject
from coop.exceptions import InvalidInput, NotFound
from coop.geo.points import Point
from coop.geo.schemas import PointSchema
from coop.images.schemas import PhotoOut, photo_out
from coop.members.models import User
from coop.pagination import PageNumberPagination
from governance.board import board_action_check
from governance.parameters import parameter_value
from stays import selectors, services
from stays.models import BlockedRange, Booking, BookingRefund, Home, Listing, ListingPhoto, Zone
from stays.pricing import QUOTE, stay_quote
from stays.schemas import (
    BlockIn,
    BlockOut,
    CalendarIn,
    CalendarOut,
    GuestReviewOut,
    HomeIn,
    HomeOut,
    HostRef,
    ListingIn,
    ListingOut,
    ListingStatusIn,
    PhotoPositionIn,
    PriceOut,
    ProjectOut,
    RefundOut,
    ReviewIn,
    ReviewOut,
    StayBookingIn,
    StayBookingOut,
    StayPaymentOut,
    StayQuoteOut,
    ZoneCreateIn,
    ZoneIn,
    ZoneOut,
    ZonePolicyOut,
)
from stays.services.homes import home_move
from stays.services.photos import listing_photo_add, listing_photo_move, listing_photo_remove
from stays.services.refunds import booking_refund_retry_now
from stays.services.zones import ZoneInput, zone_create, zone_update
from stays.zones import policy_key_of, zone_policy

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
        photos=[photo_out(photo) for photo in listing.photos.all()],
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


def booking_out(booking: Booking) -> StayBookingOut:
    payment = booking.payment
    return StayBookingOut(
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
            StayPaymentOut(
                id=payment.pk, client_secret=payment.client_secret, status=payment.status
            )
            if payment is not None
            else None
        ),
        refund_cents=booking.refund_cents,
        refund=_refund_out(refund) if (refund := getattr(booking, "refund", None)) else None,
    )


def _refund_out(refund: BookingRefund) -> RefundOut:
    return RefundOut(
        id=refund.pk,
        booking=refund.booking_id,
        amount_cents=refund.amount_cents,
        currency=refund.currency,
        status=refund.status,
        attempts=refund.attempts,
        next_attempt_at=refund.next_attempt_at,
        last_error=refund.last_error,
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
    response={200: StayQuoteOut, **error_responses(400, 401, 404)},
    summary="The price of a stay, line by line (nights, cleaning, co-op fee, community share)",
)
def listing_quote(
    request: HttpRequest, listing_id: int, check_in: str, check_out: str
) -> StayQuoteOut:
    listing = selectors.listing_get(listing_id)
    dates = selectors.parse_dates(check_in, check_out)
    assert dates is not None  # both are required query parameters
    quote = stay_quote(listing=listing, check_in=dates[0], check_out=dates[1])
    return StayQuoteOut(
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
def listing_status(request: HttpRequest, listing_id: int, payload: ListingStatusIn) -> ListingOut:
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
    response={201: StayBookingOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Book (instant) or ask to book; nights are held at once",
)
def booking_create(
    request: HttpRequest, listing_id: int, payload: StayBookingIn
) -> Status[StayBookingOut]:
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


class _Page(Sequence[StayBookingOut]):
    """Converts only the rows the paginator slices, so a page costs the same at any size."""

    def __init__(self, rows: QuerySet[Booking]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return self._rows.count()

    @overload
    def __getitem__(self, index: int) -> StayBookingOut: ...
    @overload
    def __getitem__(self, index: slice) -> list[StayBookingOut]: ...
    def __getitem__(self, index: int | slice) -> StayBookingOut | list[StayBookingOut]:
        if isinstance(index, slice):
            return [booking_out(row) for row in self._rows[index]]
        return booking_out(self._rows[index])


@router.get(
    "/bookings",
    response={200: list[StayBookingOut], **error_responses(400, 401)},
    summary="My bookings as guest (default) or as host (role=host)",
)
@paginate(PageNumberPagination)
def booking_list(request: HttpRequest, role: str = "guest") -> Sequence[StayBookingOut]:
    user = _user(request)
    if role not in {"guest", "host"}:
        raise InvalidInput(fields={"role": ["guest or host."]})
    rows = selectors.bookings_of_host(user) if role == "host" else selectors.bookings_of_guest(user)
    return _Page(rows.select_related("guest", "refund"))


@router.get("/bookings/{booking_id}", response={200: StayBookingOut, **error_responses(401, 404)})
def booking_get(request: HttpRequest, booking_id: int) -> StayBookingOut:
    return booking_out(selectors.booking_get_for_user(_user(request), booking_id))


def _answer(request: HttpRequest, booking_id: int, action: str) -> StayBookingOut:
    user = _user(request)
    booking = selectors.booking_get_for_user(user, booking_id)
    if action == "accept":
        services.booking_accept(host=user, booking=booking)
    elif action == "decline":
        services.booking_decline(host=user, booking=booking)
    else:
        services.booking_cancel(user=user, booking=booking)
    return booking_out(selectors.booking_get_for_user(user, booking_id))


_ANSWER = {200: StayBookingOut, **error_responses(400, 401, 403, 404, 409)}


@router.post("/bookings/{booking_id}/accept", response=_ANSWER)
def booking_accept(request: HttpRequest, booking_id: int) -> StayBookingOut:
    return _answer(request, booking_id, "accept")


@router.post("/bookings/{booking_id}/decline", response=_ANSWER)
def booking_decline(request: HttpRequest, booking_id: int) -> StayBookingOut:
    return _answer(request, booking_id, "decline")


@router.post("/bookings/{booking_id}/cancel", response=_ANSWER)
def booking_cancel(request: HttpRequest, booking_id: int) -> StayBookingOut:
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


# --- The host's home (one host, one home: a host who moves changes its address) -------------


def _home_out(home: Home) -> HomeOut:
    return HomeOut(
        address=home.address,
        location=PointSchema(lat=home.lat, lng=home.lng),
        zone=home.zone.slug if home.zone else None,
        moved_on=home.moved_on,
    )


@router.get("/home", response={200: HomeOut, **error_responses(401, 404)}, summary="My home")
def home_get(request: HttpRequest) -> HomeOut:
    home = Home.objects.filter(host=_user(request)).select_related("zone").first()
    if home is None:
        raise NotFound("You have no home listed.")
    return _home_out(home)


@router.put(
    "/home",
    response={200: HomeOut, **error_responses(400, 401, 403, 404, 409)},
    summary="I moved: the new address, its zone's rules and the new home's licence number",
)
def home_update(request: HttpRequest, payload: HomeIn) -> HomeOut:
    home = home_move(
        host=_user(request),
        address=payload.address,
        point=payload.location.to_point(),
        licence_number=payload.licence_number,
    )
    return _home_out(home)


@router.get(
    "/guests/{guest_id}/reviews",
    response={200: list[GuestReviewOut], **error_responses(401, 404)},
    summary="What hosts wrote about a guest (the guest, and hosts they asked to stay with)",
)
def guest_review_list(request: HttpRequest, guest_id: int) -> list[GuestReviewOut]:
    guest = User.objects.filter(pk=guest_id).first()
    if guest is None or not selectors.can_see_guest_reviews(_user(request), guest):
        raise NotFound("No such guest among yours.")
    return [
        GuestReviewOut(
            id=review.pk,
            rating=review.rating,
            text=review.text,
            host=HostRef(id=review.author.pk, display_name=review.author.display_name),
            listing=review.booking.listing_id,
            published_at=review.published_at,
        )
        for review in selectors.guest_reviews(guest)[:100]
        if review.published_at is not None
    ]


# --- The board: refunds that have not reached their guest, and the city's zones --------------


@router.get(
    "/board/refunds",
    response={200: list[RefundOut], **error_responses(401, 403)},
    summary="Board: refunds not yet back with the guest (refused ones first)",
)
@paginate(PageNumberPagination)
def board_refund_list(request: HttpRequest) -> list[RefundOut]:
    board_action_check(user=request.user, request=request)
    return [_refund_out(refund) for refund in selectors.refunds_for_board()[:500]]


@router.post(
    "/board/refunds/{refund_id}/retry",
    response={200: RefundOut, **error_responses(401, 403, 404, 409)},
    summary="Board: send a refused refund again now (audited)",
)
def board_refund_retry(request: HttpRequest, refund_id: int) -> RefundOut:
    board_action_check(user=request.user, request=request)
    refund = booking_refund_retry_now(
        board_member=_user(request),
        request=request,
        refund=selectors.refund_get_for_board(refund_id),
    )
    return _refund_out(refund)


def _zone_out(zone: Zone) -> ZoneOut:
    policy = zone_policy(zone)
    return ZoneOut(
        id=zone.pk,
        slug=zone.slug,
        name=zone.name,
        polygon=zone.polygon,
        policy_key=zone.policy_key,
        policy_set=policy_key_of(zone),
        licence_pattern=zone.licence_pattern,
        description=zone.description,
        policy=ZonePolicyOut(
            licence_required=policy.licence_required,
            licence_pattern=policy.licence_pattern,
            max_nights=policy.max_nights,
            max_guests=policy.max_guests,
            new_listings=policy.new_listings,
        ),
    )


def _zone_input(payload: ZoneIn) -> ZoneInput:
    return ZoneInput(**payload.dict(exclude={"slug"}))


@router.get(
    "/zones",
    response={200: list[ZoneOut], **error_responses(401)},
    summary="The city's zones with the rules in force (values are voted parameters)",
)
def zone_list(request: HttpRequest) -> list[ZoneOut]:
    return [_zone_out(zone) for zone in Zone.objects.order_by("name")[:500]]


@router.get("/zones/{zone_id}", response={200: ZoneOut, **error_responses(401, 404)})
def zone_get(request: HttpRequest, zone_id: int) -> ZoneOut:
    return _zone_out(selectors.zone_get(zone_id))


@router.post(
    "/zones",
    response={201: ZoneOut, **error_responses(400, 401, 403, 409)},
    summary="Board: add a zone (audited)",
)
def zone_add(request: HttpRequest, payload: ZoneCreateIn) -> Status[ZoneOut]:
    zone = zone_create(
        board_member=_user(request), request=request, slug=payload.slug, data=_zone_input(payload)
    )
    return Status(201, _zone_out(zone))


@router.put(
    "/zones/{zone_id}",
    response={200: ZoneOut, **error_responses(400, 401, 403, 404)},
    summary="Board: change a zone's name, outline, licence format or rules link (audited)",
)
def zone_change(request: HttpRequest, zone_id: int, payload: ZoneIn) -> ZoneOut:
    board_action_check(user=request.user, request=request)
    zone = zone_update(
        board_member=_user(request),
        request=request,
        zone=selectors.zone_get(zone_id),
        data=_zone_input(payload),
    )
    return _zone_out(zone)


# --- Listing photos (uploaded through coop.images: metadata and GPS stripped) ---------------


def _photo_of(request: HttpRequest, listing_id: int, photo_id: int) -> ListingPhoto:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    photo = listing.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("No such photo of this listing.")
    photo.listing = listing
    return photo


@router.post(
    "/listings/{listing_id}/photos",
    response={201: PhotoOut, **error_responses(400, 401, 404)},
    summary="Add a photo (multipart: `photo` file, `alt_text` saying what it shows)",
)
def listing_photo_create(
    request: HttpRequest, listing_id: int, photo: File[UploadedFile], alt_text: Form[str]
) -> Status[PhotoOut]:
    listing = selectors.listing_get_for_host(_user(request), listing_id)
    added = listing_photo_add(host=_user(request), listing=listing, upload=photo, alt_text=alt_text)
    return Status(201, photo_out(added))


@router.post(
    "/listings/{listing_id}/photos/{photo_id}/position",
    response={200: list[PhotoOut], **error_responses(400, 401, 404)},
    summary="Move a photo to a place in the order (0: the cover); returns the new order",
)
def listing_photo_reorder(
    request: HttpRequest, listing_id: int, photo_id: int, payload: PhotoPositionIn
) -> list[PhotoOut]:
    photo = _photo_of(request, listing_id, photo_id)
    listing_photo_move(host=_user(request), photo=photo, position=payload.position)
    return [photo_out(each) for each in ListingPhoto.objects.filter(listing_id=listing_id)]


@router.delete(
    "/listings/{listing_id}/photos/{photo_id}",
    response={204: None, **error_responses(401, 404)},
    summary="Remove a photo",
)
def listing_photo_delete(request: HttpRequest, listing_id: int, photo_id: int) -> Status[None]:
    photo = _photo_of(request, listing_id, photo_id)
    listing_photo_remove(host=_user(request), photo=photo)
    return Status(204, None)
