"""`GET /api/v1/algorithms`: the open register, each parameter with its live value and the
governance decision that set it (null while the declared default applies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from coop.algorithms import Algorithm, algorithm_list
from governance.parameters import ParameterSpec, parameter_spec
from governance.selectors import LiveParameter, parameter_live_list

router = Router(tags=["algorithms"])


@dataclass(frozen=True, slots=True)
class PublishedAlgorithm:
    algorithm: Algorithm
    parameters: list[LiveParameter]


def algorithms_published() -> list[PublishedAlgorithm]:
    """Every registered algorithm with its parameters live (one query for all of them)."""
    live = {row.spec.key: row for row in parameter_live_list()}

    def _live(key: str) -> LiveParameter:
        # A key declared after the list was read (tests declare on the fly) reads its default.
        if key in live:
            return live[key]
        spec: ParameterSpec = parameter_spec(key)
        return LiveParameter(spec, spec.default, None)

    return [
        PublishedAlgorithm(algorithm, [_live(key) for key in algorithm.parameter_keys])
        for algorithm in algorithm_list()
    ]


class DecisionOut(Schema):
    proposal: int | None
    proposal_title: str | None
    ballot: int | None
    note: str
    decided_at: datetime


class AlgorithmParameterOut(Schema):
    key: str
    label: str
    description: str
    value: int
    default: int
    unit: str
    decision: DecisionOut | None


class AlgorithmOut(Schema):
    slug: str
    name: str
    version: str
    description: str
    parameters: list[AlgorithmParameterOut]
    constants: dict[str, Any]


def _decision_out(live: LiveParameter) -> DecisionOut | None:
    decision = live.decision
    if decision is None:
        return None
    return DecisionOut(
        proposal=decision.proposal_id,
        proposal_title=decision.proposal.title if decision.proposal else None,
        ballot=decision.ballot_id,
        note=decision.note,
        decided_at=decision.created_at,
    )


@router.get("", response=list[AlgorithmOut], auth=None, summary="Every open algorithm")
def algorithms_list(request: HttpRequest) -> list[AlgorithmOut]:
    """Every algorithm that ranks, matches or allocates, with its parameters' current values
    and the decision that set each."""
    return [
        AlgorithmOut(
            slug=published.algorithm.slug,
            name=published.algorithm.name,
            version=published.algorithm.version,
            description=published.algorithm.description,
            parameters=[
                AlgorithmParameterOut(
                    key=live.spec.key,
                    label=live.spec.label,
                    description=live.spec.description,
                    value=live.value,
                    default=live.spec.default,
                    unit=live.spec.unit,
                    decision=_decision_out(live),
                )
                for live in published.parameters
            ],
            constants=dict(published.algorithm.constants),
        )
        for published in algorithms_published()
    ]
