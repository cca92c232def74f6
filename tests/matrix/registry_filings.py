"""The filing pages and API in the permission matrix.

Filings are seen by the institution's own members, the township around it and the health
bureau (``filing.review``); nobody else, not even departments with city-wide sight of
institutions. Among those who see a filing, only the institution's officers write and submit
it and only the health bureau decides it: the others get 403 (``visible``), everyone
outside sight 404.

Targets are made per requesting user inside the test's transaction, so a case that changes a
filing (a decision, a removal) finds it in the same starting state for the next user.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from paperwork import files
from registry.models import Filing, FilingAttachment, Institution
from registry.services.filings import required_attachments
from tests.permission_matrix import INSTITUTIONS, LOGGED_IN, Case

INSTITUTION_A = "demo-simen-xingxing"  # nursery1, in 泗门镇 (simen)
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, in 梨洲街道 (lizhou)
FILING_A_SIGHT = frozenset({"health", "simen", "nursery1"})
FILING_B_SIGHT = frozenset({"health", "lizhou", "nursery2"})
REVIEWERS = frozenset({"health"})
PDF = b"%PDF-1.4\n% permission matrix\n%%EOF\n"


def _institution(code: str) -> Institution:
    return Institution.objects.select_related("organisation").get(organisation__code=code)


def _attach(filing: Filing, kind: str) -> FilingAttachment:
    existing = filing.attachments.filter(kind=kind).first()
    if existing is not None:
        return existing
    stored = files.store(
        SimpleUploadedFile(f"{kind}.pdf", PDF), folder="filings", allowed=(files.PDF,), max_bytes=len(PDF)
    )
    return FilingAttachment.objects.create(
        filing=filing, kind=kind, stored=stored, uploaded_by=User.objects.get(username="health")
    )


def open_filing(code: str, status: str | None = None, complete: bool = False) -> Filing:
    """The institution's open filing (made as a draft if it has none), optionally with every
    required document and the signed commitment, and put into ``status``."""
    institution = _institution(code)
    filing = institution.filings.filter(status__in=Filing.OPEN_STATUSES).first()
    if filing is None:
        filing = Filing.objects.create(institution=institution, kind=Filing.Kind.INITIAL, summary="矩阵")
    if complete:
        for kind in required_attachments(filing):
            _attach(filing, kind)
        filing.attachments.update(uploaded_at=timezone.now())  # newer than any return: ready to resubmit
        Filing.objects.filter(pk=filing.pk).update(commitment_signed_by="矩阵签署人")
    if status:
        now = timezone.now()
        Filing.objects.filter(pk=filing.pk).update(
            status=status, submitted_at=now, due_on=(now + timedelta(days=7)).date()
        )
    return filing


def accepted_filing(code: str) -> Filing:
    institution = _institution(code)
    filing = institution.filings.filter(status=Filing.Status.ACCEPTED).first()
    if filing is None:
        filing = Filing.objects.create(
            institution=institution, kind=Filing.Kind.INITIAL, status=Filing.Status.ACCEPTED,
            number=f"余卫托备〔2026〕M{institution.pk:03d}号", decided_at=timezone.now(),
        )  # fmt: skip
    return filing


TARGETS = {
    "filing_a": lambda username: {"pk": open_filing(INSTITUTION_A).pk},
    "filing_b": lambda username: {"pk": open_filing(INSTITUTION_B).pk},
    "filing_a_complete": lambda username: {"pk": open_filing(INSTITUTION_A, Filing.Status.DRAFT, complete=True).pk},
    "filing_b_complete": lambda username: {"pk": open_filing(INSTITUTION_B, Filing.Status.RETURNED, complete=True).pk},
    "filing_a_submitted": lambda username: {"pk": open_filing(INSTITUTION_A, Filing.Status.SUBMITTED).pk},
    "filing_b_submitted": lambda username: {"pk": open_filing(INSTITUTION_B, Filing.Status.SUBMITTED).pk},
    "filing_a_accepted": lambda username: {"pk": accepted_filing(INSTITUTION_A).pk},
    "filing_b_accepted": lambda username: {"pk": accepted_filing(INSTITUTION_B).pk},
    "attachment_a": lambda username: {"pk": _attach(open_filing(INSTITUTION_A), "premises").pk},
    "attachment_b": lambda username: {"pk": _attach(open_filing(INSTITUTION_B), "premises").pk},
}


def _per_institution(url_name: str, suffix: str, *, api: bool = False, **kwargs) -> list[Case]:
    """The same case on institution A's and on institution B's object (``?`` in the target)."""
    sides = {"a": (FILING_A_SIGHT, ()), "b": (FILING_B_SIGHT, ())}
    for side, (sight, forbidden) in list(sides.items()):
        sides[side] = (kwargs.pop(f"allowed_{side}", sight), kwargs.pop(f"forbidden_{side}", forbidden))
    if api:
        kwargs.setdefault("anonymous", 401)
    return [
        Case(url_name, frozenset(allowed), target=suffix.replace("?", side), visible=frozenset(forbidden), **kwargs)
        for side, (allowed, forbidden) in sides.items()
    ]


def _writer(url_name: str, suffix: str, *, api: bool = False, **kwargs) -> list[Case]:
    """Only the institution's own head acts; the health bureau and the township see, and get 403."""
    return _per_institution(
        url_name, suffix, api=api, allowed_a={"nursery1"}, allowed_b={"nursery2"},
        forbidden_a=FILING_A_SIGHT - {"nursery1"}, forbidden_b=FILING_B_SIGHT - {"nursery2"}, **kwargs,
    )  # fmt: skip


