"""The objection pages in the permission matrix.

Who sees what (accounts.policy rule 34): an objection is seen by its institution, the
township around it, the department that answers it and the health bureau (``review.lead``).
Objection A contests the fire brigade's failed ad-hoc fire finding on institution A (nursery1,
泗门镇): the fire brigade answers. Objection B contests the failed decision on institution B's
review (nursery2, 梨洲街道): the health bureau answers.

Lodging one: the page opens on a finding or a decision the user sees (else 404); only the
institution itself may object (the rest of the sight gets 403).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, User
from paperwork import files
from supervision.models import Objection
from tests.matrix.inspections_enforcement import _adhoc_fire_finding_a, _review_b
from tests.matrix.inspections_findings import FIRE_A_SIGHT
from tests.matrix.inspections_reviews import REVIEW_B_SIGHT
from tests.permission_matrix import MEMBERS, Case

PDF = b"%PDF-1.4\n% matrix evidence\n%%EOF\n"
OBJECTION_SIGHT = {
    "a": frozenset({"nursery1", "simen", "fire", "health"}),
    "b": frozenset({"nursery2", "lizhou", "health"}),
}
ANSWERER = {"a": frozenset({"fire"}), "b": frozenset({"health"})}


def objection(side: str) -> Objection:
    if side == "a":
        finding = _adhoc_fire_finding_a()
        contested = {"subject": Objection.Subject.FINDING, "finding": finding, "department": finding.department}
        institution, author = finding.institution, "nursery1"
    else:
        review = _review_b()
        contested = {
            "subject": Objection.Subject.DECISION,
            "review": review,
            "department": Organisation.objects.get(code="health"),
        }
        institution, author = review.institution, "nursery2"
    Objection.objects.filter(
        status=Objection.Status.PENDING, **{k: v for k, v in contested.items() if k != "department"}
    ).delete()
    evidence = files.store(
        SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
        folder="supervision", allowed=(files.PDF,), max_bytes=1024 * 1024,
    )  # fmt: skip
    return Objection.objects.create(
        institution=institution, reasons="矩阵：申辩理由", evidence=evidence,
        submitted_by=User.objects.get(username=author), **contested,
    )  # fmt: skip


TARGETS = {
    "objectable_finding_a": lambda username: {"subject": "finding", "pk": _adhoc_fire_finding_a().pk},
    "objectable_decision_b": lambda username: {"subject": "decision", "pk": _review_b().pk},
    "objection_a": lambda username: {"pk": objection("a").pk},
    "objection_b": lambda username: {"pk": objection("b").pk},
}


def _sides(url_name: str, allowed: dict | None = None, **kwargs) -> list[Case]:
    cases = []
    for side in ("a", "b"):
        ok = OBJECTION_SIGHT[side] if allowed is None else allowed[side]
        sight = OBJECTION_SIGHT[side]
        cases.append(Case(url_name, ok, target=f"objection_{side}", visible=sight - ok, **kwargs))
    return cases


CASES = [
    # Every member opens the list and sees there the objections in sight (403 for the rest).
    Case("objection_list", MEMBERS, denied=403),
    Case("objection_create", frozenset({"nursery1"}), target="objectable_finding_a",
         visible=FIRE_A_SIGHT - {"nursery1"}),
    Case("objection_create", frozenset({"nursery2"}), target="objectable_decision_b",
         visible=REVIEW_B_SIGHT - {"nursery2"}),
    *_sides("objection_detail"),
    *_sides("objection_evidence"),
    *_sides("objection_answer", ANSWERER, method="post", ok=302, data={"outcome": "upheld", "answer": "维持"}),
]  # fmt: skip
