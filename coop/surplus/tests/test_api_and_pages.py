from __future__ import annotations

from django.test import Client

from coop.members.models import User
from coop.surplus.models import CloseStatus, FiscalYearClose
from coop.surplus.services import surplus_simulate
from coop.surplus.tests.conftest import Year
from frontend.testing import assert_accessible_page


def test_a_member_reads_their_statement_line_by_line(
    last_year: Year, board: User, alice_client: Client
) -> None:
    surplus_simulate(year=last_year.year, by=board)

    response = alice_client.get(f"/api/v1/coop/surplus/{last_year.year}/statement")

    assert response.status_code == 200
    body = response.json()
    lines = {line["measure"]: line for line in body["lines"]}
    assert lines["minutes_given"] == {
        "measure": "minutes_given",
        "service": "timebank",
        "label": "Time given",
        "quantity": 90,
        "unit": "minutes",
        "weight": 5,
        "weight_key": "surplus.weight_minutes_given",
        "points": 450,
    }
    assert lines["nights_hosted"]["points"] == 600
    assert lines["fees_paid"]["points"] == 0
    assert body["points"] == 1350
    assert body["total_points"] == 11351
    assert body["dividend_pool_cents"] == 5400
    assert body["dividend_cents"] == 642
    assert body["status"] == "simulated"
    assert body["explanation"]["algorithm"] == {"slug": "patronage", "version": "2"}
    # Anyone can recompute it: pool x points / total, within a cent of the exact share.
    assert abs(body["dividend_cents"] - 5400 * 1350 / 11351) < 1


def test_a_member_with_no_activity_gets_a_statement_of_zeros(
    last_year: Year, board: User, board_client: Client
) -> None:
    surplus_simulate(year=last_year.year, by=board)

    body = board_client.get(f"/api/v1/coop/surplus/{last_year.year}/statement").json()

    assert body["points"] == 0
    assert body["dividend_cents"] == 0
    assert len(body["lines"]) == 5


def test_a_statement_for_a_year_not_closed_is_not_found(alice_client: Client) -> None:
    response = alice_client.get("/api/v1/coop/surplus/1999/statement")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "surplus_close_not_found"


def test_the_statement_needs_a_signed_in_member(client: Client, db: None) -> None:
    assert client.get("/api/v1/coop/surplus/2020/statement").status_code == 401


def test_a_member_chooses_to_take_the_dividend_as_capital(
    last_year: Year, board: User, bob_client: Client
) -> None:
    surplus_simulate(year=last_year.year, by=board)

    response = bob_client.post(
        f"/api/v1/coop/surplus/{last_year.year}/choice",
        {"to_capital": True},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["to_capital"] is True


def test_the_board_simulates_approves_and_pays_over_the_api(
    last_year: Year, board_client: Client, django_assert_max_num_queries: object
) -> None:
    year = last_year.year

    simulated = board_client.post(f"/api/v1/coop/surplus/{year}/simulate")
    approved = board_client.post(f"/api/v1/coop/surplus/{year}/approve")
    paid = board_client.post(f"/api/v1/coop/surplus/{year}/pay")

    assert simulated.status_code == 200, simulated.json()
    assert simulated.json()["dividend_cents"] == 5400
    assert simulated.json()["members"] == 3
    assert approved.json()["status"] == "approved"
    assert paid.json()["status"] == "paid"
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        listing = board_client.get("/api/v1/coop/surplus/closes")
    assert listing.json()["results"][0]["year"] == year
    again = board_client.post(f"/api/v1/coop/surplus/{year}/pay")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "surplus_close_state"


def test_charlie_cannot_run_the_close(last_year: Year, charlie_client: Client) -> None:
    year = last_year.year

    for action in ("simulate", "approve", "pay"):
        response = charlie_client.post(f"/api/v1/coop/surplus/{year}/{action}")
        assert response.status_code == 403
    assert charlie_client.get("/api/v1/coop/surplus/closes").status_code == 403
    assert not FiscalYearClose.objects.exists()


def test_the_board_cannot_close_the_current_year(board_client: Client) -> None:
    from django.utils import timezone  # noqa: PLC0415

    response = board_client.post(f"/api/v1/coop/surplus/{timezone.localdate().year}/simulate")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "year_not_over"


def test_the_statement_page_explains_each_line(
    last_year: Year, board: User, alice_client: Client
) -> None:
    surplus_simulate(year=last_year.year, by=board)

    response = alice_client.get("/surplus/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Time given" in html
    assert "450" in html
    assert "11351" in html
    assert_accessible_page(html)


def test_the_statement_page_says_when_no_year_is_closed(alice_client: Client) -> None:
    response = alice_client.get("/surplus/")

    assert "No fiscal year has been closed yet." in response.content.decode()


def test_the_board_page_runs_the_close(last_year: Year, board_client: Client) -> None:
    year = last_year.year

    board_client.post("/surplus/board/simulate/", {"year": str(year)})
    board_client.post(f"/surplus/board/{year}/approve/")
    response = board_client.post(f"/surplus/board/{year}/pay/", follow=True)

    html = response.content.decode()
    assert FiscalYearClose.objects.get(year=year).status == CloseStatus.PAID
    assert f"The dividends of {year} are paid." in html
    assert_accessible_page(html)


def test_the_board_page_refuses_charlie(charlie_client: Client) -> None:
    assert charlie_client.get("/surplus/board/").status_code == 403
    assert charlie_client.post("/surplus/board/simulate/", {"year": "2020"}).status_code == 403
