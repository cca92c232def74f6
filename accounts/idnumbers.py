"""Resident identity card numbers (GB 11643-1999): 6-digit region code, birth date, sequence,
and a check character computed with ISO 7064 MOD 11-2."""

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from accounts.crypto import mask

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def check_character(first17: str) -> str:
    return _CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11]


def problem(value: str) -> str | None:
    """Why the number is not a valid ID number (a message key), or None if it is valid."""
    number = normalise(value)
    if len(number) != 18:
        return "length"
    # ASCII only: str.isdigit() also accepts full-width and superscript digits.
    if not _SHAPE.fullmatch(number):
        return "characters"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > date.today():
        return "birth_date"
    if check_character(number[:17]) != number[17]:
        return "check"
    return None


# One message per ``problem`` key, translated when shown: every app that takes an ID number
# (the ban list, the staff roster) refuses an invalid one in the same words.
PROBLEM_MESSAGES = {
    "length": _("An ID number has 18 characters."),
    "characters": _("An ID number has 17 digits and then a digit or X."),
    "birth_date": _("The birth date in this ID number is not a real date."),
    "check": _("The last character of this ID number does not match: please check the number."),
}


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid ID number, in the user's language; None if it is valid."""
    key = problem(value)
    return str(PROBLEM_MESSAGES[key]) if key else None


def masked(value: str) -> str:
    """First 6 and last 4 characters: 330281********1234."""
    return mask(normalise(value), keep_start=6, keep_end=4)


def birth_date(value: str) -> date | None:
    number = normalise(value)
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
