"""Domain errors of governance, each with a stable code."""

from __future__ import annotations

from coop.exceptions import Conflict, InvalidInput, NotAllowed


class NotEligible(NotAllowed):
    code = "not_eligible"
    default_message = "You are not on the roll of this ballot."


class BallotClosed(Conflict):
    code = "ballot_closed"
    default_message = "This ballot is closed."


class BallotNotOpen(Conflict):
    code = "ballot_not_open"
    default_message = "This ballot has not opened yet."


class AlreadyVoted(Conflict):
    code = "already_voted"
    default_message = "A vote for this member is already counted on this ballot."


class ReceiptRequired(Conflict):
    code = "receipt_required"
    default_message = (
        "To change your vote, give the receipt code of the vote you cast before: it is the only "
        "thing that can find your secret ballot."
    )


class InvalidVote(InvalidInput):
    code = "invalid_vote"
    default_message = "That vote does not fit this ballot."


class AlreadySponsored(Conflict):
    code = "already_sponsored"
    default_message = "You already sponsor this proposal."


class NotSponsoring(Conflict):
    code = "not_sponsoring"
    default_message = "This proposal is no longer gathering sponsors."


class NotAMember(NotAllowed):
    code = "not_a_member"
    default_message = "Only members in good standing can do that."


class ProxyLimit(Conflict):
    code = "proxy_limit"
    default_message = "That member already holds as many proxies as a member may."


class NotProxyHolder(NotAllowed):
    code = "not_proxy_holder"
    default_message = "That member has not named you as their proxy on this ballot."


class BoardOnly(NotAllowed):
    code = "board_only"
    default_message = "Only board members can do that."


class MfaRequired(NotAllowed):
    code = "mfa_required"
    default_message = (
        "Board actions need a session that passed two-factor authentication. Sign in again "
        "with your second factor."
    )
