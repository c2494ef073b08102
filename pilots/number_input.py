"""Numbers typed or pasted by people, read exactly: the one parser for forms and import files.

The portal prints numbers grouped by thousands in the page's language (1 234,5 in Swedish,
1,234.5 in English), so whatever it prints can be typed back. A separator between thousands
must sit between groups of three digits: in English "1,5" is refused rather than read as 15.
Values must fit the database's 14 digits with 2 decimals and are refused, never rounded.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import get_format

MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 2
CENT = Decimal("0.01")
# Spaces that keyboards, Swedish number formatting and spreadsheets put between thousands.
SPACES = " \u00a0\u2007\u2009\u202f"
SIGNS = "+-\u2212"


class Problem(enum.StrEnum):
    """Why a text is not a usable number; the values are the keys of Django's error messages."""

    MISSING = "required"
    INVALID = "invalid"
    TOO_LARGE = "max_whole_digits"
    TOO_PRECISE = "max_decimal_places"


class NumberError(ValueError):
    """A number that cannot be used; ``problem`` says why, for the caller's own message."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class NumberStyle:
    """The characters a number may use as its decimal sign and between groups of thousands."""

    decimal_signs: str
    group_signs: str


# Files come from Swedish and English spreadsheets alike, so both decimal signs are read; a
# comma is then never a thousands separator. Some Excel settings group with an apostrophe.
FILE_STYLE = NumberStyle(decimal_signs=",.", group_signs=SPACES + "'")


def page_style() -> NumberStyle:
    """Numbers as the active language writes them, and plain 1234.5 in every language."""
    decimal = str(get_format("DECIMAL_SEPARATOR"))
    group = str(get_format("THOUSAND_SEPARATOR"))
    # A point that groups thousands (as in German) cannot also be a decimal sign.
    decimals = decimal if "." in (decimal, group) else decimal + "."
    # Whoever reads a non-breaking space between thousands types an ordinary one.
    groups = SPACES if group.isspace() else group
    return NumberStyle(decimal_signs=decimals, group_signs=groups)


@functools.lru_cache(maxsize=8)
def _pattern(style: NumberStyle) -> re.Pattern[str]:
    groups = re.escape(style.group_signs)
    return re.compile(
        rf"(?P<sign>[{re.escape(SIGNS)}]?)"
        rf"(?P<integer>[0-9]{{1,3}}(?:[{groups}][0-9]{{3}})+|[0-9]*)"
        rf"(?:[{re.escape(style.decimal_signs)}](?P<fraction>[0-9]+))?"
    )


def parse_number(text: str, style: NumberStyle) -> Decimal:
    """The exact value of a number written in this style, with 2 decimals.

    Raises ``NumberError`` for empty text, anything else than a number in this style, more than
    12 digits before the decimal sign or more than 2 significant decimals.
    """
    text = text.strip()
    if not text:
        raise NumberError(Problem.MISSING)
    match = _pattern(style).fullmatch(text)
    if match is None or not (match["integer"] or match["fraction"]):
        raise NumberError(Problem.INVALID)
    integer = re.sub("[^0-9]", "", match["integer"]).lstrip("0")
    fraction = (match["fraction"] or "").rstrip("0")
    # Checked on the digits, before any arithmetic, so a long text costs no more than reading.
    if len(integer) > MAX_INTEGER_DIGITS:
        raise NumberError(Problem.TOO_LARGE)
    if len(fraction) > MAX_DECIMALS:
        raise NumberError(Problem.TOO_PRECISE)
    negative = match["sign"] in ("-", "\u2212") and bool(integer or fraction)
    return Decimal(f"{'-' if negative else ''}{integer or '0'}.{fraction or '0'}").quantize(CENT)


def fit(number: Decimal) -> Decimal:
    """A number that is already a Decimal (a spreadsheet cell), checked the same way."""
    if not number.is_finite():
        raise NumberError(Problem.INVALID)
    if number.is_zero():
        return Decimal("0.00")
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise NumberError(Problem.TOO_LARGE)
    rounded = number.quantize(CENT)
    if rounded != number:
        raise NumberError(Problem.TOO_PRECISE)
    return rounded
