"""Community projects a member proposed and the project money reimbursed to them, in their
export. The projects and spends stay when the member leaves (they belong to the neighbourhood and
carry ledger money); only the link to the proposer and the payee's name go."""

from __future__ import annotations

from typing import Any

from coop.community.models import CommunityProject, ProjectSpend
from coop.members.models import User
from coop.members.privacy import FORMER_MEMBER_NAME
from coop.members.privacy_registry import privacy_register


def export(member: User) -> dict[str, Any]:
    rows = CommunityProject.objects.filter(proposed_by=member).order_by("pk")
    return {
        "proposed_projects": [
            {
                "slug": row.slug,
                "name": row.name,
                "description": row.description,
                "neighbourhood": row.neighbourhood,
                "amount_cents": row.amount_cents,
                "currency": row.currency,
                "status": row.status,
            }
            for row in rows
        ],
        "reimbursements": [
            {
                "project": spend.project.slug,
                "amount_cents": spend.amount_cents,
                "currency": spend.currency,
                "purpose": spend.purpose,
                "spent_on": spend.spent_on,
                "reference": spend.reference,
            }
            for spend in ProjectSpend.objects.filter(payee_member=member)
            .select_related("project")
            .order_by("pk")
        ],
    }


def anonymise(member: User) -> None:
    CommunityProject.objects.filter(proposed_by=member).update(proposed_by=None)
    ProjectSpend.objects.filter(payee_member=member).update(payee=FORMER_MEMBER_NAME)


privacy_register(section="community", export=export, anonymise=anonymise)
