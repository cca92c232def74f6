"""The case decision notices in the permission matrix (accounts.policy rules 21, 34, 37).

Notice A is a penalty decision on institution A (nursery1, 泗门镇) in a case 泗门镇's
government recorded; notice B the same on institution B (nursery2, 梨洲街道). Only the
institution a decision is about reads its notice (rule 37): everyone else, the case holders
included (they read the case's own page), gets 404; the list is for institutions' members
(403 for the rest). An objection to decision A is seen by the institution, the township around
it (which also answers it, as the office that recorded the case) and the health bureau (rule 34).
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation, Region, User
from inspections.models import Case as ProviderCase
from registry.models import Institution
from supervision.models import Objection
from tests.permission_matrix import INSTITUTIONS, Case

SIDES = {
    "a": ("demo-simen-xingxing", "330281103"),
    "b": ("demo-lizhou-yangguang", "330281001"),
}


def notice(side: str) -> ProviderCase:
    """Case A or B: a penalty on the institution, notified, not yet in force."""
    organisation, township = SIDES[side]
    institution = Institution.objects.get(organisation__code=organisation)
    name = f"【矩阵】处罚告知{side.upper()}"
    case = ProviderCase.objects.filter(provider_name=name).first()
    if case is None:
        case = ProviderCase.objects.create(
            provider_name=name, place="某路1号", township=Region.objects.get(code=township),
            institution=institution, found="矩阵：调查记录", found_on=timezone.localdate(),
            recorded_by=Organisation.objects.get(code=f"township-{township}"),
        )  # fmt: skip
    Objection.objects.filter(case=case).delete()
    ProviderCase.objects.filter(pk=case.pk).update(
        status=ProviderCase.Status.PENALISED, closed_at=timezone.now(), closing_note="矩阵：理由",
        decision_number=f"矩阵罚〔2026〕{side}号", decision_date=timezone.localdate(),
        decision_department=Organisation.objects.get(code="amr"), decision_facts="矩阵：事实",
        decision_basis="矩阵：依据", objection_deadline=timezone.localdate() + timedelta(days=7), in_force_at=None,
    )  # fmt: skip
    return case


def case_objection(side: str) -> Objection:
    case = notice(side)
    return Objection.objects.create(
        institution=case.institution, subject=Objection.Subject.CASE, case=case, department=case.recorded_by,
        reasons="矩阵：申辩理由", submitted_by=User.objects.get(username="nursery1" if side == "a" else "nursery2"),
    )  # fmt: skip


TARGETS = {
    "case_notice_a": lambda username: {"pk": notice("a").pk},
    "case_notice_b": lambda username: {"pk": notice("b").pk},
    "case_notice_object_a": lambda username: {"subject": "case", "pk": notice("a").pk},
    "case_notice_object_b": lambda username: {"subject": "case", "pk": notice("b").pk},
    "case_objection_a": lambda username: {"pk": case_objection("a").pk},
    "case_objection_b": lambda username: {"pk": case_objection("b").pk},
}

CASE_OBJECTION_SIGHT = {
    "a": frozenset({"nursery1", "simen", "health"}),
    "b": frozenset({"nursery2", "lizhou", "health"}),
}
ANSWERER = {"a": frozenset({"simen"}), "b": frozenset({"lizhou"})}
PARTY = {"a": frozenset({"nursery1"}), "b": frozenset({"nursery2"})}

CASES = [
    Case("case_decision_list", INSTITUTIONS, denied=403),
    *[Case("case_decision_detail", PARTY[side], target=f"case_notice_{side}") for side in "ab"],
    *[Case("objection_create", PARTY[side], target=f"case_notice_object_{side}") for side in "ab"],
    *[
        Case(
            "objection_create", PARTY[side], target=f"case_notice_object_{side}", method="post", ok=302,
            data={"reasons": "矩阵：申辩"},
        )
        for side in "ab"
    ],
    *[Case("objection_detail", CASE_OBJECTION_SIGHT[side], target=f"case_objection_{side}") for side in "ab"],
    *[
        Case(
            "objection_answer", ANSWERER[side], target=f"case_objection_{side}", method="post", ok=302,
            visible=CASE_OBJECTION_SIGHT[side] - ANSWERER[side], data={"outcome": "upheld", "answer": "维持"},
        )
        for side in "ab"
    ],
]  # fmt: skip