def _reviewer(url_name: str, suffix: str, *, api: bool = False, **kwargs) -> list[Case]:
    """Only the health bureau decides; the institution and the township see, and get 403."""
    return _per_institution(
        url_name, suffix, api=api, allowed_a=REVIEWERS, allowed_b=REVIEWERS,
        forbidden_a=FILING_A_SIGHT - REVIEWERS, forbidden_b=FILING_B_SIGHT - REVIEWERS, **kwargs,
    )  # fmt: skip


CASES = [
    # --- pages -------------------------------------------------------------------------
    # Everyone logged in opens the list; each sees only the filings in their sight (tested
    # in tests/registry/test_filings.py).
    Case("filing_list", LOGGED_IN),
    # Only an institution's own officers start a filing (nursery2's open one makes the
    # service refuse with a message: still a redirect).
    Case("filing_start", INSTITUTIONS, method="post", ok=302, denied=403, data={"kind": "initial"}),
    *_per_institution("filing_detail", "filing_?"),
    *_writer(
        "filing_edit", "filing_?", method="post", ok=302, data={"summary": "矩阵", "commitment_signed_by": "张三"}
    ),
    *_writer("filing_attachment_upload", "filing_?", method="post", ok=302, data={"kind": "premises"}),
    # Withdrawing a proposed change (the service refuses it on a filing that is not a change
    # filing, with a message: still a redirect).
    *_writer("filing_change_withdraw", "filing_?", method="post", ok=302, data={"item": "name"}),
    *_writer("filing_attachment_delete", "attachment_?", method="post", ok=302),
    *_writer("filing_submit", "filing_?_complete", method="post", ok=302),
    *_reviewer("filing_accept", "filing_?_submitted", method="post", ok=302),
    *_reviewer("filing_return", "filing_?_submitted", method="post", ok=302, data={"reason_general": "请补充"}),
    *_reviewer("filing_reject", "filing_?_submitted", method="post", ok=302, data={"note": "不符合设置标准"}),
    *_per_institution("filing_attachment_download", "attachment_?"),
    *_per_institution("filing_receipt", "filing_?_accepted"),
    # A receipt exists only for an accepted filing: 404 for everyone on an open one.
    Case("filing_receipt", frozenset(), target="filing_a"),
    # --- API ---------------------------------------------------------------------------
    Case("api_filing_list", LOGGED_IN, anonymous=401),
    *_per_institution("api_filing_detail", "filing_?", api=True),
    *_writer("api_filing_submit", "filing_?_complete", api=True, method="post"),
    *_reviewer("api_filing_accept", "filing_?_submitted", api=True, method="post"),
    *_reviewer("api_filing_return", "filing_?_submitted", api=True, method="post", data={"reasons.general": "请补充"}),
    *_reviewer("api_filing_reject", "filing_?_submitted", api=True, method="post", data={"note": "不符合设置标准"}),
]
