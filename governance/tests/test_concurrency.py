"""One counted vote per member, even when two requests vote for the same member at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coop.exceptions import DomainError
from coop.members.models import User
from governance import services
from governance.models import AnonymousBallot, Ballot, BallotKind, VoterRecord


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempts", [2, 6])
def test_simultaneous_votes_for_one_member_count_once(
    alice: User, bob: User, board: User, attempts: int
) -> None:
    now = timezone.now()
    ballot = services.ballot_create(
        title="Race",
        kind=BallotKind.YES_NO,
        options=[],
        opens_at=now,
        closes_at=now + timedelta(days=1),
        created_by=board,
    )
    services.proxy_grant(ballot=ballot, grantor=alice, holder=bob)
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def vote(index: int) -> None:
        try:
            fresh = Ballot.objects.get(pk=ballot.pk)
            barrier.wait(timeout=5)
            # Alice votes herself and bob votes for her as her proxy, all at the same moment.
            if index % 2:
                services.vote_cast(
                    ballot=fresh, voter=bob, content={"choice": "no"}, on_behalf_of=alice
                )
            else:
                services.vote_cast(ballot=fresh, voter=alice, content={"choice": "yes"})
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == attempts
    assert "ok" in outcomes
    assert VoterRecord.objects.filter(ballot=ballot, member=alice).count() == 1
    anonymous = AnonymousBallot.objects.filter(ballot=ballot).count()
    pending = ballot.proxy_votes.count()
    # Exactly one vote stands for alice: her own anonymous ballot or her proxy's pending one.
    assert anonymous + pending == 1
