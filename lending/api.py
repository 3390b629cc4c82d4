"""`/api/v1/lending`: items, search, reservations and their lifecycle, holds, wanted posts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import overload

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from coop.api import api, error_responses
from coop.exceptions import InvalidInput, NotFound
from coop.geo.points import Point
from coop.geo.schemas import PointSchema
from coop.images.schemas import PhotoOut, photo_out
from coop.images.views import image_response
from coop.members.models import User
from coop.pagination import PageNumberPagination
from lending import deposits, photos, selectors, services
from lending.exceptions import InvalidTransition, LendingNotAllowed, NotAvailable
from lending.models import (
    Category,
    ConditionPhoto,
    DamageReport,
    Hold,
    Item,
    Reservation,
    Wanted,
)
from lending.schemas import (
    ConditionPhotoOut,
    DamageIn,
    DecideIn,
    ExtendIn,
    HoldOut,
    ItemIn,
    ItemOut,
    ItemPatchIn,
    MemberRef,
    PaymentRef,
    PhotoOrderIn,
    PickupIn,
    ReservationIn,
    ReservationOut,
    ReturnIn,
    WantedIn,
    WantedOut,
)

router = Router(tags=["lending"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def item_out(
    item: Item,
    *,
    exact: bool,
    distance_km: float | None = None,
    explanation: dict[str, object] | None = None,
) -> ItemOut:
    point = selectors.pickup_for(item, exact=exact)
    return ItemOut(
        id=item.pk,
        title=item.title,
        category=item.category,
        description=item.description,
        manual=item.manual,
        condition=item.condition,
        owner=MemberRef(id=item.owner.pk, display_name=item.owner.display_name)
        if item.owner
        else None,
        is_common_store=item.is_common_store,
        replacement_value_cents=item.replacement_value_cents,
        deposit_cents=item.deposit_cents,
        currency=item.currency,
        min_hours=item.min_hours,
        max_hours=item.max_hours,
        buffer_hours=item.buffer_hours,
        auto_approve=item.auto_approve,
        pickup=PointSchema(lat=point.lat, lng=point.lng),
        pickup_exact=exact,
        pickup_details=item.pickup_details if exact else None,
        checkout_prompts=list(item.checkout_prompts),
        checkin_prompts=list(item.checkin_prompts),
        out_for_repair=item.out_for_repair,
        safety_check_overdue=item.safety_check_overdue,
        reservable=item.is_reservable,
        # Read through the prefetch cache (`.all()`), so a page of items costs one query.
        photos=[photo_out(photo) for photo in item.photos.all()],
        distance_km=distance_km,
        explanation=explanation,
    )


def condition_photo_url(photo: ConditionPhoto, *, thumbnail: bool = False) -> str:
    url = reverse("api:lending_condition_photo_image", kwargs={"photo_id": photo.pk})
    return f"{url}?size=thumbnail" if thumbnail else url


def _condition_photo_out(photo: ConditionPhoto) -> ConditionPhotoOut:
    return ConditionPhotoOut(
        id=photo.pk,
        stage=photo.stage,
        url=condition_photo_url(photo),
        thumbnail_url=condition_photo_url(photo, thumbnail=True),
        width=photo.width,
        height=photo.height,
        taken_by=photo.taken_by_id,
        created_at=photo.created_at,
    )


def reservation_out(reservation: Reservation, viewer: User) -> ReservationOut:
    payment = reservation.deposit_payment
    return ReservationOut(
        id=reservation.pk,
        item=reservation.item_id,
        item_title=reservation.item.title,
        borrower=MemberRef(
            id=reservation.borrower.pk, display_name=reservation.borrower.display_name
        ),
        starts_at=reservation.starts_at,
        ends_at=reservation.ends_at,
        blocked_until=reservation.blocked_until,
        status=reservation.status,
        overdue=reservation.is_overdue(),
        late_fee_cents=reservation.late_fee_cents,
        currency=reservation.item.currency,
        checkout_note=reservation.checkout_note,
        checkout_answers=dict(reservation.checkout_answers),
        checkin_note=reservation.checkin_note,
        checkin_answers=dict(reservation.checkin_answers),
        damaged=reservation.damaged,
        picked_up_at=reservation.picked_up_at,
        returned_at=reservation.returned_at,
        deposit=PaymentRef(
            status=payment.status,
            amount_cents=payment.amount_cents,
            # The borrower confirms the hold in the browser with it (Stripe.js).
            client_secret=payment.client_secret
            if viewer.pk == reservation.borrower_id and payment.status == "pending"
            else None,
        )
        if payment is not None
        else None,
        condition_photos=[
            _condition_photo_out(photo) for photo in reservation.condition_photos.all()
        ],
    )


def _not_available_response(request: HttpRequest, error: NotAvailable) -> HttpResponse:
    """The contract's error body plus the next free windows as structured data."""
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "fields": error.fields,
            "next_free_windows": [
                {"starts_at": start.isoformat(), "ends_at": end.isoformat() if end else None}
                for start, end in error.next_windows
            ],
        }
    }
    return api.create_response(request, body, status=409)


