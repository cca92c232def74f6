"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from 0-9 and the capital letters without I, O, Z, S and V: registration
authority (1), organisation type (2), administrative division (3-8), organisation code (9-17),
and a check character computed from the first 17.

Two checks, one module, used by the model field, the forms, the API, the imports and the
services alike:

- ``validate_credit_code``: the code alone. Length, alphabet, digits in characters 1-8 and the
  check character are python-stdnum's (``stdnum.cn.uscc``); the first two characters must be an
  authority and one of its organisation types in GB 32100's table 1 (``AUTHORITIES``).
- ``credit_code_fit_problem``: the code against what is registered. The first character is the
  authority of the legal form (编办 1, 民政 5, 市场监管 9), characters 3-8 the county of the
  institution's village.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 32100-2015 table 1: the registration authority (first character) and the organisation types
# (second character) it registers. Authorities A (military), N (agriculture) and Y (other) are
# left out: stdnum wants digits in characters 1-8, and none of them registers a care institution.
AUTHORITIES = {
    "1": (gettext_lazy("the commission office (机构编制)"), "1239"),
    "2": (gettext_lazy("foreign affairs (外交)"), "19"),
    "3": (gettext_lazy("justice (司法行政)"), "123459"),
    "4": (gettext_lazy("culture (文化)"), "19"),
    "5": (gettext_lazy("civil affairs (民政)"), "1239"),
    "6": (gettext_lazy("tourism (旅游)"), "129"),
    "7": (gettext_lazy("religious affairs (宗教)"), "129"),
    "8": (gettext_lazy("the trade union (工会)"), "19"),
    "9": (gettext_lazy("market supervision (市场监管, formerly 工商)"), "123"),
}
# The authority that registers each legal form (``Institution.LegalForm`` values; the model
# imports this module, so the values are written out).
AUTHORITY_OF_LEGAL_FORM = {"public_institution": "1", "nonprofit": "5", "company": "9"}


def credit_code_check_character(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def credit_code_make(*, legal_form: str, county_code: str, body: str) -> str:
    """A valid code for the legal form in the county: the authority's first organisation type
    the portal's institutions use (事业单位 12, 民办非企业单位 52, 企业 91), then ``body``, the
    first 8 characters of the organisation code (the demo data, factories and templates)."""
    authority = AUTHORITY_OF_LEGAL_FORM[legal_form]
    first17 = authority + {"1": "2", "5": "2", "9": "1"}[authority] + county_code + body
    return first17 + credit_code_check_character(first17)


def validate_credit_code(value: str) -> None:
    if not value:
        return
    code = value.strip().upper()
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)},
            code="credit_code_length",
        ) from None
    except stdnum_errors.InvalidFormat:
        wrong = sorted({char for char in code if char not in ALPHABET})
        if wrong:
            raise ValidationError(
                _(
                    "A unified social credit code uses digits and capital letters except I, O, Z, S and V; found: "
                    "%(chars)s."
                )
                % {"chars": "、".join(wrong)},
                code="credit_code_characters",
            ) from None
        raise ValidationError(
            _(
                "The first 8 characters of a unified social credit code are digits (authority, organisation type "
                "and administrative division); this code has %(part)s."
            )
            % {"part": code[:8]},
            code="credit_code_structure",
        ) from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check character (the last one) of this credit code should be %(expected)s: please check for a typo.")
            % {"expected": credit_code_check_character(code[:17])},
            code="credit_code_check",
        ) from None
    if code[0] not in AUTHORITIES:
        raise ValidationError(
            _("No registration authority issues unified social credit codes beginning with %(char)s.")
            % {"char": code[0]},
            code="credit_code_authority",
        )
    authority, types = AUTHORITIES[code[0]]
    if code[1] not in types:
        raise ValidationError(
            _(
                "The second character %(char)s is no organisation type of %(authority)s, which the first character "
                "%(first)s names; its types are %(types)s."
            )
            % {"char": code[1], "authority": authority, "first": code[0], "types": "、".join(types)},
            code="credit_code_type",
        )


def credit_code_fit_problem(code: str, *, legal_form: str, legal_form_label: str, village) -> str:
    """Why a well-formed code cannot belong to an institution of this legal form in this village
    ("" if it can). The label is the legal form's name as the user chose it.

    Characters 3-8 are the division of the authority that issued the code. The authorities that
    record registrations in the portal are the county's own (市委编办, 市民政局, 市市场监管局 of
    Yuyao) and issue codes with the county's code, 330281; so the code must carry the county of
    the village (the first 6 digits of its statistical code). Ningbo's other divisions (3302xx:
    the city 330200 and its districts) are refused: an institution in Yuyao registered by one of
    their authorities is not Yuyao's authorities' to record, and a branch gets its own code from
    the authority where it registers; a 3302xx code here is a typo or a registration elsewhere."""
    expected = AUTHORITY_OF_LEGAL_FORM.get(legal_form)
    if expected and code[0] != expected:
        implied = AUTHORITIES[code[0]][0] if code[0] in AUTHORITIES else code[0]
        return _(
            "The credit code begins with %(char)s, so it was issued by %(implied)s; but %(form)s is registered by "
            "%(chosen)s (codes beginning with %(expected)s)."
        ) % {
            "char": code[0], "implied": implied, "form": legal_form_label,
            "chosen": AUTHORITIES[expected][0], "expected": expected,
        }  # fmt: skip
    county_code = village.code[:6]
    if code[2:8] != county_code:
        return _(
            "Characters 3 to 8 of the credit code (%(found)s) are the division of the authority that issued it; "
            "%(village)s lies in the division %(expected)s, whose authorities register its institutions."
        ) % {"found": code[2:8], "village": village.name, "expected": county_code}
    return ""
