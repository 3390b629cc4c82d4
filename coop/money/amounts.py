"""Money: exact amounts in integer minor units (cents) with an ISO 4217 currency.

This is the one module that owns how money is parsed, rounded, split and shown. Everything
else stores `amount_cents` + `currency` and goes through `Money`; nothing ever holds a float.

Errors follow one rule: a wrong *type* is a programming mistake and raises `TypeError`; a wrong
*value* (an amount that is not exact, an unknown currency, two currencies mixed) raises a domain
error with a stable code, so a service can let it reach the API as a 400.

Rounding happens in exactly two places: `fraction_of`/`percent_of` (one amount scaled by a
ratio: fees, shares, deposits) and `allocate` (one amount split into parts that must add up).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coop.exceptions import InvalidInput

__all__ = [
    "MINOR_UNITS",
    "ROUND_CEILING",
    "ROUND_DOWN",
    "ROUND_FLOOR",
    "ROUND_HALF_DOWN",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_UP",
    "ROUND_UP",
    "CurrencyMismatch",
    "InvalidAllocation",
    "InvalidAmount",
    "Money",
    "UnknownCurrency",
    "allocate",
    "default_currency",
    "format_money",
    "fraction_of",
    "percent_of",
]

# ISO 4217 minor units of the currencies we accept. A small table on purpose: adding a currency
# is a decision (payments, display), not something a request can do.
MINOR_UNITS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "CAD": 2,
    "AUD": 2,
    "MXN": 2,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
}

# Amounts are stored in BigIntegerField columns; anything beyond would fail at save time instead.
MAX_CENTS = 2**63 - 1

BASIS_POINTS_PER_WHOLE = 10_000

_ROUNDING_MODES = frozenset(
    {
        ROUND_HALF_UP,
        ROUND_HALF_EVEN,
        ROUND_HALF_DOWN,
        ROUND_UP,
        ROUND_DOWN,
        ROUND_CEILING,
        ROUND_FLOOR,
    }
)

# A plain decimal number with `.` as the separator: no exponents, no thousands separators, no
# locale guessing ("1,234" means different things in Barcelona and in London).
_AMOUNT_PATTERN = re.compile(r"[+-]?\d+(?:\.\d+)?")
_MAX_AMOUNT_TEXT = 40


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    default_message = "That is not a valid amount of money."


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"
    default_message = "That currency is not supported."


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"
    default_message = "Amounts in different currencies cannot be combined."


class InvalidAllocation(InvalidInput):
    code = "invalid_allocation"
    default_message = "The amount cannot be split with those weights."


def _check_currency(currency: object) -> str:
    if not isinstance(currency, str):
        raise TypeError(f"A currency is a 3-letter code string, not {type(currency).__name__}.")
    if currency not in MINOR_UNITS:
        known = ", ".join(sorted(MINOR_UNITS))
        raise UnknownCurrency(
            f"{currency!r} is not a supported currency (use one of {known}).",
            fields={"currency": [f"Use one of {known}."]},
        )
    return currency


def _check_int(value: object, what: str) -> int:
    # bool is an int subclass; True cents is always a bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}.")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: `Money(1234, "EUR")` is €12.34."""

    cents: int
    currency: str

    def __post_init__(self) -> None:
        _check_int(self.cents, "Money.cents")
        _check_currency(self.currency)
        if abs(self.cents) > MAX_CENTS:
            raise InvalidAmount("That amount is too large.")

    # Construction and conversion

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: str | Decimal, currency: str) -> Money:
        """`Money.from_decimal("12.34", "EUR") == Money(1234, "EUR")`.

        Refuses anything that is not exactly representable in the currency's minor unit
        ("12.345" EUR, "1.5" JPY) instead of rounding it silently; trailing zeros that do not
        change the value ("12.340") are fine. Floats are refused (TypeError): 0.1 is not 0.1.
        """
        _check_currency(currency)
        if isinstance(value, float):
            raise TypeError("Pass money as a str or Decimal, never a float.")
        if isinstance(value, str):
            text = value.strip()
            if len(text) > _MAX_AMOUNT_TEXT or not _AMOUNT_PATTERN.fullmatch(text):
                raise InvalidAmount(
                    f"{value[:_MAX_AMOUNT_TEXT]!r} is not an amount; write it like 12.34.",
                    fields={"amount": ["Write the amount like 12.34."]},
                )
            number = Decimal(text)
        elif isinstance(value, Decimal):
            number = value
        else:
            raise TypeError(f"Pass money as a str or Decimal, not {type(value).__name__}.")
        if not number.is_finite():
            raise InvalidAmount(
                "An amount must be a finite number.", fields={"amount": ["Must be a number."]}
            )
        cents = _exact_minor_units(number, MINOR_UNITS[currency], currency)
        return cls(cents, currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units with exactly the currency's decimals: Decimal("12.34")."""
        return Decimal(self.cents).scaleb(-MINOR_UNITS[self.currency])

    @classmethod
    def sum(cls, amounts: Iterable[Money], *, currency: str) -> Money:
        """The total of `amounts`; `currency` says what an empty total is and is checked."""
        total = cls.zero(currency)
        for amount in amounts:
            total += amount
        return total

    # Predicates

    @property
    def is_zero(self) -> bool:
        return self.cents == 0

    @property
    def is_positive(self) -> bool:
        return self.cents > 0

    @property
    def is_negative(self) -> bool:
        return self.cents < 0

    # Arithmetic: only between amounts of one currency, and only scaling by whole numbers
    # (anything that needs rounding goes through fraction_of/percent_of/allocate).

    def _same_currency(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}.")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency} amounts.")
        return other

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents + self._same_currency(other).cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents - self._same_currency(other).cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.cents), self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.cents * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents < self._same_currency(other).cents

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents <= self._same_currency(other).cents

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents > self._same_currency(other).cents

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents >= self._same_currency(other).cents

    def __str__(self) -> str:
        return f"{self.to_decimal()} {self.currency}"


