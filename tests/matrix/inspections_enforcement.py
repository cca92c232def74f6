"""The enforcement pages and API in the permission matrix: rectification orders, revocation
referrals, cases, the ban list.

Who sees what (accounts.policy rules 19-22):
- an order: the health bureau, the institution, the township around it, the departments
  with findings on the review it follows and those whose area its items name. Order A is an
  ad-hoc order on institution A (nursery1, 泗门镇) after the fire brigade's ad-hoc fire
  finding: it follows no review, and the fire brigade sees and verifies it through its area
  (market supervision, with no finding on it and no fire duty, gets 404); order B follows an
  annual review of institution B (nursery2, 梨洲街道) with a fire finding, so the fire brigade
  sees and verifies it.
- a referral: the health bureau, the authority it is sent to (institution A is a company:
  market supervision; institution B a social organisation: civil affairs), the institution,
  the township.
- a case: holders of ``case.manage`` within their jurisdiction (case A in 泗门镇, case B in
  梨洲街道; the health bureau sees both). The list is 403 to anyone without the duty.
- the ban list: holders of ``banlist.manage`` (here the health bureau); 403 to everyone else.
  The check for staff entry is open to institutions and the keepers of the list.

Targets are made (or put back into their starting state) per requesting user inside the
test's transaction, so that a case that acts on an object finds it unchanged for the next user.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organisation, Region, User
from inspections.models import (
    AnnualReview,
    Finding,
    InspectionFile,
    RectificationOrder,
    ReviewCycle,
    RevocationReferral,
)
from inspections.models import (
    Case as ProviderCase,
)
from paperwork import files
from registry.models import Institution, Registration
from tests.permission_matrix import INSTITUTIONS, LOGGED_IN, Case

INSTITUTION_A = "demo-simen-xingxing"  # nursery1, in 泗门镇 (simen), a company (amr)
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, in 梨洲街道 (lizhou), a social organisation (mca)
TOWNSHIP_A, TOWNSHIP_B = "330281103", "330281001"
ORDER_A_SIGHT = frozenset({"health", "simen", "nursery1", "fire"})
ORDER_B_SIGHT = frozenset({"health", "lizhou", "nursery2", "fire"})
REFERRAL_A_SIGHT = frozenset({"health", "amr", "simen", "nursery1"})
REFERRAL_B_SIGHT = frozenset({"health", "mca", "lizhou", "nursery2"})
CASE_HOLDERS = frozenset({"health", "simen", "lizhou"})
CASE_A_SIGHT = frozenset({"health", "simen"})
CASE_B_SIGHT = frozenset({"health", "lizhou"})
BAN_KEEPERS = frozenset({"health"})
BAN_CHECKERS = BAN_KEEPERS | INSTITUTIONS
BARRED_ID = "330281198001011230"  # the demo's barred person
PDF = b"%PDF-1.4\n% evidence of a rectification\n%%EOF\n"


def _institution(code: str) -> Institution:
    return Institution.objects.get(organisation__code=code)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _review_b() -> AnnualReview:
    """An annual review of institution B in the demo's current cycle, failed on fire safety."""
    institution = _institution(INSTITUTION_B)
    cycle = ReviewCycle.objects.order_by("-year").first()
    review, _created = AnnualReview.objects.get_or_create(
        cycle=cycle,
        institution=institution,
        defaults={"status": AnnualReview.Status.RECTIFYING, "result": AnnualReview.Result.FAIL},
    )
    Finding.objects.get_or_create(
        review=review,
        area="fire",
        defaults={
            "institution": institution,
            "department": Organisation.objects.get(code="fire"),
            "inspector": _user("fire"),
            "inspected_on": timezone.localdate(),
            "passed": False,
        },
    )
    return review


def _adhoc_fire_finding_a() -> Finding:
    """The fire brigade's failed fire check of institution A outside the annual review."""
    institution = _institution(INSTITUTION_A)
    finding, _created = Finding.objects.get_or_create(
        review=None,
        institution=institution,
        area="fire",
        notes="矩阵：临时检查",
        defaults={
            "department": Organisation.objects.get(code="fire"),
            "inspector": _user("fire"),
            "inspected_on": timezone.localdate(),
            "passed": False,
        },
    )
    return finding


def order(side: str, status: str = RectificationOrder.Status.OPEN, overdue: bool = False) -> RectificationOrder:
    """Order A (ad hoc, after the fire brigade's ad-hoc finding on institution A) or order B
    (after institution B's failed review), put into ``status`` (``overdue``: past its deadline)."""
    number = f"矩阵整改-{side.upper()}"
    existing = RectificationOrder.objects.filter(number=number).first()
    if existing is None:
        institution = _institution(INSTITUTION_A if side == "a" else INSTITUTION_B)
        if side == "a":
            _adhoc_fire_finding_a()
        existing = RectificationOrder.objects.create(
            number=number,
            institution=institution,
            review=_review_b() if side == "b" else None,
            items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
            deadline=timezone.localdate() + timedelta(days=20),
            issued_by=_user("health"),
        )
    answered = status != RectificationOrder.Status.OPEN
    RectificationOrder.objects.filter(pk=existing.pk).update(
        status=status,
        response="已清理" if answered else "",
        responded_at=timezone.now() if answered else None,
        verified_by=None,
        verified_at=None,
        verification_note="",
        deadline=timezone.localdate() + timedelta(days=-1 if overdue else 20),
        closed_by=None,
        closed_at=None,
        closing_note="",
    )
    return existing


