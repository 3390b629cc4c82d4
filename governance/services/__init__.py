"""Every write of governance: proposals, ballots, votes, proxies, counts and parameter values.

Votes: the member's roll entry is locked (coop.locking) before anything is checked, so two
requests voting for the same member at once queue up; the unique VoterRecord(ballot, member)
is the database's last word that only one vote per member is counted.

Vote changes on secret ballots: the old anonymous ballot can only be found with the receipt
code the voter was shown (we store only its hash), so changing a vote needs that code. Nothing
on our side knows which anonymous ballot is whose.
"""

from __future__ import annotations

from governance.services.ballots import (
    OptionInput,
    ballot_create,
    ballot_open,
    ballots_close_due,
    ballots_open_due,
    ballots_remind_closing_soon,
)
from governance.services.counting import ballot_close, ballot_count, parameter_set
from governance.services.proposals import proposal_comment, proposal_create, proposal_sponsor
from governance.services.receipts import receipt_hash, receipt_new
from governance.services.votes import VoteCast, proxy_grant, vote_cast, vote_clean

__all__ = [
    "OptionInput",
    "VoteCast",
    "ballot_close",
    "ballot_count",
    "ballot_create",
    "ballot_open",
    "ballots_close_due",
    "ballots_open_due",
    "ballots_remind_closing_soon",
    "parameter_set",
    "proposal_comment",
    "proposal_create",
    "proposal_sponsor",
    "proxy_grant",
    "receipt_hash",
    "receipt_new",
    "vote_cast",
    "vote_clean",
]
