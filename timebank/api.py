"""`/api/v1/timebank`: posts, my account and ledger, transfers, exchanges, chores, exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from coop.api import error_responses
from coop.exceptions import InvalidInput, NotFound
from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.geo.schemas import PointSchema
from coop.members.models import User
from coop.pagination import PageNumberPagination
from timebank import rota, selectors, services
from timebank.exceptions import TimebankNotAllowed
from timebank.models import Chore, Endorsement, Exchange, ExchangeStatus, Movement, Post
from timebank.schemas import (
    AccountOut,
    AccountPatch,
    CandidateOut,
    ChoreIn,
    ChoreOut,
    CoordinatorIn,
    DisputeIn,
    EndorsementIn,
    EndorsementOut,
    ExchangeIn,
    ExchangeOut,
    GiftIn,
    MemberRef,
    MovementOut,
    PostIn,
    PostOut,
    PostRef,
    ProfileOut,
    ResolveIn,
    SwapIn,
    TransferIn,
    TransferOut,
)

router = Router(tags=["timebank"])

T = TypeVar("T")
U = TypeVar("U")


class _Mapped(Sequence[U]):
    """A sequence that converts rows only when the paginator slices it, so a page of a large
    result costs the same as a page of a small one."""

    def __init__(self, rows: Sequence[Any] | QuerySet[Any], convert: Callable[[Any], U]) -> None:
        self._rows, self._convert = rows, convert

    def __len__(self) -> int:
        if isinstance(self._rows, QuerySet):
            return self._rows.count()  # a COUNT, not every row
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> U: ...
    @overload
    def __getitem__(self, index: slice) -> list[U]: ...
    def __getitem__(self, index: int | slice) -> U | list[U]:
        if isinstance(index, slice):
            return [self._convert(row) for row in self._rows[index]]
        return self._convert(self._rows[index])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _ref(user: User | None) -> MemberRef | None:
    return None if user is None else MemberRef(id=user.pk, display_name=user.display_name)


def _post_out(post: Post, viewer: User, distance: float | None = None) -> PostOut:
    location = post.location
    is_author = post.author_id == viewer.pk
    if location is not None and not is_author:
        location = approximate_point(location, key=f"timebank-post:{post.pk}")
    return PostOut(
        id=post.pk,
        kind=post.kind,
        title=post.title,
        description=post.description,
        category=post.category,
        tags=list(post.tags),
        author=MemberRef(id=post.author.pk, display_name=post.author.display_name),
        location=PointSchema(lat=location.lat, lng=location.lng) if location else None,
        # To 100 m for others, so distances from many points cannot pin the exact place down.
        distance_km=None if distance is None else round(distance, 2 if is_author else 1),
        is_active=post.is_active,
        created_at=post.created_at,
    )


@router.get(
    "/posts",
    response={200: list[PostOut], **error_responses(400, 401)},
    summary="Offers and requests; with near=lat,lng nearest first with distance_km",
)
@paginate(PageNumberPagination)
def post_list(
    request: HttpRequest,
    *,
    q: str = "",
    category: str = "",
    kind: str = "",
    near: str | None = None,
    radius_km: float = 5.0,
) -> Sequence[PostOut]:
    viewer = _user(request)
    posts = selectors.post_list(q=q, category=category, kind=kind)
    if near:
        center = Point.parse(near)
        hits = selectors.post_list_near(posts, center=center, radius_km=radius_km)
        return _Mapped(hits, lambda hit: _post_out(hit.obj, viewer, hit.distance_km))
    return _Mapped(posts, lambda post: _post_out(post, viewer))


@router.post(
    "/posts",
    response={201: PostOut, **error_responses(400, 401, 403)},
    summary="Post an offer or a request",
)
def post_create(request: HttpRequest, payload: PostIn) -> Status[PostOut]:
    post = services.post_create(
        author=_user(request),
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        category=payload.category,
        tags=payload.tags,
        location=payload.location.to_point() if payload.location else None,
    )
    return Status(201, _post_out(post, _user(request)))


@router.get("/posts/{post_id}", response={200: PostOut, **error_responses(401, 404)})
def post_get(request: HttpRequest, post_id: int) -> PostOut:
    return _post_out(selectors.post_get(post_id), _user(request))


@router.post("/posts/{post_id}/close", response={200: PostOut, **error_responses(401, 403, 404)})
def post_close(request: HttpRequest, post_id: int) -> PostOut:
    post = services.post_close(user=_user(request), post=selectors.post_get(post_id))
    return _post_out(post, _user(request))


def _account_out(user: User) -> AccountOut:
    account = services.account_for(user)
    limits = services.account_limits(account)
    return AccountOut(
        balance_minutes=account.balance_minutes,
        min_balance_minutes=limits.min_minutes or 0,
        max_balance_minutes=limits.max_minutes or 0,
        weekly_digest=account.weekly_digest,
        is_coordinator=services.is_coordinator(user),
    )


@router.get(
    "/account", response={200: AccountOut, **error_responses(401)}, summary="My balance and limits"
)
def account_get(request: HttpRequest) -> AccountOut:
    return _account_out(_user(request))


@router.patch("/account", response={200: AccountOut, **error_responses(400, 401)})
def account_patch(request: HttpRequest, payload: AccountPatch) -> AccountOut:
    services.account_update_settings(user=_user(request), weekly_digest=payload.weekly_digest)
    return _account_out(_user(request))


def _transfer_out(transfer: Any) -> TransferOut:
    return TransferOut(
        id=transfer.pk,
        kind=transfer.kind,
        from_member=_ref(transfer.from_account.owner),
        to_member=_ref(transfer.to_account.owner),
        amount_minutes=transfer.amount_minutes,
        note=transfer.note,
        recorded_by=_ref(transfer.recorded_by),
        created_at=transfer.created_at,
    )


def _acting(request: HttpRequest, on_behalf_of: int | None) -> tuple[User, User | None]:
    """(the member whose hours or exchange it is, the coordinator recording it or None)."""
    user = _user(request)
    if on_behalf_of is None or on_behalf_of == user.pk:
        return user, None
    if not services.is_coordinator(user):
        raise TimebankNotAllowed("Only the board and appointed coordinators can act for a member.")
    return services.member_get(on_behalf_of, field="on_behalf_of"), user


@router.post(
    "/transfers",
    response={201: TransferOut, **error_responses(400, 401, 403, 409)},
    summary="Send hours to a member (409 balance_limit when a limit would be crossed)",
)
def transfer_create(request: HttpRequest, payload: TransferIn) -> Status[TransferOut]:
    payer, recorded_by = _acting(request, payload.on_behalf_of)
    transfer = services.transfer_create(
        payer=payer,
        to_member_id=payload.to_member,
        minutes=payload.minutes,
        note=payload.note,
        recorded_by=recorded_by,
    )
    return Status(201, _transfer_out(transfer))


@router.post(
    "/community/gifts",
    response={201: TransferOut, **error_responses(400, 401, 403, 409)},
    summary="Give hours to the community account",
)
def community_gift(request: HttpRequest, payload: GiftIn) -> Status[TransferOut]:
    transfer = services.community_gift(
        giver=_user(request), minutes=payload.minutes, note=payload.note
    )
    return Status(201, _transfer_out(transfer))


def _exchange_out(exchange: Exchange) -> ExchangeOut:
    post = exchange.post
    return ExchangeOut(
        id=exchange.pk,
        post=PostRef(id=post.pk, kind=post.kind, title=post.title),
        provider=MemberRef(id=exchange.provider.pk, display_name=exchange.provider.display_name),
        receiver=MemberRef(id=exchange.receiver.pk, display_name=exchange.receiver.display_name),
        requester=MemberRef(id=exchange.requester.pk, display_name=exchange.requester.display_name),
        minutes=exchange.minutes,
        status=exchange.status,
        dispute_reason=exchange.dispute_reason,
        created_at=exchange.created_at,
        accepted_at=exchange.accepted_at,
        completed_at=exchange.completed_at,
        confirmed_at=exchange.confirmed_at,
        closed_at=exchange.closed_at,
    )


@router.get(
    "/exchanges",
    response={200: list[ExchangeOut], **error_responses(400, 401)},
    summary="My exchanges, newest first",
)
@paginate(PageNumberPagination)
def exchange_list(request: HttpRequest) -> Sequence[ExchangeOut]:
    return _Mapped(selectors.exchange_list_for(_user(request)), _exchange_out)


@router.post(
    "/exchanges",
    response={201: ExchangeOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Start an exchange from a post",
)
def exchange_create(request: HttpRequest, payload: ExchangeIn) -> Status[ExchangeOut]:
    requester, recorded_by = _acting(request, payload.on_behalf_of)
    exchange = services.exchange_request(
        requester=requester,
        post=selectors.post_get(payload.post),
        minutes=payload.minutes,
        recorded_by=recorded_by,
    )
    return Status(201, _exchange_out(selectors.exchange_get_for_user(requester, exchange.pk)))


@router.get("/exchanges/{exchange_id}", response={200: ExchangeOut, **error_responses(401, 404)})
def exchange_get(request: HttpRequest, exchange_id: int) -> ExchangeOut:
    return _exchange_out(selectors.exchange_get_for_user(_user(request), exchange_id))


_STEPS: dict[str, Callable[..., Exchange]] = {
    "accept": services.exchange_accept,
    "complete": services.exchange_complete,
    "confirm": services.exchange_confirm,
    "cancel": services.exchange_cancel,
}


def _step(
    request: HttpRequest, exchange_id: int, step: str, on_behalf_of: int | None
) -> ExchangeOut:
    member, recorded_by = _acting(request, on_behalf_of)
    exchange = selectors.exchange_get_for_user(_user(request), exchange_id)
    if recorded_by is not None and not exchange.is_party(member.pk):
        raise NotFound("No exchange with that id.")
    _STEPS[step](user=member, exchange=exchange, recorded_by=recorded_by)
    return _exchange_out(selectors.exchange_get_for_user(_user(request), exchange_id))


_STEP_RESPONSES = {200: ExchangeOut, **error_responses(400, 401, 403, 404, 409)}


@router.post(
    "/exchanges/{exchange_id}/accept",
    response=_STEP_RESPONSES,
    summary="Accept (the post's author)",
)
def exchange_accept(
    request: HttpRequest, exchange_id: int, on_behalf_of: int | None = None
) -> ExchangeOut:
    return _step(request, exchange_id, "accept", on_behalf_of)


@router.post(
    "/exchanges/{exchange_id}/complete",
    response=_STEP_RESPONSES,
    summary="Mark done (the provider)",
)
def exchange_complete(
    request: HttpRequest, exchange_id: int, on_behalf_of: int | None = None
) -> ExchangeOut:
    return _step(request, exchange_id, "complete", on_behalf_of)


@router.post(
    "/exchanges/{exchange_id}/confirm",
    response=_STEP_RESPONSES,
    summary="Confirm (the receiver): the minutes move; 409 balance_limit",
)
def exchange_confirm(
    request: HttpRequest, exchange_id: int, on_behalf_of: int | None = None
) -> ExchangeOut:
    return _step(request, exchange_id, "confirm", on_behalf_of)


@router.post(
    "/exchanges/{exchange_id}/cancel", response=_STEP_RESPONSES, summary="Cancel before it is done"
)
def exchange_cancel(
    request: HttpRequest, exchange_id: int, on_behalf_of: int | None = None
) -> ExchangeOut:
    return _step(request, exchange_id, "cancel", on_behalf_of)


@router.post(
    "/exchanges/{exchange_id}/dispute",
    response=_STEP_RESPONSES,
    summary="Dispute a completed exchange",
)
def exchange_dispute(request: HttpRequest, exchange_id: int, payload: DisputeIn) -> ExchangeOut:
    exchange = selectors.exchange_get_for_user(_user(request), exchange_id)
    services.exchange_dispute(user=_user(request), exchange=exchange, reason=payload.reason)
    return _exchange_out(selectors.exchange_get_for_user(_user(request), exchange_id))


@router.post(
    "/exchanges/{exchange_id}/resolve", response=_STEP_RESPONSES, summary="Board: resolve a dispute"
)
def exchange_resolve(request: HttpRequest, exchange_id: int, payload: ResolveIn) -> ExchangeOut:
    exchange = selectors.exchange_get_for_user(_user(request), exchange_id)
    services.exchange_resolve(board=_user(request), exchange=exchange, outcome=payload.outcome)
    return _exchange_out(selectors.exchange_get_for_user(_user(request), exchange_id))


def _endorsement_out(endorsement: Endorsement) -> EndorsementOut:
    return EndorsementOut(
        id=endorsement.pk,
        exchange=endorsement.exchange_id,
        author=MemberRef(id=endorsement.author.pk, display_name=endorsement.author.display_name),
        subject=MemberRef(id=endorsement.subject.pk, display_name=endorsement.subject.display_name),
        text=endorsement.text,
        created_at=endorsement.created_at,
    )


@router.post(
    "/exchanges/{exchange_id}/endorsements",
    response={201: EndorsementOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Endorse the other member of a confirmed exchange",
)
def endorsement_create(
    request: HttpRequest, exchange_id: int, payload: EndorsementIn
) -> Status[EndorsementOut]:
    exchange = selectors.exchange_get_for_user(_user(request), exchange_id)
    endorsement = services.endorsement_create(
        author=_user(request), exchange=exchange, text=payload.text
    )
    return Status(201, _endorsement_out(endorsement))


@router.get(
    "/members/{member_id}",
    response={200: ProfileOut, **error_responses(401, 404)},
    summary="A member's timebank profile with their endorsements",
)
def profile_get(request: HttpRequest, member_id: int) -> ProfileOut:
    member = selectors.profile_get(member_id)
    home = member.home
    area = approximate_point(home, key=f"member:{member.pk}") if home else None
    return ProfileOut(
        id=member.pk,
        display_name=member.display_name,
        bio=member.bio,
        skills=list(member.skills),
        area=PointSchema(lat=area.lat, lng=area.lng) if area else None,
        endorsements=[_endorsement_out(e) for e in selectors.endorsements_of(member)[:50]],
        exchanges_confirmed=selectors.exchange_list_for(member)
        .filter(status=ExchangeStatus.CONFIRMED)
        .count(),
    )


def _movement_out(movement: Movement) -> MovementOut:
    transfer = movement.transfer
    other = transfer.to_account if movement.amount_minutes < 0 else transfer.from_account
    return MovementOut(
        id=movement.pk,
        transfer_id=transfer.pk,
        kind=transfer.kind,
        amount_minutes=movement.amount_minutes,
        balance_after_minutes=movement.balance_after_minutes,
        counterparty=_ref(other.owner),
        note=transfer.note,
        exchange_id=transfer.exchange_id,
        recorded_by=_ref(transfer.recorded_by),
        created_at=movement.created_at,
    )


@router.get(
    "/ledger",
    response={200: list[MovementOut], **error_responses(400, 401)},
    summary="My movements, newest first",
)
@paginate(PageNumberPagination)
def ledger(request: HttpRequest) -> Sequence[MovementOut]:
    return _Mapped(selectors.movement_list_for(_user(request)), _movement_out)


def _export(rows: Any, fmt: str, name: str, extra: tuple[str, ...] = ()) -> HttpResponse:
    if fmt not in {"csv", "json"}:
        raise InvalidInput(fields={"format": ["Either 'csv' or 'json'."]})
    if fmt == "csv":
        response = HttpResponse(
            selectors.rows_as_csv(rows, extra=extra), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            selectors.rows_as_json(rows, generated_at=timezone.now()),
            content_type="application/json",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@router.get(
    "/ledger/export",
    response={200: Any, **error_responses(400, 401)},
    summary="My whole history as CSV or JSON",
)
def ledger_export(request: HttpRequest, format: str = "json") -> HttpResponse:
    rows = selectors.ledger_rows_for(_user(request))
    return _export(
        rows, format, "timebank-ledger", extra=("my_change_minutes", "balance_after_minutes")
    )


@router.get(
    "/bank/export",
    response={200: Any, **error_responses(400, 401, 403)},
    summary="Board: every transfer of the timebank as CSV or JSON",
)
def bank_export(request: HttpRequest, format: str = "json") -> HttpResponse:
    user = _user(request)
    if not (user.is_board and user.in_good_standing):
        raise TimebankNotAllowed("Only the board exports the whole timebank.")
    return _export(selectors.bank_rows(), format, "timebank-all-transfers")


def _chore_out(chore: Chore) -> ChoreOut:
    return ChoreOut(
        id=chore.pk,
        title=chore.title,
        description=chore.description,
        minutes=chore.minutes,
        status=chore.status,
        due_on=chore.due_on,
        assignee=_ref(chore.assignee),
        swap_to=_ref(chore.swap_to),
    )


@router.get(
    "/chores",
    response={200: list[ChoreOut], **error_responses(400, 401)},
    summary="Chores offered to me, mine, or waiting for me to accept a swap",
)
@paginate(PageNumberPagination)
def chore_list(request: HttpRequest) -> Sequence[ChoreOut]:
    return _Mapped(selectors.chores_for(_user(request)), _chore_out)


@router.post(
    "/chores",
    response={201: ChoreOut, **error_responses(400, 401, 403)},
    summary="Board: post a community chore (offered by the rota at once)",
)
def chore_create(request: HttpRequest, payload: ChoreIn) -> Status[ChoreOut]:
    chore = rota.chore_create(
        board=_user(request),
        title=payload.title,
        description=payload.description,
        minutes=payload.minutes,
        location=payload.location.to_point() if payload.location else None,
        due_on=payload.due_on,
    )
    return Status(201, _chore_out(chore))


def _chore_get(chore_id: int) -> Chore:
    chore = selectors.chores_all().filter(pk=chore_id).first()
    if chore is None:
        raise NotFound("No chore with that id.")
    return chore


@router.get(
    "/chores/{chore_id}/candidates",
    response={200: list[CandidateOut], **error_responses(401, 403, 404)},
    summary="Board: the rota's ranking for a chore, with an explanation per member",
)
def chore_candidates(request: HttpRequest, chore_id: int) -> list[CandidateOut]:
    user = _user(request)
    if not (user.is_board and user.in_good_standing):
        raise TimebankNotAllowed("Only the board sees the rota's ranking.")
    candidates = rota.rota_candidates(_chore_get(chore_id))
    return [
        CandidateOut(
            member=MemberRef(id=c.member.pk, display_name=c.member.display_name),
            explanation=c.explanation(rank),
        )
        for rank, c in enumerate(candidates[:100], start=1)
    ]


_CHORE_RESPONSES = {200: ChoreOut, **error_responses(400, 401, 403, 404, 409)}


@router.post("/chores/{chore_id}/accept", response=_CHORE_RESPONSES)
def chore_accept(request: HttpRequest, chore_id: int) -> ChoreOut:
    return _chore_out(rota.chore_accept(user=_user(request), chore=_chore_get(chore_id)))


@router.post("/chores/{chore_id}/decline", response=_CHORE_RESPONSES)
def chore_decline(request: HttpRequest, chore_id: int) -> ChoreOut:
    return _chore_out(rota.chore_decline(user=_user(request), chore=_chore_get(chore_id)))


@router.post(
    "/chores/{chore_id}/swap",
    response=_CHORE_RESPONSES,
    summary="Ask another member to take my chore",
)
def chore_swap(request: HttpRequest, chore_id: int, payload: SwapIn) -> ChoreOut:
    chore = rota.chore_swap_request(
        user=_user(request), chore=_chore_get(chore_id), to_member_id=payload.to_member
    )
    return _chore_out(chore)


@router.post("/chores/{chore_id}/swap/accept", response=_CHORE_RESPONSES)
def chore_swap_accept(request: HttpRequest, chore_id: int) -> ChoreOut:
    return _chore_out(rota.chore_swap_accept(user=_user(request), chore=_chore_get(chore_id)))


@router.post(
    "/chores/{chore_id}/done",
    response=_CHORE_RESPONSES,
    summary="Board: done, pay from the community account",
)
def chore_done(request: HttpRequest, chore_id: int) -> ChoreOut:
    return _chore_out(rota.chore_done(board=_user(request), chore=_chore_get(chore_id)))


@router.post(
    "/coordinators",
    response={201: MemberRef, **error_responses(400, 401, 403)},
    summary="Board: appoint a coordinator",
)
def coordinator_appoint(request: HttpRequest, payload: CoordinatorIn) -> Status[MemberRef]:
    coordinator = services.coordinator_appoint(board=_user(request), member_id=payload.member)
    member = coordinator.member
    return Status(201, MemberRef(id=member.pk, display_name=member.display_name))