def evidence(side: str) -> InspectionFile:
    target = order(side)
    existing = target.evidence.first()
    if existing is not None:
        return existing
    stored = files.store(
        SimpleUploadedFile("整改照片.pdf", PDF), folder="inspections", allowed=(files.PDF,), max_bytes=len(PDF)
    )
    return InspectionFile.objects.create(
        order=target, stored=stored, uploaded_by=_user("nursery1" if side == "a" else "nursery2")
    )


def referral(side: str) -> RevocationReferral:
    """A pending referral of institution A (to market supervision) or B (to civil affairs)."""
    institution = _institution(INSTITUTION_A if side == "a" else INSTITUTION_B)
    existing = RevocationReferral.objects.filter(institution=institution).order_by("-pk").first()
    if existing is None:
        registration = Registration.objects.get(institution=institution, status=Registration.Status.ACTIVE)
        existing = RevocationReferral.objects.create(
            institution=institution,
            registration=registration,
            authority=registration.authority,
            raised_by=_user("health"),
        )
    RevocationReferral.objects.filter(pk=existing.pk).update(
        status=RevocationReferral.Status.PENDING, decided_by=None, decided_at=None, decision_note=""
    )
    return existing


def provider_case(side: str) -> ProviderCase:
    """An open case in 泗门镇 (A, recorded by its government) or 梨洲街道 (B)."""
    code = TOWNSHIP_A if side == "a" else TOWNSHIP_B
    name = f"【矩阵】无证托育点{side.upper()}"
    existing = ProviderCase.objects.filter(provider_name=name).first()
    if existing is None:
        existing = ProviderCase.objects.create(
            provider_name=name,
            place="某小区",
            township=Region.objects.get(code=code),
            found="未登记备案",
            found_on=timezone.localdate(),
            recorded_by=Organisation.objects.get(code=f"township-{code}"),
        )
    ProviderCase.objects.filter(pk=existing.pk).update(
        status=ProviderCase.Status.OPEN, order_text="", deadline=None, closing_note="", closed_at=None
    )
    return existing


def decided_case(side: str) -> ProviderCase:
    """Case A or B closed as penalised on a decision with its scan."""
    case = provider_case(side)
    if case.decision_scan is None:
        stored = files.store(
            SimpleUploadedFile("处罚决定书.pdf", PDF), folder="cases", allowed=(files.PDF,), max_bytes=len(PDF)
        )
        ProviderCase.objects.filter(pk=case.pk).update(
            decision_number=f"矩阵罚〔2026〕{side}号",
            decision_date=timezone.localdate(),
            decision_department=Organisation.objects.get(code="amr"),
            decision_scan=stored,
        )
    ProviderCase.objects.filter(pk=case.pk).update(status=ProviderCase.Status.PENALISED, closed_at=timezone.now())
    return case


TARGETS = {
    "order_a": lambda username: {"pk": order("a").pk},
    "order_b": lambda username: {"pk": order("b").pk},
    "order_a_answered": lambda username: {"pk": order("a", RectificationOrder.Status.ANSWERED).pk},
    "order_b_answered": lambda username: {"pk": order("b", RectificationOrder.Status.ANSWERED).pk},
    "order_a_overdue": lambda username: {"pk": order("a", overdue=True).pk},
    "order_b_overdue": lambda username: {"pk": order("b", overdue=True).pk},
    "evidence_a": lambda username: {"pk": evidence("a").pk},
    "evidence_b": lambda username: {"pk": evidence("b").pk},
    "referral_a": lambda username: {"pk": referral("a").pk},
    "referral_b": lambda username: {"pk": referral("b").pk},
    "case_a": lambda username: {"pk": provider_case("a").pk},
    "case_b": lambda username: {"pk": provider_case("b").pk},
    "case_a_decided": lambda username: {"pk": decided_case("a").pk},
    "case_b_decided": lambda username: {"pk": decided_case("b").pk},
}


def _sides(url_name: str, target: str, sight: dict, allowed: dict | None = None, **kwargs) -> list[Case]:
    """The same case on side A's and side B's object (``?`` in the target): ``allowed`` (by
    default everyone in sight) get ``ok``; the rest of the sight gets 403; everyone else 404."""
    if url_name.startswith("api"):
        kwargs.setdefault("anonymous", 401)
    cases = []
    for side in ("a", "b"):
        ok = frozenset(allowed[side]) if allowed else sight[side]
        cases.append(Case(url_name, ok, target=target.replace("?", side), visible=sight[side] - ok, **kwargs))
    return cases


