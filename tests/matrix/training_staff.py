"""The staff and certificate pages in the permission matrix: rosters, a staff member's record,
adding and changing staff, the reveal of a full ID number, certificates and their scans, the
HR bureau's verification, the kinds of certificate and the certification rate.

Who sees what (accounts.policy rules 23-25 and 30):
- staff and certificates: the institution's own members, the township around it, the health
  bureau (``staff.oversee``) and the HR bureau (``certificate.verify``); nobody else (404).
  Staff A is a caregiver of institution A (nursery1, 泗门镇: simen sees it, lizhou does not),
  staff B of institution B (nursery2, 梨洲街道).
- only the institution's officers add, change, end and withdraw (the rest of the sight: 403);
  only the HR bureau verifies and rejects; only ``staff.reveal`` (health, hrss) reveals a full
  ID number: the one answer the matrix run lets carry full ID numbers (``reveals_to``).
- lists (rosters, the export, the certificate queue, the expiring list, the rate page, the
  kinds) open for everyone logged in and show only what is in sight (tested in
  tests/training/test_staff_pages.py and friends); the duplicate list is the health bureau's.
- kinds of certificate are facts every member sees; only the health bureau changes whether a
  kind counts (operators and the stranger see no kind: 404).

Targets that an action changes are made afresh (or put back) per requesting user, inside the
test's transaction, so that each user finds them in their starting state.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from paperwork import files
from tests.permission_matrix import INSTITUTIONS, LOGGED_IN, MEMBERS, Case
from training.models import Certificate, CertificateKind, StaffMember

INSTITUTION = {"a": "demo-simen-xingxing", "b": "demo-lizhou-yangguang"}
SIGHT = {
    "a": frozenset({"health", "hrss", "simen", "nursery1"}),
    "b": frozenset({"health", "hrss", "lizhou", "nursery2"}),
}
KEEPER = {"a": frozenset({"nursery1"}), "b": frozenset({"nursery2"})}
VERIFIER = {"a": frozenset({"hrss"}), "b": frozenset({"hrss"})}
REVEALERS = frozenset({"health", "hrss"})
REVEALER = {"a": REVEALERS, "b": REVEALERS}
PDF = b"%PDF-1.4\n% permission matrix scan\n%%EOF\n"


def roster_member(side: str) -> StaffMember:
    """A caregiver on the demo roster of institution A or B, active."""
    member = (
        StaffMember.objects.filter(
            institution__organisation__code=INSTITUTION[side], role=StaffMember.Role.CAREGIVER, left_on__isnull=True
        )
        .order_by("pk")
        .first()
    )
    return member


def roster_certificate(side: str) -> Certificate:
    """A pending certificate with a scan of the caregiver of side A or B (made again after a
    withdrawal, put back to pending after a decision)."""
    member = roster_member(side)
    kind = CertificateKind.objects.get(code="infant-development-guide")
    number = f"矩阵证书{side.upper()}"
    certificate = Certificate.objects.filter(kind=kind, number=number).first()
    if certificate is None:
        certificate = Certificate(
            staff=member, kind=kind, level=kind.levels[0], number=number, issuer="矩阵发证机关",
            issued_on=date(2024, 1, 1), scan=files.store(
                SimpleUploadedFile("证书.pdf", PDF), folder="training", allowed=(files.PDF,), max_bytes=len(PDF)
            ),
        )  # fmt: skip
        certificate.save()
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.PENDING, verified_by=None, verified_at=None, verification_note=""
    )
    return certificate


TARGETS = {
    "roster_staff_a": lambda username: {"pk": roster_member("a").pk},
    "roster_staff_b": lambda username: {"pk": roster_member("b").pk},
    "roster_certificate_a": lambda username: {"pk": roster_certificate("a").pk},
    "roster_certificate_b": lambda username: {"pk": roster_certificate("b").pk},
    "roster_kind": lambda username: {"pk": CertificateKind.objects.get(code="infant-carer").pk},
}


def _sides(url_name: str, target: str, allowed: dict | None = None, **kwargs) -> list[Case]:
    """The same case on side A's and side B's object (``?`` in the target): ``allowed`` (by
    default everyone in sight) get ``ok``; the rest of the sight gets 403; everyone else 404."""
    cases = []
    for side in ("a", "b"):
        ok = allowed[side] if allowed else SIGHT[side]
        cases.append(Case(url_name, ok, target=target.replace("?", side), visible=SIGHT[side] - ok, **kwargs))
    return cases


CASES = [
    # --- rosters --------------------------------------------------------------------------
    Case("staff_list", LOGGED_IN),
    Case("staff_export", LOGGED_IN),
    # An institution's officers add to their own roster; an empty form is shown again (200).
    Case("staff_create", INSTITUTIONS, denied=403),
    Case("staff_create", INSTITUTIONS, method="post", denied=403),
    Case("staff_duplicates", frozenset({"health"}), denied=403),
    *_sides("staff_detail", "roster_staff_?"),
    *_sides("staff_edit", "roster_staff_?", KEEPER),
    *_sides("staff_edit", "roster_staff_?", KEEPER, method="post"),
    # Without a date the leaving is refused with a message: still a redirect for the keeper.
    *_sides("staff_leave", "roster_staff_?", KEEPER, method="post", ok=302),
    *_sides(
        "staff_reveal",
        "roster_staff_?",
        REVEALER,
        method="post",
        data={"reason": "核查社保缴纳记录"},
        reveals_to=REVEALERS,
    ),  # fmt: skip
    # Without a reason: the page says why (400) and shows no number.
    *_sides("staff_reveal", "roster_staff_?", REVEALER, method="post", ok=400),
    # --- certificates ---------------------------------------------------------------------
    *_sides("certificate_create", "roster_staff_?", KEEPER),
    *_sides("certificate_create", "roster_staff_?", KEEPER, method="post"),
    *_sides("certificate_scan", "roster_certificate_?"),
    *_sides("certificate_withdraw", "roster_certificate_?", KEEPER, method="post", ok=302),
    *_sides("certificate_verify", "roster_certificate_?", VERIFIER, method="post", ok=302, data={"note": "核验通过"}),
    *_sides("certificate_reject", "roster_certificate_?", VERIFIER, method="post", ok=302, data={"note": "证书模糊"}),
    Case("certificate_queue", LOGGED_IN),
    Case("certificate_expiring", LOGGED_IN),
    Case("certificate_kind_list", LOGGED_IN),
    Case(
        "certificate_kind_update",
        frozenset({"health"}),
        target="roster_kind",
        method="post",
        ok=302,
        data={"counts_for_rate": "1"},
        visible=MEMBERS - {"health"},
    ),  # fmt: skip
    # --- the certification rate ----------------------------------------------------------
    Case("certification_rates", LOGGED_IN),
]
