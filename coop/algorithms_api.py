from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from coop.algorithms import algorithm_list
from governance.parameters import parameter_spec, parameter_value

router = Router(tags=["algorithms"])


class AlgorithmParameterOut(Schema):
    key: str
    label: str
    value: int
    unit: str


class AlgorithmOut(Schema):
    slug: str
    name: str
    version: str
    description: str
    parameters: list[AlgorithmParameterOut]
    constants: dict[str, Any]


@router.get("", response=list[AlgorithmOut], auth=None, summary="Every open algorithm")
def algorithms_list(request: HttpRequest) -> list[AlgorithmOut]:
    """Every algorithm that ranks, matches or allocates, with its parameters' current values."""
    return [
        AlgorithmOut(
            slug=algorithm.slug,
            name=algorithm.name,
            version=algorithm.version,
            description=algorithm.description,
            parameters=[
                AlgorithmParameterOut(
                    key=key,
                    label=parameter_spec(key).label,
                    value=parameter_value(key),
                    unit=parameter_spec(key).unit,
                )
                for key in algorithm.parameter_keys
            ],
            constants=dict(algorithm.constants),
        )
        for algorithm in algorithm_list()
    ]
