"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from 0-9 and the capital letters without I, O, Z, S and V: registration
authority (1), organisation category (1), administrative division (6), organisation code (9),
and a check character computed from the first 17 with weights 3^i mod 31.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_character(first17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if not value:
        return
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)},
            code="credit_code_length",
        )
    wrong = sorted({char for char in code if char not in ALPHABET})
    if wrong:
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S and V; found: %(chars)s.")
            % {"chars": "、".join(wrong)},
            code="credit_code_characters",
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character (the last one) of this credit code should be %(expected)s: please check for a typo.")
            % {"expected": expected},
            code="credit_code_check",
        )