ORDER_SIGHT = {"a": ORDER_A_SIGHT, "b": ORDER_B_SIGHT}
REFERRAL_SIGHT = {"a": REFERRAL_A_SIGHT, "b": REFERRAL_B_SIGHT}
CASE_SIGHT = {"a": CASE_A_SIGHT, "b": CASE_B_SIGHT}
OWN_INSTITUTION = {"a": {"nursery1"}, "b": {"nursery2"}}
# The health bureau verifies every order; the fire brigade those with fire items, ad hoc or not.
VERIFIERS = {"a": {"health", "fire"}, "b": {"health", "fire"}}
AUTHORITY = {"a": {"amr"}, "b": {"mca"}}

CASES = [
    # --- rectification orders ----------------------------------------------------------
    # Everyone logged in opens the list and the export; each sees only the orders in sight
    # (tested in tests/inspections/test_enforcement.py).
    Case("order_list", LOGGED_IN),
    Case("order_export", LOGGED_IN),
    *_sides("order_detail", "order_?", ORDER_SIGHT),
    *_sides(
        "order_answer", "order_?", ORDER_SIGHT, OWN_INSTITUTION, method="post", ok=302, data={"response": "已整改"}
    ),
    # Without a file the form refuses it with a message: still a redirect for the institution.
    *_sides("order_evidence_upload", "order_?", ORDER_SIGHT, OWN_INSTITUTION, method="post", ok=302),
    *_sides("order_evidence_download", "evidence_?", ORDER_SIGHT),
    *_sides(
        "order_verify",
        "order_?_answered",
        ORDER_SIGHT,
        VERIFIERS,
        method="post",
        ok=302,
        data={"result": "rectified", "note": "复查合格"},
    ),  # fmt: skip
    # Only the health bureau closes an overdue order as 整改不合格 (issue 13, point 9).
    *_sides(
        "order_close_unmet",
        "order_?_overdue",
        ORDER_SIGHT,
        {"a": {"health"}, "b": {"health"}},
        method="post",
        ok=302,
        data={"note": "逾期未整改"},
    ),  # fmt: skip
    # Only the health bureau issues ad-hoc orders; an empty form is shown again with its errors.
    Case("order_issue", frozenset({"health"}), denied=403),
    Case("order_issue", frozenset({"health"}), method="post", denied=403),
    # --- revocation referrals ----------------------------------------------------------
    Case("referral_list", LOGGED_IN),
    *_sides("referral_detail", "referral_?", REFERRAL_SIGHT),
    *_sides(
        "referral_decide",
        "referral_?",
        REFERRAL_SIGHT,
        AUTHORITY,
        method="post",
        ok=302,
        data={"decision": "keep", "note": "暂不收回"},
    ),  # fmt: skip
    # --- cases -------------------------------------------------------------------------
    Case("case_list", CASE_HOLDERS, denied=403),
    # The old export link leads to the list's export (``list_export``, in ``lists_supervision``).
    Case("case_export", CASE_HOLDERS, ok=302, denied=403),
    Case("case_create", CASE_HOLDERS, denied=403),
    Case("case_create", CASE_HOLDERS, method="post", denied=403),
    *_sides("case_detail", "case_?", CASE_SIGHT),
    *_sides(
        "case_order",
        "case_?",
        CASE_SIGHT,
        method="post",
        ok=302,
        data={"order_text": "限期办理登记备案", "deadline": "2099-12-31"},
    ),  # fmt: skip
    *_sides("case_close", "case_?", CASE_SIGHT, method="post", ok=302, data={"outcome": "banned", "note": "取缔"}),
    # The scan of a penalty or ban decision: whoever sees the case (issue 13, point 11).
    *_sides("case_decision_download", "case_?_decided", CASE_SIGHT),
    # --- the ban list ------------------------------------------------------------------
    Case("ban_list", BAN_KEEPERS, denied=403),
    Case("ban_create", BAN_KEEPERS, denied=403),
    Case("ban_create", BAN_KEEPERS, method="post", denied=403),
    Case("ban_check", BAN_CHECKERS, denied=403),
    Case("ban_check", BAN_CHECKERS, method="post", denied=403, data={"id_number": BARRED_ID}),
    # --- API ---------------------------------------------------------------------------
    Case("api_order_list", LOGGED_IN, anonymous=401),
    *_sides("api_order_detail", "order_?", ORDER_SIGHT),
    Case("api_referral_list", LOGGED_IN, anonymous=401),
    Case("api_case_list", CASE_HOLDERS, denied=403, anonymous=401),
    Case("api_ban_check", BAN_CHECKERS, method="post", denied=403, anonymous=401, data={"id_number": BARRED_ID}),
]
