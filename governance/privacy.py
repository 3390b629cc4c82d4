"""Governance in a member's data export, and what leaving does to it.

Secret ballots stay unlinkable: the export lists the ballots the member took part in (the
voter roll records that, never how), and only open (recorded) votes show their content.
Proposals, comments and votes stay after leaving, signed "Former member": they are part of the
co-op's decisions. Proxies on ballots still open or scheduled are withdrawn, since the member
can no longer vote or be represented.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from governance.models import (
    BallotStatus,
    Comment,
    Proposal,
    Proxy,
    RecordedVote,
    Sponsorship,
    VoterRecord,
)


def export(member: User) -> dict[str, Any]:
    return {
        "proposals": [
            {
                "id": proposal.pk,
                "title": proposal.title,
                "text": proposal.text,
                "kind": proposal.kind,
                "status": proposal.status,
                "created_at": proposal.created_at,
            }
            for proposal in Proposal.objects.filter(author=member).order_by("pk")
        ],
        "sponsorships": [
            {"proposal": row.proposal_id, "created_at": row.created_at}
            for row in Sponsorship.objects.filter(member=member).order_by("pk")
        ],
        "comments": [
            {"proposal": row.proposal_id, "text": row.text, "created_at": row.created_at}
            for row in Comment.objects.filter(author=member).order_by("pk")
        ],
        "ballots_voted": [
            {"ballot": row.ballot_id, "title": row.ballot.title, "by_proxy": row.by_proxy}
            for row in VoterRecord.objects.filter(member=member)
            .select_related("ballot")
            .order_by("pk")
        ],
        "recorded_votes": [
            {"ballot": row.ballot_id, "content": row.content, "receipt_hash": row.receipt_hash}
            for row in RecordedVote.objects.filter(member=member).order_by("pk")
        ],
        "proxies": [
            {
                "ballot": row.ballot_id,
                "role": "granted" if row.grantor_id == member.pk else "held",
            }
            for row in Proxy.objects.filter(Q(grantor=member) | Q(holder=member)).order_by("pk")
        ],
    }


def anonymise(member: User) -> None:
    Proxy.objects.filter(
        Q(grantor=member) | Q(holder=member),
        ballot__status__in=[BallotStatus.SCHEDULED, BallotStatus.OPEN],
    ).delete()


privacy_register(section="governance", export=export, anonymise=anonymise)
