"""Voting: eligibility, one vote per member, vote changes, proxies, secrecy and receipts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import time_machine
from django.db import models
from django.utils import timezone

from coop.members.models import User
from coop.members.tests.factories import MemberFactory, UserFactory
from governance import parameters, services
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
    ProxyVote,
    RecordedVote,
    Result,
    RollEntry,
    VoterRecord,
)
from governance.parameters import parameter_spec, parameter_value
from governance.selectors import anonymous_ballots_published, recorded_votes_published
from governance.tests.conftest import MakeBallot

pytestmark = pytest.mark.django_db


def _close(ballot_pk: int) -> Result | None:
    ballot = Ballot.objects.get(pk=ballot_pk)
    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        return services.ballot_close(ballot=ballot)


def test_the_roll_is_frozen_when_the_ballot_opens(
    alice: User, bob: User, applicant: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    latecomer = MemberFactory.create()

    on_roll = set(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    assert alice.pk in on_roll
    assert bob.pk in on_roll
    assert applicant.pk not in on_roll
    with pytest.raises(NotEligible):
        services.vote_cast(ballot=ballot, voter=latecomer, content={"choice": "yes"})
    with pytest.raises(NotEligible):
        services.vote_cast(ballot=ballot, voter=applicant, content={"choice": "yes"})


def test_a_suspended_member_on_the_roll_cannot_vote(alice: User, make_ballot: MakeBallot) -> None:
    ballot = make_ballot()
    User.objects.filter(pk=alice.pk).update(membership_status="suspended")
    alice.refresh_from_db()

    with pytest.raises(NotEligible):
        services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})


def test_a_scheduled_ballot_refuses_votes_until_it_opens(
    alice: User, board: User, make_ballot: MakeBallot
) -> None:
    later = timezone.now() + timedelta(days=1)
    ballot = make_ballot(opens_at=later, closes_at=later + timedelta(days=1))
    assert ballot.status == BallotStatus.SCHEDULED

    with pytest.raises(BallotNotOpen):
        services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})
    with time_machine.travel(later + timedelta(minutes=1)):
        cast = services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})
    assert cast.receipt


def test_a_closed_ballot_refuses_votes(alice: User, make_ballot: MakeBallot) -> None:
    ballot = make_ballot()

    with (
        time_machine.travel(ballot.closes_at + timedelta(seconds=1)),
        pytest.raises(BallotClosed),
    ):
        services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED


def test_a_member_votes_once_and_a_second_vote_needs_the_receipt(
    alice: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    first = services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})

    with pytest.raises(ReceiptRequired):
        services.vote_cast(ballot=ballot, voter=alice, content={"choice": "no"})
    with pytest.raises(ReceiptRequired):
        services.vote_cast(
            ballot=ballot, voter=alice, content={"choice": "no"}, previous_receipt="WRONG-CODE"
        )
    second = services.vote_cast(
        ballot=ballot, voter=alice, content={"choice": "no"}, previous_receipt=first.receipt
    )

    assert second.changed is True
    assert VoterRecord.objects.filter(ballot=ballot).count() == 1
    assert list(
        AnonymousBallot.objects.filter(ballot=ballot).values_list("content", flat=True)
    ) == [{"choice": "no"}]
    result = _close(ballot.pk)
    assert result is not None
    assert result.outcome["counts"] == {"yes": 0, "no": 1, "abstain": 0}


def test_a_ballot_without_vote_changes_refuses_a_second_vote(
    alice: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot(allow_vote_change=False)
    first = services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})

    with pytest.raises(AlreadyVoted):
        services.vote_cast(
            ballot=ballot, voter=alice, content={"choice": "no"}, previous_receipt=first.receipt
        )


@pytest.mark.parametrize(
    ("kind", "content", "field"),
    [
        (BallotKind.YES_NO, {"choice": "maybe"}, "choice"),
        (BallotKind.YES_NO, {"ranking": [1]}, "choice"),
        (BallotKind.APPROVAL, {"approvals": [999_999]}, "approvals"),
        (BallotKind.APPROVAL, {"approvals": "all"}, "approvals"),
        (BallotKind.RANKED, {"ranking": []}, "ranking"),
        (BallotKind.RANKED, {"ranking": [999_999]}, "ranking"),
    ],
)
def test_a_vote_that_does_not_fit_the_ballot_is_refused(
    alice: User, make_ballot: MakeBallot, kind: str, content: dict[str, object], field: str
) -> None:
    ballot = make_ballot(kind)

    with pytest.raises(InvalidVote) as error:
        services.vote_cast(ballot=ballot, voter=alice, content=content)

    assert field in error.value.fields
    assert not VoterRecord.objects.filter(ballot=ballot).exists()


def test_duplicates_in_a_ranking_and_too_many_approvals_are_refused(
    alice: User, make_ballot: MakeBallot
) -> None:
    ranked = make_ballot(BallotKind.RANKED)
    first = ranked.options.first()
    assert first is not None
    approval = make_ballot(BallotKind.APPROVAL, max_approvals=1)
    ids = [option.pk for option in approval.options.all()]

    with pytest.raises(InvalidVote, match="does not fit"):
        services.vote_cast(ballot=ranked, voter=alice, content={"ranking": [first.pk, first.pk]})
    with pytest.raises(InvalidVote):
        services.vote_cast(ballot=approval, voter=alice, content={"approvals": ids[:2]})


def test_nothing_links_a_voter_to_their_anonymous_ballot() -> None:
    # The anonymous ballot has a random key, the ballot, the receipt hash and the content:
    # no member, no proxy, no time, nothing ordered by insertion.
    fields = {field.name for field in AnonymousBallot._meta.get_fields()}
    assert fields == {"id", "ballot", "receipt_hash", "content"}
    key = AnonymousBallot._meta.pk
    assert isinstance(key, models.UUIDField)
    assert AnonymousBallot._meta.ordering == ["receipt_hash"]
    voter_fields = {field.name for field in VoterRecord._meta.get_fields()}
    assert voter_fields == {"id", "ballot", "member", "by_proxy"}


def test_receipts_find_each_ballot_in_the_published_list_after_close(
    alice: User, bob: User, charlie: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot(BallotKind.RANKED)
    a, b, c = (option.pk for option in ballot.options.all())
    receipts = {
        alice.pk: services.vote_cast(ballot=ballot, voter=alice, content={"ranking": [a, b]}),
        bob.pk: services.vote_cast(ballot=ballot, voter=bob, content={"ranking": [b]}),
        charlie.pk: services.vote_cast(ballot=ballot, voter=charlie, content={"ranking": [c, a]}),
    }
    assert list(anonymous_ballots_published(ballot=ballot)) == []

    _close(ballot.pk)
    ballot.refresh_from_db()
    published = list(anonymous_ballots_published(ballot=ballot))

    assert len(published) == 3
    by_hash = {row.receipt_hash: row.content for row in published}
    assert by_hash[services.receipt_hash(receipts[alice.pk].receipt)] == {"ranking": [a, b]}
    assert by_hash[services.receipt_hash(receipts[bob.pk].receipt.lower())] == {"ranking": [b]}
    # Anyone can recount from the published list and get the published result.
    recount = services.ballot_count(ballot=ballot, contents=[row.content for row in published])
    assert ballot.result.quorum_met is True
    assert recount["winners"] == ballot.result.outcome["winners"]


def test_a_proxy_votes_for_the_grantor_and_the_grantors_own_vote_overrides_it(
    alice: User, bob: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    services.proxy_grant(ballot=ballot, grantor=alice, holder=bob)

    services.vote_cast(ballot=ballot, voter=bob, content={"choice": "no"}, on_behalf_of=alice)
    assert VoterRecord.objects.get(ballot=ballot, member=alice).by_proxy is True
    own = services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})

    assert own.changed is True
    assert not ProxyVote.objects.filter(ballot=ballot).exists()
    with pytest.raises(AlreadyVoted):
        services.vote_cast(ballot=ballot, voter=bob, content={"choice": "no"}, on_behalf_of=alice)
    result = _close(ballot.pk)
    assert result is not None
    assert result.outcome["counts"] == {"yes": 1, "no": 0, "abstain": 0}


def test_a_proxy_vote_is_counted_at_close_and_its_link_to_the_grantor_removed(
    alice: User, bob: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    services.proxy_grant(ballot=ballot, grantor=alice, holder=bob)
    cast = services.vote_cast(
        ballot=ballot, voter=bob, content={"choice": "no"}, on_behalf_of=alice
    )
    services.vote_cast(ballot=ballot, voter=bob, content={"choice": "yes"})

    result = _close(ballot.pk)

    assert result is not None
    assert result.turnout == 2
    assert result.outcome["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert not ProxyVote.objects.exists()
    assert AnonymousBallot.objects.filter(
        ballot=ballot, receipt_hash=services.receipt_hash(cast.receipt)
    ).exists()


def test_only_the_named_proxy_may_vote_for_a_member(
    alice: User, bob: User, charlie: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    services.proxy_grant(ballot=ballot, grantor=alice, holder=bob)

    with pytest.raises(NotProxyHolder):
        services.vote_cast(
            ballot=ballot, voter=charlie, content={"choice": "yes"}, on_behalf_of=alice
        )


def test_a_member_holds_at_most_the_allowed_number_of_proxies(
    bob: User, make_ballot: MakeBallot
) -> None:
    grantors = MemberFactory.create_batch(3)
    ballot = make_ballot()
    services.proxy_grant(ballot=ballot, grantor=grantors[0], holder=bob)
    services.proxy_grant(ballot=ballot, grantor=grantors[1], holder=bob)

    with pytest.raises(ProxyLimit):
        services.proxy_grant(ballot=ballot, grantor=grantors[2], holder=bob)


def test_quorum_not_met_publishes_the_count_but_decides_nothing(
    alice: User, bob: User, make_ballot: MakeBallot
) -> None:
    MemberFactory.create_batch(8)
    ballot = make_ballot(quorum_percent=50)
    services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})

    result = _close(ballot.pk)

    assert result is not None
    assert result.eligible >= 10
    assert result.quorum_met is False
    assert result.outcome["passed"] is False
    assert result.outcome["counted_passed"] is True


def test_quorum_is_met_at_exactly_the_required_share(make_ballot: MakeBallot) -> None:
    voters = MemberFactory.create_batch(4)
    ballot = make_ballot(quorum_percent=50)
    eligible = ballot.eligible_count
    needed = -(-eligible * 50 // 100)
    for voter in (*voters, *User.objects.exclude(pk__in=[v.pk for v in voters]))[:needed]:
        services.vote_cast(ballot=ballot, voter=voter, content={"choice": "yes"})

    result = _close(ballot.pk)

    assert result is not None
    assert result.turnout == needed
    assert result.quorum_met is True
    assert result.outcome["passed"] is True


def test_an_applicant_is_never_on_the_roll(make_ballot: MakeBallot) -> None:
    UserFactory.create()
    ballot = make_ballot()

    assert ballot.eligible_count == User.objects.filter(membership_status="member").count()


def test_a_ballot_that_is_not_secret_publishes_who_voted_what(
    alice: User, bob: User, make_ballot: MakeBallot
) -> None:
    open_ballot = make_ballot(secret=False)
    secret_ballot = make_ballot()
    first = services.vote_cast(ballot=open_ballot, voter=alice, content={"choice": "yes"})
    services.vote_cast(
        ballot=open_ballot, voter=alice, content={"choice": "no"}, previous_receipt=first.receipt
    )
    services.vote_cast(ballot=secret_ballot, voter=alice, content={"choice": "yes"})

    _close(open_ballot.pk)
    _close(secret_ballot.pk)
    open_ballot.refresh_from_db()
    secret_ballot.refresh_from_db()

    recorded = list(recorded_votes_published(ballot=open_ballot))
    assert [(vote.member_id, vote.content) for vote in recorded] == [(alice.pk, {"choice": "no"})]
    assert list(recorded_votes_published(ballot=secret_ballot)) == []
    assert not RecordedVote.objects.filter(ballot=secret_ballot).exists()


def test_a_passed_change_the_parameter_no_longer_allows_is_counted_but_not_applied(
    alice: User, bob: User, make_ballot: MakeBallot, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = services.proposal_create(
        author=alice,
        title="Many proxies",
        text="x",
        kind="parameter_change",
        parameter_key="governance.max_proxies_per_member",
        parameter_value=15,
    )
    ballot = make_ballot(proposal=proposal)
    services.vote_cast(ballot=ballot, voter=bob, content={"choice": "yes"})
    # Meanwhile a new release narrowed the parameter's range.
    narrowed = dataclasses.replace(parameter_spec("governance.max_proxies_per_member"), maximum=5)
    monkeypatch.setitem(parameters._REGISTRY, narrowed.key, narrowed)

    result = _close(ballot.pk)

    assert result is not None
    assert result.outcome["passed"] is True
    assert result.outcome["applied"] is False
    assert parameter_value("governance.max_proxies_per_member") == 2


def test_closing_rewrites_the_anonymous_ballots_under_new_keys(
    alice: User, bob: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})
    services.vote_cast(ballot=ballot, voter=bob, content={"choice": "no"})
    before = set(AnonymousBallot.objects.filter(ballot=ballot).values_list("id", flat=True))

    _close(ballot.pk)

    after = AnonymousBallot.objects.filter(ballot=ballot)
    assert after.count() == 2
    assert before.isdisjoint(after.values_list("id", flat=True))
