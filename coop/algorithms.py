"""The register of open algorithms: everything that ranks, matches or allocates.

Each algorithm is declared once, where it is implemented, with a stable slug, a version (bump it
when the behaviour changes), a plain-language description and the platform parameters it reads.
`GET /api/v1/algorithms` publishes the register with the parameters' current values, and every
ranked or matched result carries an `explanation` naming the algorithm's slug and version
(`explanation_for`), so members can see why a result came out as it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Algorithm:
    slug: str
    name: str
    version: str
    description: str
    # Keys of governance parameters the algorithm reads (their live values are published).
    parameter_keys: tuple[str, ...] = ()
    # Fixed figures that are part of the method itself (e.g. a road factor), published as is.
    constants: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, Algorithm] = {}


def algorithm_register(
    *,
    slug: str,
    name: str,
    version: str,
    description: str,
    parameter_keys: tuple[str, ...] = (),
    constants: dict[str, Any] | None = None,
) -> Algorithm:
    algorithm = Algorithm(slug, name, version, description, parameter_keys, constants or {})
    existing = _REGISTRY.get(slug)
    if existing is not None and existing != algorithm:
        raise ValueError(f"Algorithm {slug} is registered twice with different definitions.")
    _REGISTRY[slug] = algorithm
    return algorithm


def algorithm_list() -> list[Algorithm]:
    return sorted(_REGISTRY.values(), key=lambda algorithm: algorithm.slug)


def explanation_for(algorithm: Algorithm, **figures: Any) -> dict[str, Any]:
    """The `explanation` object of the API contract: the algorithm and the figures that placed
    a result (distances, detours, score parts...)."""
    return {"algorithm": {"slug": algorithm.slug, "version": algorithm.version}, **figures}
