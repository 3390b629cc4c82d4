"""Platform parameters of the city data commons (members change them by vote)."""

from __future__ import annotations

from governance.parameters import parameter_declare

K_ANONYMITY = parameter_declare(
    key="commons.k_anonymity",
    label="Smallest group shared with the city",
    description=(
        "A figure in an open dataset is published only if at least this many different members "
        "are behind it; smaller groups are left out so nobody can be singled out."
    ),
    default=10,
    unit="count",
    minimum=2,
    maximum=1000,
)
