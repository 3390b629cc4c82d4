"""The periodic job: opening, reminding and closing ballots on time, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from coop.members.models import User
from coop.notifications.models import Notification
from coop.scheduler.registry import registered_jobs
from governance import services
from governance.models import BallotKind, BallotStatus, Result
from governance.tasks import governance_ballots_tick
from governance.tests.conftest import MakeBallot

pytestmark = pytest.mark.django_db


def test_the_tick_is_a_registered_periodic_job() -> None:
    assert "governance.tasks.governance_ballots_tick" in registered_jobs()


def test_the_tick_opens_reminds_and_closes_each_ballot_once(
    alice: User,
    bob: User,
    make_ballot: MakeBallot,
    django_capture_on_commit_callbacks: Any,
) -> None:
    opens = timezone.now() + timedelta(hours=1)
    ballot = make_ballot(BallotKind.APPROVAL, opens_at=opens, closes_at=opens + timedelta(days=2))
    assert ballot.status == BallotStatus.SCHEDULED

    with time_machine.travel(opens + timedelta(minutes=1)):
        assert governance_ballots_tick.call() == {"opened": 1, "reminded": 0, "closed": 0}
        ballot.refresh_from_db()
        first = ballot.options.first()
        assert first is not None
        services.vote_cast(ballot=ballot, voter=alice, content={"approvals": [first.pk]})

    with time_machine.travel(ballot.closes_at - timedelta(hours=2)):
        first_run = governance_ballots_tick.call()
        second_run = governance_ballots_tick.call()
    reminders = Notification.objects.filter(kind="governance.ballot_closing_soon")
    # Everyone on the roll who has not voted, once: bob and the board member, not alice.
    assert first_run["reminded"] == 2
    assert second_run["reminded"] == 0
    assert set(reminders.values_list("recipient_id", flat=True)) == {
        bob.pk,
        ballot.created_by_id,
    }

    with (
        time_machine.travel(ballot.closes_at + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert governance_ballots_tick.call()["closed"] == 1
        assert governance_ballots_tick.call()["closed"] == 0
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED
    assert Result.objects.get(ballot=ballot).outcome["winners"] == [first.pk]
    assert Notification.objects.filter(kind="governance.ballot_result").count() == 3
