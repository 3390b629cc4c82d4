from __future__ import annotations

import pytest
from django.test import Client

from coop import algorithms
from coop.algorithms import algorithm_register, explanation_for
from governance import parameters
from governance.parameters import parameter_declare

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(algorithms, "_REGISTRY", dict(algorithms._REGISTRY))
    monkeypatch.setattr(parameters, "_REGISTRY", dict(parameters._REGISTRY))


def test_the_register_publishes_each_algorithm_with_its_live_parameters(client: Client) -> None:
    parameter_declare(
        key="test.detour_percent",
        label="Largest detour",
        description="",
        default=33,
        unit="percent",
        minimum=0,
        maximum=100,
    )
    algorithm_register(
        slug="test-detour",
        name="Detour matching",
        version="1.0",
        description="Accepts a passenger when the detour is small.",
        parameter_keys=("test.detour_percent",),
        constants={"road_factor": 1.3},
    )

    response = client.get("/api/v1/algorithms")

    assert response.status_code == 200
    [entry] = [a for a in response.json() if a["slug"] == "test-detour"]
    assert entry == {
        "slug": "test-detour",
        "name": "Detour matching",
        "version": "1.0",
        "description": "Accepts a passenger when the detour is small.",
        "parameters": [
            {
                "key": "test.detour_percent",
                "label": "Largest detour",
                "description": "",
                "value": 33,
                "default": 33,
                "unit": "percent",
                "decision": None,
            }
        ],
        "constants": {"road_factor": 1.3},
    }


def test_an_explanation_names_the_algorithm_and_its_figures() -> None:
    algorithm = algorithm_register(slug="test-x", name="X", version="2", description="d")

    assert explanation_for(algorithm, score=0.5) == {
        "algorithm": {"slug": "test-x", "version": "2"},
        "score": 0.5,
    }


def test_an_algorithm_cannot_be_registered_twice_differently() -> None:
    algorithm_register(slug="test-y", name="Y", version="1", description="d")
    with pytest.raises(ValueError, match="twice"):
        algorithm_register(slug="test-y", name="Y", version="2", description="d")
