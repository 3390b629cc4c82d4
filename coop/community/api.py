"""`/api/v1/community`: community projects, their money, proposals, the board's decisions, gifts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from coop.api import error_responses
from coop.community import selectors, services
from coop.community.models import CommunityProject, ProjectSpend
from coop.community.schemas import (
    ApproveIn,
    CommunityProjectDetailOut,
    CommunityProjectOut,
    GiftOut,
    MoneyLineOut,
    ProjectGiftIn,
    ProjectIn,
    RejectIn,
    SpendIn,
    SpendOut,
)
from coop.exceptions import InvalidInput, NotFound
from coop.geo.schemas import PointSchema
from coop.members.models import User
from coop.money.amounts import Money, default_currency
from coop.pagination import PageNumberPagination
from governance.board import board_action_check
from governance.models import Ballot

router = Router(tags=["community"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def project_out(
    project: CommunityProject,
    *,
    detail: bool = False,
    money: selectors.ProjectMoney | None = None,
) -> CommunityProjectOut:
    money = money or selectors.project_money(project, lines=detail)
    place = project.place
    values: dict[str, Any] = {
        "id": project.pk,
        "slug": project.slug,
        "name": project.name,
        "description": project.description,
        "neighbourhood": project.neighbourhood,
        "status": project.status,
        "amount_cents": project.amount_cents,
        "currency": project.currency,
        "place": PointSchema(lat=place.lat, lng=place.lng) if place else None,
        "received_cents": money.in_cents,
        "spent_cents": money.out_cents,
        "balance_cents": money.balance_cents,
        "progress_percent": selectors.progress_percent(project, money),
        "decision_ballot": project.decision_ballot_id,
        "decision_note": project.decision_note,
    }
    if detail:
        lines = [MoneyLineOut(**line.__dict__) for line in money.lines]
        spends = [spend_out(spend) for spend in selectors.project_spends(project)]
        return CommunityProjectDetailOut(**values, money=lines, spends=spends)
    return CommunityProjectOut(**values)


def spend_out(spend: ProjectSpend) -> SpendOut:
    return SpendOut(
        id=spend.pk,
        amount_cents=spend.amount_cents,
        currency=spend.currency,
        payee=spend.payee,
        purpose=spend.purpose,
        spent_on=spend.spent_on,
        reference=spend.reference,
        ledger_transaction=spend.ledger_transaction_id,
    )


@router.get(
    "/projects",
    response=list[CommunityProjectOut],
    auth=None,
    summary="Approved community projects with their money received and spent (public)",
)
@paginate(PageNumberPagination)
def project_list(request: HttpRequest) -> Any:
    return _ProjectPage(selectors.projects_public())


class _ProjectPage:
    """The paginator slices this; only the page's projects are read, with their money in one
    query, so a page costs the same however many projects there are."""

    def __init__(self, projects: QuerySet[CommunityProject]) -> None:
        self._projects = projects

    def __len__(self) -> int:
        return self._projects.count()

    def __getitem__(self, index: slice) -> list[CommunityProjectOut]:
        rows = list(self._projects[index])
        totals = selectors.project_money_totals(rows)
        return [project_out(p, money=totals[p.pk]) for p in rows]


@router.get(
    "/projects/pending",
    response={200: list[CommunityProjectOut], **error_responses(401, 403)},
    summary="Board: projects waiting for a decision",
)
def project_pending(request: HttpRequest) -> list[CommunityProjectOut]:
    board_action_check(user=_user(request), request=request)
    return [project_out(p) for p in selectors.projects_pending()]


@router.get(
    "/projects/{slug}",
    response={200: CommunityProjectDetailOut, **error_responses(404)},
    auth=None,
    summary="One project with every movement of its money (public once approved)",
)
def project_detail(request: HttpRequest, slug: str) -> CommunityProjectOut:
    return project_out(selectors.project_get_for_user(request.user, slug), detail=True)


@router.post(
    "/projects",
    response={201: CommunityProjectOut, **error_responses(400, 401, 403)},
    summary="Propose a community project (members in good standing)",
)
def project_propose(request: HttpRequest, payload: ProjectIn) -> Status[object]:
    project = services.project_propose(
        member=_user(request),
        name=payload.name,
        description=payload.description,
        neighbourhood=payload.neighbourhood,
        amount=Money(payload.amount_cents, default_currency()),
        place=payload.place.to_point() if payload.place else None,
    )
    return Status(201, project_out(project))


def _project(slug: str) -> CommunityProject:
    project = CommunityProject.objects.filter(slug=slug).first()
    if project is None:
        raise NotFound("No such community project.")
    return project


@router.post(
    "/projects/{slug}/approve",
    response={200: CommunityProjectOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Board: record the members' ballot that approved the project",
)
def project_approve(request: HttpRequest, slug: str, payload: ApproveIn) -> CommunityProjectOut:
    ballot = Ballot.objects.filter(pk=payload.ballot).select_related("result").first()
    if ballot is None:
        raise InvalidInput(fields={"ballot": ["No such ballot."]})
    project = services.project_approve(
        board_member=_user(request), request=request, project=_project(slug), ballot=ballot
    )
    return project_out(project)


@router.post(
    "/projects/{slug}/reject",
    response={200: CommunityProjectOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Board: reject a project after checking it, with the reason",
)
def project_reject(request: HttpRequest, slug: str, payload: RejectIn) -> CommunityProjectOut:
    project = services.project_reject(
        board_member=_user(request), request=request, project=_project(slug), reason=payload.reason
    )
    return project_out(project)


@router.post(
    "/projects/{slug}/gifts",
    response={201: GiftOut, **error_responses(400, 401, 403, 404)},
    summary="Give to an approved project; confirm the payment with its client_secret",
)
def gift_start(request: HttpRequest, slug: str, payload: ProjectGiftIn) -> Status[object]:
    project = selectors.project_get_public(slug)
    payment = services.gift_start(
        member=_user(request),
        project=project,
        amount=Money(payload.amount_cents, project.currency),
    )
    return Status(
        201,
        GiftOut(
            payment_id=payment.pk,
            client_secret=payment.client_secret,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
        ),
    )


@router.post(
    "/projects/{slug}/spends",
    response={201: SpendOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Board: record money paid out of a project, against its receipt",
    description="409 `project_funds_too_low` beyond the project's balance, "
    "409 `project_not_approved` for a project that is not approved.",
)
def project_spend(request: HttpRequest, slug: str, payload: SpendIn) -> Status[object]:
    # Before looking the payee up, so the endpoint tells nobody else which member ids exist.
    board_action_check(user=_user(request), request=request)
    project = _project(slug)
    payee_member = None
    if payload.payee_member is not None:
        payee_member = User.objects.filter(pk=payload.payee_member).first()
        if payee_member is None:
            raise InvalidInput(fields={"payee_member": ["No such member."]})
    spend = services.project_spend(
        board_member=_user(request),
        request=request,
        project=project,
        amount=Money(payload.amount_cents, project.currency),
        payee=payload.payee,
        purpose=payload.purpose,
        spent_on=payload.spent_on,
        reference=payload.reference,
        payee_member=payee_member,
    )
    return Status(201, spend_out(spend))
