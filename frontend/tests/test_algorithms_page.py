"""The open algorithms: the public page at /algorithms/ and `GET /api/v1/algorithms`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from coop.algorithms import algorithm_list
from coop.members.models import User
from frontend.testing import assert_accessible_page
from frontend.views import parameter_display
from governance.parameters import parameter_spec
from governance.selectors import WROTE_PARAMETER_FLAG
from governance.services.counting import parameter_set
from governance.services.proposals import proposal_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_parameter_writes() -> Iterator[None]:
    # parameter_set marks the connection until its transaction commits, which a test's never
    # does: without this, later tests in the run would stop caching parameters.
    yield
    setattr(connection, WROTE_PARAMETER_FLAG, False)


# The services' algorithms the page must always show (others join as they are registered).
EXPECTED = {
    "timebank-chore-rota": "timebank.",
    "rides.detour-matching": "rides.",
    "rides.commuter-pool": "rides.",
    "lending.item_search": "lending.",
    "lending.collective_purchase": "lending.",
    "stays.quote": "stays.",
    "stays.refund": "stays.",
    "governance.yes_no": "",
    "governance.schulze": "",
    "governance.stv_scottish": "",
    "governance.approval": "",
    "governance.participatory_budget": "",
    "money.payment_split": "",
}


def test_the_page_lists_every_registered_algorithm_with_its_parameters(client: Client) -> None:
    response = client.get("/algorithms/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    registered = {algorithm.slug: algorithm for algorithm in algorithm_list()}
    assert set(EXPECTED) <= set(registered)
    for algorithm in registered.values():
        assert f'id="{algorithm.slug}"' in html
        assert algorithm.version in html
        for key in algorithm.parameter_keys:
            assert key in html
            assert parameter_spec(key).label.replace("'", "&#x27;") in html
    assert "no vote has changed it yet" in html


def test_the_page_names_the_decision_that_set_a_parameter(client: Client, alice: User) -> None:
    [rota] = [a for a in algorithm_list() if a.slug == "timebank-chore-rota"]
    key = rota.parameter_keys[0]
    spec = parameter_spec(key)
    proposal = proposal_create(
        author=alice, title="Fairer chores", text="Change it.", kind="general"
    )
    parameter_set(key=key, value=spec.maximum, proposal=proposal)

    html = client.get("/algorithms/").content.decode()

    assert "Fairer chores" in html
    assert f"/governance/proposals/{proposal.pk}/" in html


def test_the_api_gives_each_parameter_the_decision_that_set_it(client: Client, alice: User) -> None:
    [rota] = [a for a in algorithm_list() if a.slug == "timebank-chore-rota"]
    key = rota.parameter_keys[0]
    proposal = proposal_create(
        author=alice, title="Fairer chores", text="Change it.", kind="general"
    )
    parameter_set(key=key, value=parameter_spec(key).maximum, proposal=proposal)

    data = client.get("/api/v1/algorithms").json()

    parameters = {p["key"]: p for a in data for p in a["parameters"]}
    assert parameters[key]["value"] == parameter_spec(key).maximum
    assert parameters[key]["decision"]["proposal"] == proposal.pk
    assert parameters[key]["decision"]["proposal_title"] == "Fairer chores"
    untouched = [p for k, p in parameters.items() if k != key]
    assert untouched
    assert all(p["decision"] is None for p in untouched)


def test_the_page_and_the_api_cost_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        assert client.get("/algorithms/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/algorithms").status_code == 200


def test_the_footer_links_to_the_open_algorithms(client: Client) -> None:
    assert 'href="/algorithms/"' in client.get("/").content.decode()


def test_values_read_in_their_units() -> None:
    assert parameter_display(250, "cents") == "€2.50"
    assert parameter_display(1250, "basis_points") == "12.5 %"
    assert parameter_display(90, "minutes") == "90 minutes"
    assert parameter_display(1, "flag") == "yes"
