from __future__ import annotations

import pytest

from governance import parameters
from governance.models import ParameterValue
from governance.parameters import (
    InvalidParameterValue,
    UnknownParameter,
    parameter_declare,
    parameter_spec,
    parameter_value,
)
from governance.services import parameter_set


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    # Parameters declared here must not show up in other tests' parameter lists.
    monkeypatch.setattr(parameters, "_REGISTRY", dict(parameters._REGISTRY))


@pytest.mark.django_db
def test_a_declared_parameter_reads_its_default_until_a_decision_sets_it() -> None:
    parameter_declare(
        key="test.widgets_per_member",
        label="Widgets per member",
        description="How many widgets a member may hold.",
        default=3,
        unit="count",
        minimum=0,
        maximum=10,
    )

    assert parameter_value("test.widgets_per_member") == 3
    parameter_set(key="test.widgets_per_member", value=4, note="Founding assembly")
    parameter_set(key="test.widgets_per_member", value=5, note="Second assembly")
    assert parameter_value("test.widgets_per_member") == 5
    # Versioned: every earlier value is kept.
    assert list(
        ParameterValue.objects.filter(key="test.widgets_per_member").values_list("value", flat=True)
    ) == [5, 4]


@pytest.mark.django_db
def test_a_decided_value_must_fit_the_declared_range() -> None:
    with pytest.raises(InvalidParameterValue):
        parameter_set(key="governance.sponsor_threshold", value=0)
    with pytest.raises(UnknownParameter):
        parameter_set(key="governance.nothing", value=1)


def test_an_unknown_parameter_is_a_clear_error() -> None:
    with pytest.raises(UnknownParameter):
        parameter_value("test.no_such_thing")


def test_values_outside_the_declared_range_are_refused() -> None:
    spec = parameter_declare(
        key="test.share_of_fee",
        label="Share of fee",
        description="Basis points.",
        default=5000,
        unit="basis_points",
        minimum=0,
        maximum=10000,
    )

    assert spec.validate(10000) == 10000
    for bad in (-1, 10001, 1.5, True):
        with pytest.raises(InvalidParameterValue):
            spec.validate(bad)  # type: ignore[arg-type]


def test_a_parameter_cannot_be_declared_twice_differently() -> None:
    parameter_declare(
        key="test.twice",
        label="Twice",
        description="",
        default=1,
        unit="count",
        minimum=0,
        maximum=2,
    )
    with pytest.raises(ValueError, match="declared twice"):
        parameter_declare(
            key="test.twice",
            label="Twice",
            description="",
            default=2,
            unit="count",
            minimum=0,
            maximum=2,
        )
    assert parameter_spec("test.twice").default == 1


@pytest.mark.parametrize("key", ["nodot", "Upper.case", "a.", ".a"])
def test_keys_name_their_app(key: str) -> None:
    with pytest.raises(ValueError, match=r"app\.name"):
        parameter_declare(
            key=key, label="x", description="", default=0, unit="count", minimum=0, maximum=1
        )
