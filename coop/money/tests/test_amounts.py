from __future__ import annotations

import random
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from coop.exceptions import InvalidInput
from coop.money.amounts import (
    MAX_CENTS,
    MINOR_UNITS,
    CurrencyMismatch,
    InvalidAllocation,
    InvalidAmount,
    Money,
    UnknownCurrency,
    allocate,
    default_currency,
    format_money,
    fraction_of,
    percent_of,
)

NBSP = "\u00a0"


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


# Construction


def test_money_holds_integer_cents_and_a_currency() -> None:
    amount = Money(1234, "EUR")
    assert amount.cents == 1234
    assert amount.currency == "EUR"
    assert amount == Money(1234, "EUR")
    assert hash(amount) == hash(Money(1234, "EUR"))


@pytest.mark.parametrize("cents", [12.5, 12.0, Decimal(12), "12", True, None])
def test_it_refuses_cents_that_are_not_an_int(cents: object) -> None:
    with pytest.raises(TypeError):
        Money(cents, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["XXX", "eur", "EURO", "", "€"])
def test_it_refuses_an_unknown_currency(currency: str) -> None:
    with pytest.raises(UnknownCurrency) as caught:
        Money(100, currency)
    assert caught.value.code == "unknown_currency"
    assert isinstance(caught.value, InvalidInput)


def test_it_refuses_a_currency_that_is_not_a_string() -> None:
    with pytest.raises(TypeError):
        Money(100, 978)  # type: ignore[arg-type]


def test_it_refuses_an_amount_too_large_for_a_bigint_column() -> None:
    assert Money(MAX_CENTS, "EUR").cents == MAX_CENTS
    with pytest.raises(InvalidAmount):
        Money(MAX_CENTS + 1, "EUR")
    with pytest.raises(InvalidAmount):
        Money(-MAX_CENTS - 1, "EUR")


def test_money_is_immutable() -> None:
    amount = eur(100)
    with pytest.raises(AttributeError):
        amount.cents = 200  # type: ignore[misc]


def test_zero_is_zero_in_the_given_currency() -> None:
    assert Money.zero("JPY") == Money(0, "JPY")
    assert Money.zero("EUR").is_zero
    assert not eur(1).is_zero
    assert eur(1).is_positive
    assert eur(-1).is_negative


# Arithmetic


def test_amounts_in_one_currency_add_and_subtract() -> None:
    assert eur(1000) + eur(234) == eur(1234)
    assert eur(1000) - eur(1234) == eur(-234)
    assert -eur(250) == eur(-250)
    assert abs(eur(-250)) == eur(250)


def test_it_refuses_to_mix_currencies() -> None:
    with pytest.raises(CurrencyMismatch) as caught:
        eur(100) + Money(100, "USD")
    assert caught.value.code == "currency_mismatch"
    with pytest.raises(CurrencyMismatch):
        eur(100) - Money(100, "GBP")
    with pytest.raises(CurrencyMismatch):
        assert eur(100) < Money(200, "USD")


def test_amounts_of_different_currencies_are_never_equal() -> None:
    assert Money(0, "EUR") != Money(0, "USD")


def test_money_multiplies_only_by_whole_numbers() -> None:
    assert eur(250) * 3 == eur(750)
    assert 3 * eur(250) == eur(750)
    assert eur(250) * -2 == eur(-500)
    for factor in (1.5, Decimal(2), True, Fraction(1, 2)):
        with pytest.raises(TypeError):
            eur(250) * factor  # type: ignore[operator]


def test_money_does_not_add_to_plain_numbers() -> None:
    with pytest.raises(TypeError):
        eur(100) + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        assert eur(100) < 5  # type: ignore[operator]


def test_amounts_compare_within_a_currency() -> None:
    assert eur(100) < eur(200)
    assert eur(200) <= eur(200)
    assert eur(300) > eur(200)
    assert eur(-1) >= eur(-1)
    assert sorted([eur(3), eur(-1), eur(2)]) == [eur(-1), eur(2), eur(3)]
    assert max(eur(3), eur(7)) == eur(7)


def test_sum_totals_amounts_and_knows_the_empty_total() -> None:
    assert Money.sum([eur(100), eur(250), eur(-50)], currency="EUR") == eur(300)
    assert Money.sum([], currency="JPY") == Money(0, "JPY")
    assert Money.sum((eur(n) for n in range(5)), currency="EUR") == eur(10)


def test_sum_refuses_an_amount_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.sum([eur(100), Money(1, "USD")], currency="EUR")
    with pytest.raises(CurrencyMismatch):
        Money.sum([eur(100)], currency="USD")


