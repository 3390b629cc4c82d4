from __future__ import annotations

from coop.exceptions import Conflict, InvalidInput


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "A member with that email address already exists."


class InvalidProfile(InvalidInput):
    code = "invalid_profile"
    default_message = "Some profile details are not valid."


class InvalidMembershipChange(Conflict):
    code = "invalid_membership_change"
    default_message = "That membership change is not possible from the member's current status."


class OpenObligations(Conflict):
    code = "open_obligations"
    default_message = "Settle what is still open before leaving: the list says what."


class MemberLeft(Conflict):
    code = "member_left"
    default_message = "This account has left the co-op."
