"""The complaint pages in the permission matrix (policy rule 32, ``supervision/rules.py``).

- Sending and tracking a complaint need no account: everyone, anonymous included, gets 200.
  A tracking code shows its own complaint only (tests/supervision/test_complaints.py).
- The handlers' list: members of an organisation holding a duty some category routes to
  (market supervision, fire, health bureau, townships); 403 to everyone else.
- Complaint A is about fees at a filed institution of 梨洲街道: market supervision alone sees
  and handles it (404 for every other department, the township and the institution).
  Complaint B is about an unregistered provider in 泗门镇: 泗门镇 and the health bureau.
- The contact's reveal: the handling department only.
- The QR poster: the institution's own members and the health bureau; others who see the
  institution get 403, the rest 404.

Each complaint is made afresh per requesting user, so that one user's action leaves the next
an untouched complaint."""

from accounts.models import Region
from registry.models import Institution
from supervision.services.complaints import complaint_submit
from tests.permission_matrix import CITY_WIDE_INSTITUTION_SIGHT, EVERYONE, Case, _api

FILED = "【演示】梨洲街道启航托育园"
POSTER_INSTITUTION = "【演示】泗门镇中心幼儿园托班"
HANDLERS = frozenset({"health", "amr", "fire", "simen", "lizhou"})
COMPLAINT_A_SIGHT = frozenset({"amr"})
COMPLAINT_B_SIGHT = frozenset({"simen", "health"})
POSTER_SIGHT = CITY_WIDE_INSTITUTION_SIGHT | {"simen", "editor", "edu"}

PUBLIC_URL_NAMES = {
    "complaint_new": "a parent complains about a filed institution without an account (limited per address)",
    "complaint_new_unregistered": "anyone reports an unregistered provider without an account",
    "complaint_track": "the complainant follows a complaint with its tracking code only",
}


def _complaint_a(username):
    institution = Institution.objects.get(name=FILED)
    return {"pk": complaint_submit(category="fees", institution=institution, description="矩阵",
                                   contact_phone="13900009999").pk}  # fmt: skip


def _complaint_b(username):
    township = Region.objects.get(code="330281103")
    complaint = complaint_submit(category="unregistered", township=township, provider_name="矩阵看护点",
                                 provider_address="某路", description="矩阵")  # fmt: skip
    return {"pk": complaint.pk}


TARGETS = {
    "complaint_public_institution": lambda username: {"institution_pk": Institution.objects.get(name=FILED).pk},
    "complaint_a": _complaint_a,
    "complaint_b": _complaint_b,
    "poster_institution": lambda username: {"institution_pk": Institution.objects.get(name=POSTER_INSTITUTION).pk},
}

CONCLUDE = {"outcome": "not_substantiated", "findings": "矩阵核查", "reply": "矩阵答复"}

CASES = [
    Case("complaint_new", EVERYONE, target="complaint_public_institution", anonymous=200),
    Case(
        "complaint_new",
        EVERYONE,
        target="complaint_public_institution",
        anonymous=200,
        method="post",
        data={"category": "fees", "description": "矩阵"},
    ),  # fmt: skip
    Case("complaint_new_unregistered", EVERYONE, anonymous=200),
    Case("complaint_track", EVERYONE, anonymous=200),
    Case("complaint_track", EVERYONE, anonymous=200, method="post", data={"code": "2222-3333-4444"}),
    Case("complaint_list", HANDLERS, denied=403),
    Case("complaint_detail", COMPLAINT_A_SIGHT, target="complaint_a"),
    Case("complaint_detail", COMPLAINT_B_SIGHT, target="complaint_b"),
    Case("complaint_acknowledge", COMPLAINT_A_SIGHT, target="complaint_a", method="post", ok=302),
    Case("complaint_acknowledge", COMPLAINT_B_SIGHT, target="complaint_b", method="post", ok=302),
    Case("complaint_conclude", COMPLAINT_A_SIGHT, target="complaint_a", method="post", ok=302, data=CONCLUDE),
    # Without a target organisation the referral is refused as bad input (400), after the access check.
    Case("complaint_refer", COMPLAINT_A_SIGHT, target="complaint_a", method="post", ok=400),
    Case("complaint_contact", COMPLAINT_A_SIGHT, target="complaint_a", method="post"),
    Case("complaint_contact", COMPLAINT_B_SIGHT, target="complaint_b", method="post"),
    # Not substantiated: the order form answers 400 to its handler, the case a message (302).
    Case("complaint_order", COMPLAINT_A_SIGHT, target="complaint_a", method="post", ok=400),
    Case("complaint_case", COMPLAINT_B_SIGHT, target="complaint_b", method="post", ok=302),
    Case("institution_poster", frozenset({"health"}), target="poster_institution", visible=POSTER_SIGHT - {"health"}),
    Case(
        "institution_poster_pdf", frozenset({"health"}), target="poster_institution", visible=POSTER_SIGHT - {"health"}
    ),  # fmt: skip
    # The handlers' API: the same sight; the conclusion by the handler only (bad input 400 after the check).
    _api("api_complaint_list", HANDLERS, denied=403),
    _api("api_complaint_detail", COMPLAINT_A_SIGHT, target="complaint_a"),
    _api("api_complaint_detail", COMPLAINT_B_SIGHT, target="complaint_b"),
    _api("api_complaint_conclude", COMPLAINT_A_SIGHT, target="complaint_a", method="post", data=CONCLUDE),
    _api("api_complaint_conclude", COMPLAINT_B_SIGHT, target="complaint_b", method="post", ok=400),
]
