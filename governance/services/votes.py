"""Votes and proxies (see the package docstring on locking and receipts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.locking import lock_for_update
from coop.members.models import User
from coop.notifications.services import notification_send
from governance import events
from governance.exceptions import (
    AlreadyVoted,
    BallotClosed,
    BallotNotOpen,
    InvalidVote,
    NotEligible,
    NotProxyHolder,
    ProxyLimit,
    ReceiptRequired,
)
from governance.models import (
    AnonymousBallot,
    Ballot,
    BallotKind,
    BallotStatus,
    Proxy,
    ProxyVote,
    RecordedVote,
    RollEntry,
    VoterRecord,
)
from governance.parameters import parameter_value
from governance.services.ballots import _ensure_current
from governance.services.receipts import receipt_hash, receipt_new

YES_NO_OPTIONS = ("yes", "no", "abstain")


def vote_clean(*, ballot: Ballot, content: dict[str, Any]) -> dict[str, Any]:
    """The vote in its stored form, or InvalidVote naming the field that does not fit."""
    option_ids = [option.pk for option in ballot.options.all()]
    if ballot.kind == BallotKind.YES_NO:
        choice = content.get("choice")
        if choice not in YES_NO_OPTIONS:
            raise InvalidVote(fields={"choice": ["One of yes, no, abstain."]})
        return {"choice": choice}
    if ballot.kind in (BallotKind.APPROVAL, BallotKind.BUDGET):
        approvals = content.get("approvals")
        if not isinstance(approvals, list) or not all(isinstance(a, int) for a in approvals):
            raise InvalidVote(fields={"approvals": ["A list of option ids."]})
        if len(set(approvals)) != len(approvals):
            raise InvalidVote(fields={"approvals": ["Each option at most once."]})
        if unknown := [a for a in approvals if a not in option_ids]:
            raise InvalidVote(fields={"approvals": [f"Not options of this ballot: {unknown}."]})
        if ballot.max_approvals and len(approvals) > ballot.max_approvals:
            raise InvalidVote(fields={"approvals": [f"At most {ballot.max_approvals}."]})
        return {"approvals": sorted(approvals)}
    ranking = content.get("ranking")
    if not isinstance(ranking, list) or not all(isinstance(r, int) for r in ranking):
        raise InvalidVote(fields={"ranking": ["A list of option ids, most preferred first."]})
    if not ranking:
        raise InvalidVote(fields={"ranking": ["Rank at least one option."]})
    if len(set(ranking)) != len(ranking):
        raise InvalidVote(fields={"ranking": ["Each option at most once."]})
    if unknown := [r for r in ranking if r not in option_ids]:
        raise InvalidVote(fields={"ranking": [f"Not options of this ballot: {unknown}."]})
    return {"ranking": ranking}


@dataclass(frozen=True)
class VoteCast:
    receipt: str
    changed: bool
    by_proxy: bool


def vote_cast(
    *,
    ballot: Ballot,
    voter: User,
    content: dict[str, Any],
    previous_receipt: str = "",
    on_behalf_of: User | None = None,
) -> VoteCast:
    """Cast (or change) the vote of `voter`, or of `on_behalf_of` when voter is their proxy.

    Returns the new receipt code; it is shown once and never stored in clear.
    """
    # Opening or closing a due ballot commits on its own, before (and whatever happens to) the vote.
    ballot = _ensure_current(ballot, timezone.now())
    with transaction.atomic():
        cast = _vote_cast(
            ballot=ballot,
            voter=voter,
            content=content,
            previous_receipt=previous_receipt,
            on_behalf_of=on_behalf_of,
        )
        ballot_pk = ballot.pk

        def broadcast() -> None:
            events.broadcast_turnout(ballot_pk)

        transaction.on_commit(broadcast, robust=True)
    return cast


def _vote_cast(
    *,
    ballot: Ballot,
    voter: User,
    content: dict[str, Any],
    previous_receipt: str,
    on_behalf_of: User | None,
) -> VoteCast:
    if ballot.status == BallotStatus.CLOSED or ballot.closes_at <= timezone.now():
        raise BallotClosed()
    if ballot.status == BallotStatus.SCHEDULED:
        raise BallotNotOpen()
    member = on_behalf_of or voter
    roll_entry = RollEntry.objects.filter(ballot=ballot, member=member).first()
    if roll_entry is None or not voter.is_authenticated or not voter.in_good_standing:
        raise NotEligible()
    if (
        on_behalf_of is not None
        and not Proxy.objects.filter(ballot=ballot, grantor=on_behalf_of, holder=voter).exists()
    ):
        raise NotProxyHolder()
    cleaned = vote_clean(ballot=ballot, content=content)
    # Serialises every vote for this member on this ballot (their own and their proxy's).
    lock_for_update(roll_entry)
    if Ballot.objects.filter(pk=ballot.pk, status=BallotStatus.CLOSED).exists():
        raise BallotClosed()
    record = VoterRecord.objects.filter(ballot=ballot, member=member).first()
    receipt = receipt_new()
    if on_behalf_of is not None:
        return _proxy_vote(ballot, member, record, cleaned, receipt)
    changed = False
    if record is not None and not record.by_proxy:
        if not ballot.allow_vote_change:
            raise AlreadyVoted("You have voted; this ballot does not allow changes.")
        old = AnonymousBallot.objects.filter(
            ballot=ballot, receipt_hash=receipt_hash(previous_receipt)
        )
        if not previous_receipt or not old.exists():
            raise ReceiptRequired()
        old.delete()
        changed = True
    elif record is not None:
        # The member's own vote replaces the one their proxy cast.
        ProxyVote.objects.filter(ballot=ballot, grantor=member).delete()
        VoterRecord.objects.filter(pk=record.pk).update(by_proxy=False)
        changed = True
    else:
        try:
            with transaction.atomic():
                VoterRecord.objects.create(ballot=ballot, member=member)
        except IntegrityError:
            raise AlreadyVoted() from None
    AnonymousBallot.objects.create(
        ballot=ballot, receipt_hash=receipt_hash(receipt), content=cleaned
    )
    _record_if_public(ballot, member, cleaned, receipt)
    return VoteCast(receipt=receipt, changed=changed, by_proxy=False)


def _record_if_public(ballot: Ballot, member: User, cleaned: dict[str, Any], receipt: str) -> None:
    """On a ballot that is not secret, how each member voted is published under their name."""
    if not ballot.secret:
        RecordedVote.objects.update_or_create(
            ballot=ballot,
            member=member,
            defaults={"content": cleaned, "receipt_hash": receipt_hash(receipt)},
        )


def _proxy_vote(
    ballot: Ballot,
    grantor: User,
    record: VoterRecord | None,
    cleaned: dict[str, Any],
    receipt: str,
) -> VoteCast:
    if record is not None and not record.by_proxy:
        raise AlreadyVoted("This member has voted themselves; their own vote counts.")
    if record is not None:
        if not ballot.allow_vote_change:
            raise AlreadyVoted(
                "You have voted for this member; this ballot does not allow changes."
            )
        ProxyVote.objects.filter(ballot=ballot, grantor=grantor).update(
            content=cleaned, receipt_hash=receipt_hash(receipt)
        )
        _record_if_public(ballot, grantor, cleaned, receipt)
        return VoteCast(receipt=receipt, changed=True, by_proxy=True)
    try:
        with transaction.atomic():
            VoterRecord.objects.create(ballot=ballot, member=grantor, by_proxy=True)
    except IntegrityError:
        raise AlreadyVoted() from None
    ProxyVote.objects.create(
        ballot=ballot, grantor=grantor, receipt_hash=receipt_hash(receipt), content=cleaned
    )
    _record_if_public(ballot, grantor, cleaned, receipt)
    return VoteCast(receipt=receipt, changed=False, by_proxy=True)


def proxy_grant(*, ballot: Ballot, grantor: User, holder: User) -> Proxy:
    """Name `holder` to vote for `grantor` on `ballot` (replacing an earlier choice)."""
    ballot = _ensure_current(ballot, timezone.now())
    with transaction.atomic():
        return _proxy_grant(ballot=ballot, grantor=grantor, holder=holder)


def _proxy_grant(*, ballot: Ballot, grantor: User, holder: User) -> Proxy:
    if ballot.status == BallotStatus.CLOSED:
        raise BallotClosed()
    if grantor.pk == holder.pk:
        raise InvalidInput("Name another member.", fields={"holder": ["Not yourself."]})
    for person, field in ((grantor, "grantor"), (holder, "holder")):
        if ballot.status == BallotStatus.OPEN:
            eligible = RollEntry.objects.filter(ballot=ballot, member=person).exists()
        else:
            eligible = person.in_good_standing
        if not eligible:
            if field == "grantor":
                raise NotEligible()
            raise InvalidInput(
                "That member cannot vote on this ballot.", fields={"holder": ["Not eligible."]}
            )
    # Serialises grants to the same holder, so the limit holds under concurrency.
    lock_for_update(holder)
    if ProxyVote.objects.filter(ballot=ballot, grantor=grantor).exists():
        raise AlreadyVoted("Your proxy has already voted for you; vote yourself to override it.")
    held = Proxy.objects.filter(ballot=ballot, holder=holder).exclude(grantor=grantor).count()
    if held >= parameter_value("governance.max_proxies_per_member"):
        raise ProxyLimit()
    proxy, _ = Proxy.objects.update_or_create(
        ballot=ballot, grantor=grantor, defaults={"holder": holder}
    )
    notification_send(
        recipient=holder,
        kind="governance.proxy_granted",
        title=f"{grantor} named you their proxy on: {ballot.title}"[:200],
        url=f"/governance/ballots/{ballot.pk}/",
    )
    return proxy