# Parsing and conversion


@pytest.mark.parametrize(
    ("text", "currency", "cents"),
    [
        ("12.34", "EUR", 1234),
        ("12.3", "EUR", 1230),
        ("12", "EUR", 1200),
        ("0.01", "EUR", 1),
        ("-7.50", "EUR", -750),
        ("+7.50", "EUR", 750),
        ("  3.20 ", "EUR", 320),
        ("12.340", "EUR", 1234),
        ("1500", "JPY", 1500),
        ("1500.00", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("0", "EUR", 0),
        ("-0.00", "EUR", 0),
    ],
)
def test_it_parses_a_decimal_amount(text: str, currency: str, cents: int) -> None:
    assert Money.from_decimal(text, currency) == Money(cents, currency)


def test_it_parses_a_decimal_value() -> None:
    assert Money.from_decimal(Decimal("19.99"), "EUR") == eur(1999)
    assert Money.from_decimal(Decimal("1E+2"), "EUR") == eur(10000)
    assert Money.from_decimal(Decimal("-0.5"), "EUR") == eur(-50)


@pytest.mark.parametrize(
    ("text", "currency"),
    [("12.345", "EUR"), ("0.001", "EUR"), ("1.5", "JPY"), ("1.2345", "KWD")],
)
def test_it_refuses_more_decimals_than_the_currency_has(text: str, currency: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        Money.from_decimal(text, currency)
    assert caught.value.code == "invalid_amount"
    assert "amount" in caught.value.fields


def test_it_refuses_a_tiny_difference_that_decimal_rounding_would_hide() -> None:
    # 32 significant digits: Decimal's default 28-digit context would round this to 1.00.
    with pytest.raises(InvalidAmount):
        Money.from_decimal("1.0000000000000000000000000000001", "EUR")
    with pytest.raises(InvalidAmount):
        Money.from_decimal(Decimal("1E-1000"), "EUR")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "12,34",
        "1,234.56",
        "€12",
        "12 EUR",
        "1e3",
        "1.2.3",
        ".5",
        "5.",
        "--1",
        "NaN",
    ],
)
def test_it_refuses_text_that_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        Money.from_decimal(text, "EUR")
    assert caught.value.code == "invalid_amount"
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")])
def test_it_refuses_decimals_that_are_not_finite(value: Decimal) -> None:
    with pytest.raises(InvalidAmount):
        Money.from_decimal(value, "EUR")


def test_it_refuses_an_amount_too_large_to_store() -> None:
    with pytest.raises(InvalidAmount):
        Money.from_decimal("1" + "0" * 30, "EUR")
    with pytest.raises(InvalidAmount):
        Money.from_decimal(Decimal("9E+999999"), "EUR")
    with pytest.raises(InvalidAmount):
        Money.from_decimal("1" * 41, "EUR")


@pytest.mark.parametrize("value", [12.34, 12, True, None, b"12.34"])
def test_it_refuses_floats_and_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        Money.from_decimal(value, "EUR")  # type: ignore[arg-type]


def test_it_refuses_to_parse_into_an_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency):
        Money.from_decimal("1.00", "ABC")


def test_to_decimal_has_exactly_the_currency_decimals() -> None:
    assert str(eur(1234).to_decimal()) == "12.34"
    assert str(eur(5).to_decimal()) == "0.05"
    assert str(eur(0).to_decimal()) == "0.00"
    assert str(eur(-1).to_decimal()) == "-0.01"
    assert str(Money(1500, "JPY").to_decimal()) == "1500"
    assert str(Money(1234, "KWD").to_decimal()) == "1.234"
    assert str(eur(1234)) == "12.34 EUR"


def test_parsing_what_to_decimal_gives_returns_the_same_amount() -> None:
    rng = random.Random(20260101)
    for _ in range(2000):
        currency = rng.choice(sorted(MINOR_UNITS))
        amount = Money(rng.randint(-(10**12), 10**12), currency)
        assert Money.from_decimal(amount.to_decimal(), currency) == amount
        assert Money.from_decimal(str(amount.to_decimal()), currency) == amount


def test_default_currency_comes_from_settings() -> None:
    assert default_currency() == "EUR"
    with override_settings(COOP_CURRENCY="CHF"):
        assert default_currency() == "CHF"
    with override_settings(COOP_CURRENCY="DOGE"), pytest.raises(ImproperlyConfigured):
        default_currency()


# Percentages and ratios


