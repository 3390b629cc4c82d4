"""Demo community projects around Barcelona: the three stays funds (approved) and two proposals."""

from __future__ import annotations

from django.utils import timezone

from coop.community.models import CommunityProject, ProjectStatus
from coop.demo.registry import DemoContext

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
