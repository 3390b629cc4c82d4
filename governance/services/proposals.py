"""Proposals: drafting, sponsoring (which puts them to a ballot) and discussion."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from coop.exceptions import InvalidInput, NotFound
from coop.locking import lock_for_update
from coop.members.models import User
from coop.notifications.services import notification_send
from governance.exceptions import (
    AlreadySponsored,
    NotAMember,
    NotSponsoring,
)
from governance.models import (
    BallotKind,
    Comment,
    PassThreshold,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Sponsorship,
)
from governance.parameters import parameter_spec, parameter_value
from governance.services.ballots import TITLE_MAX, ballot_create


def _require_member(user: User) -> None:
    if not user.is_authenticated or not user.in_good_standing:
        raise NotAMember()


@transaction.atomic
def proposal_create(
    *,
    author: User,
    title: str,
    text: str,
    kind: str,
    parameter_key: str = "",
    parameter_value: int | None = None,
) -> Proposal:
    _require_member(author)
    title = " ".join(title.split())
    text = text.strip()
    problems: dict[str, list[str]] = {}
    if not title:
        problems["title"] = ["A title is required."]
    elif len(title) > TITLE_MAX:
        problems["title"] = [f"At most {TITLE_MAX} characters."]
    if not text:
        problems["text"] = ["Explain the proposal."]
    if kind not in ProposalKind.values:
        problems["kind"] = [f"One of {', '.join(ProposalKind.values)}."]
    if kind == ProposalKind.PARAMETER_CHANGE:
        if parameter_value is None:
            problems["parameter_value"] = ["The new value is required."]
        try:
            spec = parameter_spec(parameter_key)
            if parameter_value is not None:
                spec.validate(parameter_value)
        except (InvalidInput, NotFound) as error:
            problems.setdefault(
                "parameter_key" if isinstance(error, NotFound) else "parameter_value", []
            ).append(error.message)
    else:
        parameter_key, parameter_value = "", None
    if problems:
        raise InvalidInput("The proposal is not complete.", fields=problems)
    return Proposal.objects.create(
        author=author,
        title=title,
        text=text,
        kind=kind,
        parameter_key=parameter_key,
        parameter_value=parameter_value,
    )


@transaction.atomic
def proposal_sponsor(*, proposal: Proposal, member: User) -> Proposal:
    """Add the member's sponsorship; at the threshold the proposal goes to a yes/no ballot."""
    _require_member(member)
    if proposal.author_id == member.pk:
        raise InvalidInput("Authors cannot sponsor their own proposal.", code="own_proposal")
    (proposal,) = lock_for_update(proposal)
    if proposal.status != ProposalStatus.SPONSORING:
        raise NotSponsoring()
    if Sponsorship.objects.filter(proposal=proposal, member=member).exists():
        raise AlreadySponsored()
    Sponsorship.objects.create(proposal=proposal, member=member)
    sponsors = Sponsorship.objects.filter(proposal=proposal).count()
    if sponsors >= parameter_value("governance.sponsor_threshold"):
        now = timezone.now()
        ballot_create(
            title=proposal.title,
            kind=BallotKind.YES_NO,
            options=[],
            opens_at=now,
            closes_at=now + timedelta(days=parameter_value("governance.ballot_days")),
            quorum_percent=parameter_value("governance.proposal_quorum_percent"),
            pass_threshold=PassThreshold.SIMPLE_MAJORITY,
            proposal=proposal,
            created_by=None,
        )
        proposal.refresh_from_db()
        notification_send(
            recipient=proposal.author,
            kind="governance.proposal_on_ballot",
            title=f"Your proposal goes to a vote: {proposal.title}"[:200],
            url=f"/governance/proposals/{proposal.pk}/",
        )
    return proposal


@transaction.atomic
def proposal_comment(*, proposal: Proposal, author: User, text: str) -> Comment:
    _require_member(author)
    text = text.strip()
    if not text:
        raise InvalidInput("Write something first.", fields={"text": ["Required."]})
    if len(text) > 5000:
        raise InvalidInput(fields={"text": ["At most 5000 characters."]})
    return Comment.objects.create(proposal=proposal, author=author, text=text)