def _exact_minor_units(number: Decimal, minor_units: int, currency: str) -> int:
    """`number * 10**minor_units` as an int, in integer arithmetic.

    Decimal arithmetic would round to the context's 28 digits and could accept
    "1.0000000000000000000000000000001" as exactly 1.00.
    """
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite, checked by the caller
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + minor_units
    if coefficient == 0:
        return 0
    if shift >= 0:
        if shift + len(digits) > len(str(MAX_CENTS)):
            raise InvalidAmount("That amount is too large.")
        scaled = coefficient * 10**shift
    else:
        # A non-zero coefficient of n digits is never divisible by 10^k for k > n.
        if -shift > len(digits) or coefficient % 10**-shift:
            places = f"{minor_units} decimal places" if minor_units else "no decimals"
            raise InvalidAmount(
                f"{currency} amounts have {places}.",
                fields={"amount": [f"{currency} amounts have {places}."]},
            )
        scaled = coefficient // 10**-shift
    return -scaled if sign else scaled


def default_currency() -> str:
    """The co-op's currency (settings.COOP_CURRENCY), checked against the table above."""
    currency = settings.COOP_CURRENCY
    if currency not in MINOR_UNITS:
        raise ImproperlyConfigured(
            f"COOP_CURRENCY={currency!r} is not supported; use one of {', '.join(MINOR_UNITS)}."
        )
    return str(currency)


def _round(value: Fraction, rounding: str) -> int:
    """Round an exact fraction to an integer. Python's round() would be half-even only."""
    floor = value.numerator // value.denominator
    remainder = value - floor  # 0 <= remainder < 1
    if remainder == 0:
        return floor
    ceiling = floor + 1
    toward_zero, away_from_zero = (floor, ceiling) if value > 0 else (ceiling, floor)
    half = Fraction(1, 2)
    nearest = floor if remainder < half else ceiling
    on_half = remainder == half
    choices = {
        ROUND_FLOOR: floor,
        ROUND_CEILING: ceiling,
        ROUND_DOWN: toward_zero,
        ROUND_UP: away_from_zero,
        ROUND_HALF_UP: away_from_zero if on_half else nearest,
        ROUND_HALF_DOWN: toward_zero if on_half else nearest,
        ROUND_HALF_EVEN: (floor if floor % 2 == 0 else ceiling) if on_half else nearest,
    }
    return choices[rounding]


def fraction_of(money: Money, ratio: Fraction | int, *, rounding: str = ROUND_HALF_UP) -> Money:
    """`money * ratio`, rounded once to a whole cent.

    The default is round half up in Python's decimal sense, i.e. half *away from zero*: it is
    what Spanish invoicing and most people do by hand, and it is symmetric, so refunding a fee
    (-x% of -m) gives exactly minus the fee. Half-even only reduces bias over many roundings that
    are then summed; where parts must add up we use `allocate`, which does not round at all.
    """
    if isinstance(ratio, bool) or not isinstance(ratio, Fraction | int):
        raise TypeError(f"A ratio is a Fraction or an int, not {type(ratio).__name__}.")
    if rounding not in _ROUNDING_MODES:
        raise ValueError(f"Unknown rounding mode {rounding!r}; use the decimal.ROUND_* constants.")
    return Money(_round(Fraction(money.cents) * ratio, rounding), money.currency)