# --- Items ---------------------------------------------------------------------------------------


def _parse_time(value: str | None, field: str) -> datetime | None:
    """ISO 8601 with an offset (query strings are parsed here, so a bad one is a clear 400)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidInput(fields={field: ["An ISO 8601 time with its UTC offset."]})
    return parsed


@router.get(
    "/items",
    response={200: list[ItemOut], **error_responses(400, 401)},
    summary="Search items by text, category, distance and availability; nearest first",
)
@paginate(PageNumberPagination)
def item_list(
    request: HttpRequest,
    *,
    q: str = "",
    category: str = "",
    near: str | None = None,
    radius_km: float | None = None,
    available_from: str | None = None,
    available_to: str | None = None,
) -> Sequence[ItemOut]:
    user = _user(request)
    if category and category not in Category.values:
        raise InvalidInput(fields={"category": ["Unknown category."]})
    hits = selectors.item_search(
        viewer=user,
        q=q,
        category=category,
        near=Point.parse(near) if near else None,
        radius_km=radius_km,
        available_from=_parse_time(available_from, "available_from"),
        available_to=_parse_time(available_to, "available_to"),
    )
    return [
        item_out(
            hit.item,
            exact=hit.item.is_managed_by(user),
            distance_km=hit.distance_km,
            explanation=hit.explanation,
        )
        for hit in hits
    ]


@router.post(
    "/items",
    response={201: ItemOut, **error_responses(400, 401, 403)},
    summary="List an item (members; the board for the common store)",
)
def item_create(request: HttpRequest, payload: ItemIn) -> Status[ItemOut]:
    data = payload.dict()
    data.pop("pickup")
    common_store = data.pop("common_store")
    item = services.item_create(
        owner=_user(request), pickup=payload.pickup.to_point(), common_store=common_store, **data
    )
    return Status(201, item_out(item, exact=True))


@router.patch(
    "/items/{item_id}",
    response={200: ItemOut, **error_responses(400, 401, 403, 404)},
    summary="The owner edits the item (only the fields sent; safety_check_every_days: null "
    "turns checks off)",
)
def item_patch(request: HttpRequest, item_id: int, payload: ItemPatchIn) -> ItemOut:
    user, item = _managed_item(request, item_id)
    changes = payload.dict(exclude_unset=True)
    nullable = {"safety_check_every_days"}
    refused = sorted(
        name for name, value in changes.items() if value is None and name not in nullable
    )
    if refused:
        raise InvalidInput(fields={name: ["Cannot be null."] for name in refused})
    item = services.item_update(actor=user, item=item, **changes)
    return item_out(selectors.item_get_for_user(user, item.pk), exact=True)


@router.get("/items/{item_id}", response={200: ItemOut, **error_responses(401, 404)})
def item_detail(request: HttpRequest, item_id: int) -> ItemOut:
    user = _user(request)
    item = selectors.item_get_for_user(user, item_id)
    return item_out(item, exact=selectors.can_see_exact_pickup(item, user))


@router.post(
    "/items/{item_id}/reservations",
    response={201: ReservationOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Reserve a window (on the hour); 409 not_available with the next free windows",
)
def reservation_create(
    request: HttpRequest, item_id: int, payload: ReservationIn
) -> Status[ReservationOut] | HttpResponse:
    user = _user(request)
    item = selectors.item_get_for_user(user, item_id)
    try:
        reservation = services.reservation_request(
            borrower=user, item=item, starts_at=payload.starts_at, ends_at=payload.ends_at
        )
    except NotAvailable as error:
        return _not_available_response(request, error)
    reservation = selectors.reservation_get_for_user(user, reservation.pk)
    return Status(201, reservation_out(reservation, user))


@router.post(
    "/items/{item_id}/holds",
    response={201: HoldOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Join the item's waiting queue",
)
def hold_create(request: HttpRequest, item_id: int) -> Status[HoldOut]:
    user = _user(request)
    hold = services.hold_join(member=user, item=selectors.item_get_for_user(user, item_id))
    return Status(201, _hold_out(hold))


def _hold_out(hold: Hold) -> HoldOut:
    return HoldOut(
        id=hold.pk,
        item=hold.item_id,
        status=hold.status,
        position=selectors.hold_position(hold),
        offer_expires_at=hold.offer_expires_at,
    )


@router.get("/holds", response={200: list[HoldOut], **error_responses(401)})
def hold_list(request: HttpRequest) -> list[HoldOut]:
    holds = Hold.objects.filter(member=_user(request), status__in=["waiting", "offered"])
    return [_hold_out(hold) for hold in holds]


# --- Reservations --------------------------------------------------------------------------------


@router.get(
    "/reservations",
    response={200: list[ReservationOut], **error_responses(401)},
    summary="My reservations, as borrower or owner (role=borrower|owner to narrow)",
)
@paginate(PageNumberPagination)
def reservation_list(request: HttpRequest, *, role: str = "") -> Sequence[ReservationOut]:
    rows = (
        selectors.reservations_for(_user(request), role=role)
        .select_related("deposit_payment")
        .prefetch_related("condition_photos")
    )
    return _LazyOut(rows, _user(request))


class _LazyOut(Sequence[ReservationOut]):
    """Converts only the page the paginator slices, so the page costs the same at any size."""

    def __init__(self, rows: QuerySet[Reservation], viewer: User) -> None:
        self._rows, self._viewer = rows, viewer

    def __len__(self) -> int:
        return self._rows.count()

    @overload
    def __getitem__(self, index: int) -> ReservationOut: ...
    @overload
    def __getitem__(self, index: slice) -> list[ReservationOut]: ...
    def __getitem__(self, index: int | slice) -> ReservationOut | list[ReservationOut]:
        if isinstance(index, slice):
            return [reservation_out(row, self._viewer) for row in self._rows[index]]
        return reservation_out(self._rows[index], self._viewer)


@router.get(
    "/reservations/{reservation_id}",
    response={200: ReservationOut, **error_responses(401, 404)},
)
def reservation_detail(request: HttpRequest, reservation_id: int) -> ReservationOut:
    return reservation_out(
        selectors.reservation_get_for_user(_user(request), reservation_id), _user(request)
    )


def _act(request: HttpRequest, reservation_id: int) -> tuple[User, Reservation]:
    user = _user(request)
    return user, selectors.reservation_get_for_user(user, reservation_id)


def _reload(user: User, reservation: Reservation) -> ReservationOut:
    return reservation_out(selectors.reservation_get_for_user(user, reservation.pk), user)


_LIFECYCLE = {200: ReservationOut, **error_responses(400, 401, 403, 404, 409)}


@router.post("/reservations/{reservation_id}/approve", response=_LIFECYCLE)
def reservation_approve(request: HttpRequest, reservation_id: int) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    return _reload(user, services.reservation_approve(actor=user, reservation=reservation))


@router.post("/reservations/{reservation_id}/decline", response=_LIFECYCLE)
def reservation_decline(request: HttpRequest, reservation_id: int) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    return _reload(user, services.reservation_decline(actor=user, reservation=reservation))


@router.post("/reservations/{reservation_id}/cancel", response=_LIFECYCLE)
def reservation_cancel(request: HttpRequest, reservation_id: int) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    return _reload(user, services.reservation_cancel(actor=user, reservation=reservation))


@router.post(
    "/reservations/{reservation_id}/pickup",
    response=_LIFECYCLE,
    summary="Check-out by the owner: condition note and every check-out prompt answered",
)
def reservation_pickup(
    request: HttpRequest, reservation_id: int, payload: PickupIn | None = None
) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    payload = payload or PickupIn(condition_note="", answers={})
    done = services.reservation_pickup(
        actor=user,
        reservation=reservation,
        condition_note=payload.condition_note,
        answers=payload.answers,
    )
    return _reload(user, done)


@router.post(
    "/reservations/{reservation_id}/return",
    response=_LIFECYCLE,
    summary="Check-in by the owner: condition, prompts, damaged or not; computes the late fee",
)
def reservation_return(
    request: HttpRequest, reservation_id: int, payload: ReturnIn
) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    done = services.reservation_return(
        actor=user,
        reservation=reservation,
        condition=payload.condition,
        condition_note=payload.condition_note,
        answers=payload.answers,
        damaged=payload.damaged,
    )
    return _reload(user, done)


@router.post(
    "/reservations/{reservation_id}/extend",
    response=_LIFECYCLE,
    summary="The borrower extends the loan when nothing is booked after",
)
def reservation_extend(
    request: HttpRequest, reservation_id: int, payload: ExtendIn
) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    done = services.reservation_extend(actor=user, reservation=reservation, ends_at=payload.ends_at)
    return _reload(user, done)


@router.post(
    "/reservations/{reservation_id}/damage",
    response={201: dict, **error_responses(400, 401, 403, 404, 409)},
    summary="The owner reports damage after a damaged check-in; the board reviews it",
)
def damage_create(
    request: HttpRequest, reservation_id: int, payload: DamageIn
) -> Status[dict[str, object]]:
    user, reservation = _act(request, reservation_id)
    report = services.damage_report_file(
        actor=user,
        reservation=reservation,
        description=payload.description,
        claimed_cents=payload.claimed_cents,
    )
    return Status(201, {"id": report.pk, "status": report.status})


@router.post(
    "/damage-reports/{report_id}/decide",
    response={200: dict, **error_responses(400, 401, 403, 404, 409)},
    summary="Board: uphold (an amount the deposit pays) or reject (0) a damage report",
)
def damage_decide(request: HttpRequest, report_id: int, payload: DecideIn) -> dict[str, object]:
    user = _user(request)
    report = DamageReport.objects.select_related("reservation__item").filter(pk=report_id).first()
    if report is None or not user.is_board:
        raise NotFound("No such damage report.")
    report = services.damage_report_decide(
        actor=user, report=report, awarded_cents=payload.awarded_cents
    )
    return {"id": report.pk, "status": report.status, "awarded_cents": report.awarded_cents}


# --- Wanted --------------------------------------------------------------------------------------


def _wanted_out(wanted: Wanted) -> WantedOut:
    return WantedOut(
        id=wanted.pk,
        title=wanted.title,
        category=wanted.category,
        is_open=wanted.is_open,
        collective_purchase=wanted.purchase_id,
        created_at=wanted.created_at,
    )


@router.get("/wanted", response={200: list[WantedOut], **error_responses(401)})
@paginate(PageNumberPagination)
def wanted_list(request: HttpRequest) -> Sequence[WantedOut]:
    return [_wanted_out(w) for w in Wanted.objects.filter(is_open=True)[:500]]


@router.post(
    "/wanted",
    response={201: WantedOut, **error_responses(400, 401, 403)},
    summary="Post what you need and cannot find; may trigger a collective purchase",
)
def wanted_create(request: HttpRequest, payload: WantedIn) -> Status[WantedOut]:
    wanted = services.wanted_create(
        member=_user(request),
        title=payload.title,
        category=payload.category,
        near=payload.near.to_point() if payload.near else None,
    )
    wanted.refresh_from_db()
    return Status(201, _wanted_out(wanted))


# --- Maintenance and deposits --------------------------------------------------------------------


class RepairIn(Schema):
    out_for_repair: bool


def _managed_item(request: HttpRequest, item_id: int) -> tuple[User, Item]:
    user = _user(request)
    return user, selectors.item_get_for_user(user, item_id)


@router.post(
    "/items/{item_id}/repair",
    response={200: ItemOut, **error_responses(400, 401, 403, 404)},
    summary="The owner sends the item to repair (not reservable) or brings it back",
)
def item_repair(request: HttpRequest, item_id: int, payload: RepairIn) -> ItemOut:
    user, item = _managed_item(request, item_id)
    item = services.item_set_repair(actor=user, item=item, out_for_repair=payload.out_for_repair)
    return item_out(item, exact=True)


@router.post(
    "/items/{item_id}/safety-check",
    response={200: ItemOut, **error_responses(401, 403, 404)},
    summary="The owner records today's periodic safety check",
)
def item_safety_check(request: HttpRequest, item_id: int) -> ItemOut:
    user, item = _managed_item(request, item_id)
    return item_out(services.item_record_safety_check(actor=user, item=item), exact=True)


@router.post(
    "/reservations/{reservation_id}/deposit",
    response={200: ReservationOut, **error_responses(401, 403, 404, 409)},
    summary="The borrower (re)starts the deposit hold; confirm it with payment.client_secret",
)
def reservation_deposit(request: HttpRequest, reservation_id: int) -> ReservationOut:
    user, reservation = _act(request, reservation_id)
    if reservation.borrower_id != user.pk:
        raise LendingNotAllowed("Only the borrower puts the deposit on hold.")
    if reservation.item.deposit_cents <= 0:
        raise InvalidTransition("This item has no deposit.", code="no_deposit")
    deposits.deposit_start(reservation_id=reservation.pk)
    return _reload(user, reservation)


# --- Photos --------------------------------------------------------------------------------------
# Uploads are multipart/form-data (the contract's JSON convention cannot carry a file): a `photo`
# part (JPEG, PNG or WebP; refused with 400 bad_image otherwise) and the other fields as parts.


@router.post(
    "/items/{item_id}/photos",
    response={201: PhotoOut, **error_responses(400, 401, 403, 404)},
    summary="The owner adds a photo (multipart: photo, alt_text); resized, metadata removed",
)
def item_photo_create(
    request: HttpRequest,
    item_id: int,
    alt_text: Form[str],
    photo: File[UploadedFile],
) -> Status[PhotoOut]:
    user, item = _managed_item(request, item_id)
    added = photos.item_photo_add(actor=user, item=item, upload=photo, alt_text=alt_text)
    return Status(201, photo_out(added))


@router.delete(
    "/items/{item_id}/photos/{int:photo_id}",
    response={204: None, **error_responses(401, 403, 404)},
    summary="The owner removes a photo",
)
def item_photo_delete(request: HttpRequest, item_id: int, photo_id: int) -> Status[None]:
    user, item = _managed_item(request, item_id)
    photos.item_photo_remove(actor=user, photo=selectors.item_photo_get(item, photo_id))
    return Status(204, None)


@router.put(
    "/items/{item_id}/photos/order",
    response={200: list[PhotoOut], **error_responses(400, 401, 403, 404)},
    summary="The owner orders the photos (the first is the cover in search results)",
)
def item_photo_order(request: HttpRequest, item_id: int, payload: PhotoOrderIn) -> list[PhotoOut]:
    user, item = _managed_item(request, item_id)
    ordered = photos.item_photos_reorder(actor=user, item=item, photo_ids=payload.photo_ids)
    return [photo_out(photo) for photo in ordered]


@router.post(
    "/reservations/{reservation_id}/condition-photos",
    response={201: ConditionPhotoOut, **error_responses(400, 401, 403, 404, 409)},
    summary="The borrower or owner adds private evidence of the condition (multipart: stage = "
    "checkout|checkin, photo)",
)
def condition_photo_create(
    request: HttpRequest,
    reservation_id: int,
    stage: Form[str],
    photo: File[UploadedFile],
) -> Status[ConditionPhotoOut]:
    user, reservation = _act(request, reservation_id)
    added = photos.condition_photo_add(
        actor=user, reservation=reservation, stage=stage, upload=photo
    )
    return Status(201, _condition_photo_out(added))


@router.get(
    "/condition-photos/{photo_id}",
    response={200: None, **error_responses(401, 404)},
    url_name="lending_condition_photo_image",
    summary="The photo itself (WebP; size=thumbnail for the small one); borrower, owner, board",
)
def condition_photo_image(request: HttpRequest, photo_id: int, size: str = "") -> HttpResponse:
    photo = selectors.condition_photo_get_for_user(_user(request), photo_id)
    return image_response(photo.thumbnail_name if size == "thumbnail" else photo.image_name)
