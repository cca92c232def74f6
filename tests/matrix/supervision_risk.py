"""The risk pages in the permission matrix (accounts.policy rule 32, supervision/rules.py).

- the list of institutions by risk band: members of departments only; everyone else 403
  (townships, institutions, the leading group, operators, the stranger);
- the band override, posted from the institution page: the health bureau (``review.lead``);
  the other departments that see the institution get 403; everyone else 404 (the score of an
  institution out of sight is not confirmed). Institution A (泗门镇, a company registered by
  market supervision) is seen by the city-wide departments; the education bureau and the
  public-institution registrar (editor) do not see it.
"""

from supervision.models import RiskScore
from tests.permission_matrix import CITY_WIDE_INSTITUTION_SIGHT, LOGGED_IN, STAFF, Case, _api

DEPARTMENTS = STAFF - {"leader"}
SEEING_A = CITY_WIDE_INSTITUTION_SIGHT - {"leader"}
SEEING_B = CITY_WIDE_INSTITUTION_SIGHT - {"leader"}


def _score(code):
    return lambda username: {"pk": RiskScore.objects.get(institution__organisation__code=code).pk}


TARGETS = {
    "risk_score_a": _score("demo-simen-xingxing"),
    "risk_score_b": _score("demo-lizhou-yangguang"),
}

OVERRIDE = {"band": "high", "reason": "【矩阵】提高检查频次"}

CASES = [
    Case("risk_list", DEPARTMENTS, denied=403),
    Case("risk_band_override", frozenset({"health"}), target="risk_score_a", method="post", ok=302,
         visible=SEEING_A - {"health"}, data=OVERRIDE),
    Case("risk_band_override", frozenset({"health"}), target="risk_score_b", method="post", ok=302,
         visible=SEEING_B - {"health"}, data=OVERRIDE),
]  # fmt: skip

# --- API ------------------------------------------------------------------------------------
# The list answers every logged-in account; what is in it is scoped (empty for non-departments).
CASES += [
    _api("api_risk_list", LOGGED_IN),
    _api("api_risk_detail", SEEING_A, target="risk_score_a"),
    _api("api_risk_detail", SEEING_B, target="risk_score_b"),
    _api("api_risk_band_override", frozenset({"health"}), target="risk_score_a", method="post",
         visible=SEEING_A - {"health"}, data=OVERRIDE),
]  # fmt: skip