def test_a_fifteen_percent_fee_is_1500_basis_points() -> None:
    assert percent_of(eur(2000), basis_points=1500) == eur(300)
    assert percent_of(eur(0), basis_points=1500) == eur(0)
    assert percent_of(eur(999), basis_points=10_000) == eur(999)


@pytest.mark.parametrize(
    ("cents", "basis_points", "half_up", "half_even"),
    [
        (50, 100, 1, 0),  # 1% of €0.50 is 0.5 cents exactly
        (150, 100, 2, 2),  # 1.5 cents
        (250, 100, 3, 2),  # 2.5 cents
        (350, 100, 4, 4),  # 3.5 cents
        (10, 500, 1, 0),  # 5% of €0.10
        (-50, 100, -1, 0),  # half away from zero, symmetric for refunds
        (-250, 100, -3, -2),
        (49, 100, 0, 0),  # 0.49 cents
        (51, 100, 1, 1),  # 0.51 cents
    ],
)
def test_percent_rounding_at_the_half_cent(
    cents: int, basis_points: int, half_up: int, half_even: int
) -> None:
    assert percent_of(eur(cents), basis_points=basis_points) == eur(half_up)
    assert percent_of(eur(cents), basis_points=basis_points, rounding=ROUND_HALF_UP) == eur(half_up)
    assert percent_of(eur(cents), basis_points=basis_points, rounding=ROUND_HALF_EVEN) == eur(
        half_even
    )


def test_percent_of_a_refund_is_minus_the_percent_of_the_payment() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        cents = rng.randint(0, 10**9)
        basis_points = rng.randint(0, 10_000)
        fee = percent_of(eur(cents), basis_points=basis_points)
        assert percent_of(eur(-cents), basis_points=basis_points) == -fee


def test_percent_of_is_the_exact_share_rounded_to_the_nearest_cent() -> None:
    rng = random.Random(42)
    for _ in range(5000):
        cents = rng.randint(-(10**10), 10**10)
        basis_points = rng.randint(0, 20_000)
        exact = Fraction(cents * basis_points, 10_000)
        result = percent_of(eur(cents), basis_points=basis_points).cents
        assert abs(result - exact) <= Fraction(1, 2)
        if abs(result - exact) == Fraction(1, 2):
            assert abs(result) > abs(exact)  # ties go away from zero


def test_other_rounding_modes_can_be_asked_for() -> None:
    assert percent_of(eur(199), basis_points=5000, rounding=ROUND_DOWN) == eur(99)
    assert fraction_of(eur(100), Fraction(1, 3)) == eur(33)
    assert fraction_of(eur(200), Fraction(1, 3)) == eur(67)
    assert fraction_of(eur(100), 3) == eur(300)


def test_it_refuses_a_rounding_mode_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="rounding"):
        percent_of(eur(100), basis_points=100, rounding="ROUND_SOMETIMES")