def percent_of(money: Money, *, basis_points: int, rounding: str = ROUND_HALF_UP) -> Money:
    """`basis_points`/10,000 of `money`: a 15% fee is `percent_of(price, basis_points=1500)`."""
    _check_int(basis_points, "basis_points")
    return fraction_of(money, Fraction(basis_points, BASIS_POINTS_PER_WHOLE), rounding=rounding)


def allocate(money: Money, weights: Sequence[int]) -> list[Money]:
    """Split `money` in proportion to `weights`; the parts always add up to `money` exactly.

    Largest-remainder method: every part gets the floor of its exact share, and the cents left
    over go one each to the parts with the largest remainders, earlier positions first on a
    tie. So no part is a whole cent or more away from its exact share, a zero weight always
    gets zero, and the same input always gives the same split. A negative amount is split like
    its absolute value, with every part negated.
    """
    if isinstance(weights, str | bytes):
        raise TypeError("Weights are a sequence of ints.")
    checked = [_check_int(weight, "Each weight") for weight in weights]
    if not checked:
        raise InvalidAllocation("There is nothing to split the amount between.")
    if any(weight < 0 for weight in checked):
        raise InvalidAllocation("Weights cannot be negative.")
    total_weight = sum(checked)
    if total_weight == 0:
        raise InvalidAllocation("At least one weight must be above zero.")

    sign = -1 if money.cents < 0 else 1
    amount = abs(money.cents)
    floors: list[int] = []
    remainders: list[int] = []
    for weight in checked:
        share, remainder = divmod(amount * weight, total_weight)
        floors.append(share)
        remainders.append(remainder)
    # Fewer than one leftover cent per part with a remainder, so zero weights never get one.
    leftover = amount - sum(floors)
    by_remainder = sorted(range(len(checked)), key=lambda index: (-remainders[index], index))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return [Money(sign * part, money.currency) for part in floors]


# Display. A small table of what we need (the co-op's languages), not a CLDR implementation.

_NBSP = "\u00a0"


@dataclass(frozen=True, slots=True)
class _NumberStyle:
    decimal: str
    group: str
    # CLDR minimumGroupingDigits: Spanish writes 1234,56 € but 12.345,67 €.
    min_grouping_digits: int
    symbol_first: bool


_STYLES: dict[str, _NumberStyle] = {
    "en": _NumberStyle(decimal=".", group=",", min_grouping_digits=1, symbol_first=True),
    "es": _NumberStyle(decimal=",", group=".", min_grouping_digits=2, symbol_first=False),
    "ca": _NumberStyle(decimal=",", group=".", min_grouping_digits=1, symbol_first=False),
}

_SYMBOLS: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
# Outside the US "$" alone is ambiguous (pesos); CLDR's es and ca write US$.
_LOCAL_SYMBOLS: dict[tuple[str, str], str] = {("es", "USD"): "US$", ("ca", "USD"): "US$"}


def _group_digits(digits: str, style: _NumberStyle) -> str:
    if len(digits) < 3 + style.min_grouping_digits:
        return digits
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return style.group.join(groups)


def format_money(money: Money, *, locale: str = "en") -> str:
    """For people: "€1,234.56" (en), "1234,56 €" (es), "1.234,56 €" (ca), "-€5.00".

    A regional locale ("es-ES", "en_GB") uses its language; an unknown language falls back to
    English, because a page should never fail over how it shows a price. The space before a
    trailing symbol is a no-break space, so "12,34 €" never wraps between number and symbol.
    """
    language = locale.replace("_", "-").split("-", 1)[0].lower()
    if language not in _STYLES:
        language = "en"
    style = _STYLES[language]
    minor_units = MINOR_UNITS[money.currency]
    whole, fraction = divmod(abs(money.cents), 10**minor_units)
    number = _group_digits(str(whole), style)
    if minor_units:
        number += style.decimal + str(fraction).rjust(minor_units, "0")
    symbol = _LOCAL_SYMBOLS.get((language, money.currency)) or _SYMBOLS.get(
        money.currency, money.currency
    )
    if style.symbol_first:
        # A letter code needs a space ("CHF 12.34"); a sign does not ("€12.34").
        separator = _NBSP if symbol[-1].isalpha() else ""
        text = f"{symbol}{separator}{number}"
    else:
        text = f"{number}{_NBSP}{symbol}"
    return f"-{text}" if money.cents < 0 else text
