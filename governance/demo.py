"""Demo governance: proposals gathering sponsors, an open ballot and a counted board election.

Idempotent: rows are looked up by title. Ballot times are relative to when the demo is seeded;
the closed election is created open and then moved into the past, the only way to show a real
count without waiting a week.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coop.demo.registry import DemoContext
from governance import services
from governance.models import Ballot, BallotKind, Proposal

PROPOSALS = (
    (
        "Open the tool library on Sunday mornings",
        "Volunteers from Gràcia offered to staff it from 10 to 13.",
        "general",
        "",
        None,
    ),
    (
        "Allow three proxies per member",
        "Older members asked to collect the votes of neighbours who are not online.",
        "parameter_change",
        "governance.max_proxies_per_member",
        3,
    ),
    (
        "Publish the board's minutes within a week",
        "A change to the rules: minutes are public seven days after each meeting at the latest.",
        "rule_change",
        "",
        None,
    ),
)

OPEN_BALLOT = "Community fund 2026: which projects?"
CLOSED_BALLOT = "Board election 2026"


def seed(context: DemoContext) -> None:
    if not context.members or not context.board:
        return
    members, board = context.members, context.board[0]
    created = 0
    for index, (title, text, kind, key, value) in enumerate(PROPOSALS):
        proposal = Proposal.objects.filter(title=title).first()
        if proposal is None:
            created += 1
            proposal = services.proposal_create(
                author=members[index + 1],
                title=title,
                text=text,
                kind=kind,
                parameter_key=key,
                parameter_value=value,
            )
            for sponsor in members[index + 2 : index + 4]:
                services.proposal_sponsor(proposal=proposal, member=sponsor)
    created += _seed_open_budget(context, board)
    created += _seed_closed_election(context, board)
    # Not counted with context.tally: the command's grand total is about people.
    context.write(f"governance: 3 proposals, 2 ballots ({created} created)")


def _seed_open_budget(context: DemoContext, board: object) -> int:
    if Ballot.objects.filter(title=OPEN_BALLOT).exists():
        return 0
    now = timezone.now()
    ballot = services.ballot_create(
        title=OPEN_BALLOT,
        description=(
            "Share out 5,000 of the community fund. Projects are funded in order of support "
            "while money lasts."
        ),
        kind=BallotKind.BUDGET,
        options=[
            services.OptionInput("Shade sails for the Sant Antoni playground", 2_400_00),
            services.OptionInput("Repair café tool kit", 650_00),
            services.OptionInput("Cargo bike for shared deliveries", 3_100_00),
            services.OptionInput("Catalan conversation group snacks", 300_00),
        ],
        budget_cents=5_000_00,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
        quorum_percent=10,
        created_by=board,  # type: ignore[arg-type]
    )
    ids = [option.pk for option in ballot.options.all()]
    for voter in context.members[5:20]:
        picks = context.random.sample(ids, k=context.random.randint(1, 3))
        services.vote_cast(ballot=ballot, voter=voter, content={"approvals": picks})
    return 1


def _seed_closed_election(context: DemoContext, board: object) -> int:
    if Ballot.objects.filter(title=CLOSED_BALLOT).exists():
        return 0
    now = timezone.now()
    candidates = context.members[1:6]
    ballot = services.ballot_create(
        title=CLOSED_BALLOT,
        description="Three seats, single transferable vote (Scottish rules).",
        kind=BallotKind.RANKED,
        seats=3,
        options=[services.OptionInput(member.display_name) for member in candidates],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        quorum_percent=20,
        created_by=board,  # type: ignore[arg-type]
    )
    ids = [option.pk for option in ballot.options.all()]
    for voter in context.members[:30]:
        ranking = context.random.sample(ids, k=context.random.randint(1, len(ids)))
        services.vote_cast(ballot=ballot, voter=voter, content={"ranking": ranking})
    # Move the ballot into the past and count it, as the periodic job would at its close.
    Ballot.objects.filter(pk=ballot.pk).update(
        opens_at=now - timedelta(days=8), closes_at=now - timedelta(days=1)
    )
    ballot.refresh_from_db()
    services.ballot_close(ballot=ballot, now=now)
    return 1