def test_it_refuses_ratios_that_are_not_exact() -> None:
    with pytest.raises(TypeError):
        percent_of(eur(100), basis_points=15.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        percent_of(eur(100), basis_points=True)
    with pytest.raises(TypeError):
        fraction_of(eur(100), 0.15)  # type: ignore[arg-type]


# Allocation


def test_allocate_splits_in_proportion_to_weights() -> None:
    assert allocate(eur(1000), [1, 1]) == [eur(500), eur(500)]
    assert allocate(eur(1000), [3, 1]) == [eur(750), eur(250)]
    assert allocate(eur(1000), [85, 15]) == [eur(850), eur(150)]


def test_allocate_gives_leftover_cents_to_the_earliest_parts_on_a_tie() -> None:
    assert allocate(eur(100), [1, 1, 1]) == [eur(34), eur(33), eur(33)]
    assert allocate(eur(101), [1, 1, 1]) == [eur(34), eur(34), eur(33)]
    assert allocate(eur(5), [1, 1, 1, 1, 1, 1]) == [eur(1)] * 5 + [eur(0)]


def test_allocate_gives_leftover_cents_to_the_largest_remainders_first() -> None:
    # Exact shares: 1.4, 3.2, 5.4 -> floors 1, 3, 5 and two cents for the 0.4 remainders.
    assert allocate(eur(10), [14, 32, 54]) == [eur(2), eur(3), eur(5)]


def test_allocate_gives_zero_weights_nothing() -> None:
    assert allocate(eur(100), [0, 1, 0, 2]) == [eur(0), eur(33), eur(0), eur(67)]
    assert allocate(eur(1), [0, 0, 5]) == [eur(0), eur(0), eur(1)]


def test_allocate_splits_a_negative_amount_symmetrically() -> None:
    assert allocate(eur(-100), [1, 1, 1]) == [eur(-34), eur(-33), eur(-33)]
    rng = random.Random(99)
    for _ in range(500):
        weights = [rng.randint(0, 50) for _ in range(rng.randint(1, 8))]
        if not any(weights):
            continue
        cents = rng.randint(0, 10**6)
        assert allocate(eur(-cents), weights) == [-part for part in allocate(eur(cents), weights)]


def test_allocate_keeps_the_currency() -> None:
    assert allocate(Money(1000, "JPY"), [1, 2]) == [Money(333, "JPY"), Money(667, "JPY")]


@pytest.mark.parametrize("weights", [[], [0], [0, 0, 0], [1, -1], [-1]])
def test_allocate_refuses_weights_it_cannot_split_by(weights: list[int]) -> None:
    with pytest.raises(InvalidAllocation) as caught:
        allocate(eur(100), weights)
    assert caught.value.code == "invalid_allocation"


@pytest.mark.parametrize("weights", [[1.5, 1], [True, 1], ["1", "2"], "12"])
def test_allocate_refuses_weights_that_are_not_ints(weights: list[object]) -> None:
    with pytest.raises(TypeError):
        allocate(eur(100), weights)  # type: ignore[arg-type]


def test_allocate_always_adds_up_and_stays_within_a_cent_of_the_exact_shares() -> None:
    rng = random.Random(2026)
    for _ in range(5000):
        count = rng.randint(1, 12)
        weights = [rng.choice([0, 0, 1, 2, 3, rng.randint(0, 10**6)]) for _ in range(count)]
        if not any(weights):
            weights[rng.randrange(count)] = rng.randint(1, 100)
        cents = rng.choice([rng.randint(-100, 100), rng.randint(-(10**12), 10**12)])
        parts = allocate(eur(cents), weights)

        assert len(parts) == count
        assert sum(part.cents for part in parts) == cents
        total_weight = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            exact = Fraction(cents * weight, total_weight)
            assert abs(part.cents - exact) < 1
            if weight == 0:
                assert part.is_zero


def test_allocate_is_deterministic() -> None:
    rng = random.Random(5)
    for _ in range(200):
        weights = [rng.randint(1, 9) for _ in range(rng.randint(1, 10))]
        cents = rng.randint(0, 10**5)
        assert allocate(eur(cents), weights) == allocate(eur(cents), list(weights))


# Display


@pytest.mark.parametrize(
    ("cents", "locale", "expected"),
    [
        (1234, "en", "€12.34"),
        (1234, "es", f"12,34{NBSP}€"),
        (1234, "ca", f"12,34{NBSP}€"),
        (-1234, "en", "-€12.34"),
        (-1234, "es", f"-12,34{NBSP}€"),
        (5, "en", "€0.05"),
        (0, "ca", f"0,00{NBSP}€"),
        (123456, "en", "€1,234.56"),
        (123456, "ca", f"1.234,56{NBSP}€"),
        (123456, "es", f"1234,56{NBSP}€"),  # Spanish groups from five digits on
        (1234567, "es", f"12.345,67{NBSP}€"),
        (123456789012, "en", "€1,234,567,890.12"),
        (1234, "ca-ES", f"12,34{NBSP}€"),
        (1234, "en_GB", "€12.34"),
        (1234, "fr", "€12.34"),  # a language we do not have falls back to English
    ],
)
def test_format_money_for_people(cents: int, locale: str, expected: str) -> None:
    assert format_money(eur(cents), locale=locale) == expected


def test_format_money_in_other_currencies() -> None:
    assert format_money(Money(1234, "USD")) == "$12.34"
    assert format_money(Money(1234, "USD"), locale="es") == f"12,34{NBSP}US$"
    assert format_money(Money(1234, "GBP")) == "£12.34"
    assert format_money(Money(1234, "CHF")) == f"CHF{NBSP}12.34"
    assert format_money(Money(1234, "CHF"), locale="ca") == f"12,34{NBSP}CHF"
    assert format_money(Money(1500, "JPY")) == "¥1,500"
    assert format_money(Money(1234, "KWD")) == f"KWD{NBSP}1.234"


def test_formatted_amounts_parse_back_to_the_same_amount() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        amount = eur(rng.randint(-(10**11), 10**11))
        for locale, decimal, group in (("en", ".", ","), ("es", ",", "."), ("ca", ",", ".")):
            shown = format_money(amount, locale=locale)
            digits = (
                shown.replace("€", "").replace(NBSP, "").replace(group, "").replace(decimal, ".")
            )
            assert Money.from_decimal(digits, "EUR") == amount
