"""Domain errors of the community fund, with the stable codes the API answers with."""

from __future__ import annotations

from coop.exceptions import Conflict


class ProjectFundsTooLow(Conflict):
    code = "project_funds_too_low"
    default_message = "The project's account does not hold that much."


class ProjectNotApproved(Conflict):
    code = "project_not_approved"
    default_message = "Only approved projects receive and spend money."
