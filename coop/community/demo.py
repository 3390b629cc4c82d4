"""Demo community projects around Barcelona: the three stays funds (approved) and two proposals,
with members' gifts in and the board's receipted spends out, so each project page shows money
moving both ways."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coop.community.models import CommunityProject, ProjectSpend, ProjectStatus
from coop.community.services import SERVICE, project_account_key, project_spend_record
from coop.demo.registry import DemoContext
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post
from coop.money.models import AccountKind, LedgerTransaction

# slug, name, description, neighbourhood, amount (cents), lat, lng, approved.
# The approved slugs are the ones the stays demo offers guests (stays/demo.py), so bookings made
# in the demo fund these projects' ledger accounts.
PROJECTS = (
    (
        "horts-del-barri", "Neighbourhood food gardens",
        ("Raised beds and a shared tool shed in the Sants gardens: neighbours grow vegetables "
        "together and the school uses two beds for lessons."),
        "Sants", 450000, 41.3751, 2.1355, True,
    ),
    (
        "biblioteca-de-coses", "Library of things for the Raval",
        ("Drills, ladders, sewing machines and camping gear to borrow for free, kept in the "
        "Raval's neighbourhood centre."),
        "el Raval", 300000, 41.3800, 2.1680, True,
    ),
    (
        "casal-gent-gran", "Casal for older neighbours",
        ("Afternoon activities, a weekly shared lunch and help with paperwork for older "
        "neighbours living alone in Gràcia."),
        "Vila de Gràcia", 600000, 41.4036, 2.1565, True,
    ),
    (
        "ombra-pati-escola", "Shade for the Poble-sec schoolyard",
        "Sails and trees for a schoolyard that reaches 40 °C in June.",
        "el Poble-sec", 800000, 41.3735, 2.1620, False,
    ),
    (
        "fonts-barceloneta", "Drinking fountains on the Barceloneta promenade",
        "Two more public fountains where families and older people walk in summer.",
        "la Barceloneta", 250000, 41.3806, 2.1894, False,
    ),
)  # fmt: skip


def seed(context: DemoContext) -> None:
    proposers = [m for m in context.members if not m.is_board]
    deciders = context.board
    created_count = 0
    # Not counted with context.tally: the command's grand total is about people.
    for index, (slug, name, text, barri, cents, lat, lng, approved) in enumerate(PROJECTS):
        proposer = proposers[index % len(proposers)] if proposers else None
        decider = deciders[0] if deciders and approved else None
        _, created = CommunityProject.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": text,
                "neighbourhood": barri,
                "amount_cents": cents,
                "lat": lat,
                "lng": lng,
                "proposed_by": proposer,
                "status": ProjectStatus.APPROVED if approved else ProjectStatus.PROPOSED,
                "decided_by": decider,
                "decided_at": timezone.now() if approved else None,
                "decision_note": "Approved by the members at the 2026 general assembly (demo)."
                if approved
                else "",
            },
        )
        created_count += created
    context.write(f"community: {len(PROJECTS)} projects ({created_count} new)")
    _seed_money(context)


# Gifts (cents) members gave each approved project, and what the board paid from it:
# (days ago, payee, purpose, reference, cents).
GIFTS = {
    "horts-del-barri": (5000, 2500, 12000, 3000, 20000),
    "biblioteca-de-coses": (10000, 4000, 6000),
    "casal-gent-gran": (2000, 15000, 5000, 2500),
}
SPENDS = {
    "horts-del-barri": (
        (20, "Fusteria Sants SCCL", "Wood for six raised beds", "Invoice FS-2026-114", 18500),
        (6, "Viver Can Borrell", "Seedlings and compost", "Receipt 30917", 4200),
    ),
    "biblioteca-de-coses": (
        (12, "Ferreteria del Raval", "Two cordless drills and a ladder", "Invoice FR-5521", 9800),
    ),
    "casal-gent-gran": (),
}


def _seed_money(context: DemoContext) -> None:
    """Gifts booked as confirmed (the bank -> the project) and spends through the service, each
    under a natural key (an idempotency key, a receipt reference) so a second run adds nothing."""
    givers = [m for m in context.members if not m.is_board]
    if not givers or not context.board:
        return
    booked = spent = 0
    for slug, gifts in GIFTS.items():
        project = CommunityProject.objects.filter(slug=slug, status=ProjectStatus.APPROVED).first()
        if project is None:
            continue
        currency = project.currency
        account = coop_account(
            AccountKind.COMMUNITY_PROJECT, key=project_account_key(project), currency=currency
        )
        for index, cents in enumerate(gifts):
            key = f"demo-gift-{slug}-{index}"
            if LedgerTransaction.objects.filter(idempotency_key=key).exists():
                continue
            giver = givers[(index * 7 + len(slug)) % len(givers)]
            amount = Money(cents, currency)
            ledger_post(
                entries=[(coop_account(AccountKind.CLEARING, currency=currency), amount),
                         (account, -amount)],
                cause=Cause.of(SERVICE, project, member=giver),
                description=f"Gift paid by {giver.display_name}",
                idempotency_key=key,
            )  # fmt: skip
            booked += 1
        for days_ago, payee, purpose, reference, cents in SPENDS[slug]:
            if ProjectSpend.objects.filter(project=project, reference=reference).exists():
                continue
            project_spend_record(
                board_member=context.board[0],
                project=project,
                amount=Money(cents, currency),
                payee=payee,
                purpose=purpose,
                spent_on=timezone.localdate() - dt.timedelta(days=days_ago),
                reference=reference,
            )
            spent += 1
    context.write(f"community: {booked} gifts and {spent} spends booked")
