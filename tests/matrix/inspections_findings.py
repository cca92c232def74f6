"""Checklists, findings, supervision visits and inspection photos in the permission matrix.

Who sees what (accounts.policy rules 16-18): checklists, every member; a finding, the health
bureau, the institution, the township around it, the department that recorded it and every
department holding its area's duty. Who acts: a checklist's area's department edits and
copies it; a department records findings of its own area only (``fire`` on a food form: 403);
the department that recorded a finding adds its photos; a township records supervision
visits in its own territory (another township's institution is out of its sight: 404).

Demo rows used (inspections/demo.py, registry/demo.py): institution A is nursery1's 小星星
in 泗门镇 (simen), B nursery2's 阳光宝贝 in 梨洲街道 (lizhou); ``demo-02`` is 泗门镇童趣家庭托育点,
whose 2026 review is under inspection; ``demo-05`` is 梨洲街道启航托育园, whose review failed
on a fire finding. Findings and photos on A and B are made by the targets (ad-hoc inspections)
inside each test's transaction.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from inspections.models import AnnualReview, ChecklistItem, ChecklistTemplate, Finding, InspectionFile
from inspections.services import findings as services
from registry.models import Institution
from tests.permission_matrix import (
    INSTITUTION_A_SIGHT,
    INSTITUTION_B_SIGHT,
    LOGGED_IN,
    MEMBERS,
    TOWNSHIPS,
    Case,
    _api,
)

INSTITUTION_A = "demo-simen-xingxing"
INSTITUTION_B = "demo-lizhou-yangguang"
REVIEW_IN_SIMEN = "demo-02"  # under inspection, in 泗门镇
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Who sees the review of demo-02: the health bureau, the departments with a check duty other
# than education alone, the township around it.
REVIEW_A_SIGHT = frozenset({"health", "fire", "amr", "simen"})
FIRE_A_SIGHT = frozenset({"health", "fire", "simen", "nursery1"})
FOOD_B_SIGHT = frozenset({"health", "amr", "lizhou", "nursery2"})
VISIT_A_SIGHT = frozenset({"health", "simen", "nursery1"})
FIRE_REVIEW_B_SIGHT = frozenset({"health", "fire", "lizhou"})


class _Lazy(dict):
    """Request data built when the request is sent: it names rows (a review, an institution)
    whose ids exist only once the test database does. The test client reads data through
    ``items()``."""

    def __init__(self, build):
        super().__init__()
        self._build = build

    def __bool__(self):
        return True

    def items(self):
        return self._build().items()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _institution(code: str) -> Institution:
    return Institution.objects.select_related("organisation").get(organisation__code=code)


def _review(code: str) -> AnnualReview:
    return AnnualReview.objects.filter(institution__organisation__code=code).order_by("-cycle__year").first()


def _checklist(area: str) -> ChecklistTemplate:
    return ChecklistTemplate.objects.filter(area=area).order_by("year").first()


def _all_pass(area: str) -> dict:
    codes = ChecklistItem.objects.filter(template=_checklist(area)).values_list("code", flat=True)
    return dict.fromkeys(codes, ("pass", ""))


def _ad_hoc(code: str, area: str, username: str) -> Finding:
    institution = _institution(code)
    finding = Finding.objects.filter(institution=institution, area=area, review=None).first()
    if finding is None:
        finding = services.finding_record(
            actor=_user(username),
            institution=institution,
            area=area,
            inspected_on=timezone.localdate(),
            results=_all_pass(area),
            notes="矩阵",
        )
    return finding


def _visit(code: str, username: str) -> Finding:
    institution = _institution(code)
    visit = Finding.objects.filter(institution=institution, area=Finding.SUPERVISION).first()
    if visit is None:
        visit = services.supervision_visit_record(
            actor=_user(username), institution=institution, visited_on=timezone.localdate(), notes="矩阵督导"
        )
    return visit


def _photo(finding: Finding, username: str) -> InspectionFile:
    photo = finding.photos.first()
    if photo is None:
        upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
        photo = services.finding_photo_add(actor=_user(username), finding=finding, uploaded=upload)
    return photo


def _fire_a() -> Finding:
    return _ad_hoc(INSTITUTION_A, "fire", "fire")


def _food_b() -> Finding:
    return _ad_hoc(INSTITUTION_B, "food_safety", "amr")


TARGETS = {
    "checklist_fire": lambda username: {"pk": _checklist("fire").pk},
    "checklist_health_care": lambda username: {"pk": _checklist("health_care").pk},
    "finding_fire_a": lambda username: {"pk": _fire_a().pk},
    "finding_food_b": lambda username: {"pk": _food_b().pk},
    "visit_a": lambda username: {"pk": _visit(INSTITUTION_A, "simen").pk},
    "finding_fire_review_b": lambda username: {"pk": Finding.objects.get(review=_review("demo-05"), area="fire").pk},
    "photo_fire_a": lambda username: {"pk": _photo(_fire_a(), "fire").pk},
    "photo_food_b": lambda username: {"pk": _photo(_food_b(), "amr").pk},
}


def _results_form(area: str) -> dict:
    return {f"result_{code}": result for code, (result, _note) in _all_pass(area).items()}


def _review_query(code: str, area: str) -> _Lazy:
    return _Lazy(lambda: {"review": _review(code).pk, "area": area})


def _institution_query(code: str, area: str) -> _Lazy:
    return _Lazy(lambda: {"institution": _institution(code).pk, "area": area})


def _review_post(code: str, area: str) -> _Lazy:
    return _Lazy(
        lambda: {
            "review": _review(code).pk,
            "area": area,
            "inspected_on": timezone.localdate().isoformat(),
            **_results_form(area),
        }
    )


def _api_body(target: dict, area: str) -> _Lazy:
    def build():
        body = {key: value() for key, value in target.items()}
        body.update({"area": area, "inspected_on": timezone.localdate().isoformat()})
        body.update({f"results.{code}": result for code, (result, _note) in _all_pass(area).items()})
        return body

    return _Lazy(build)


def _visit_query(code: str) -> _Lazy:
    return _Lazy(lambda: {"institution": _institution(code).pk})


def _visit_post(code: str) -> _Lazy:
    return _Lazy(
        lambda: {
            "institution": _institution(code).pk,
            "visited_on": timezone.localdate().isoformat(),
            "notes": "矩阵督导：晨检记录完整",
        }
    )


CASES = [
    # --- checklists --------------------------------------------------------------------
    Case("checklist_list", LOGGED_IN),
    # Every member sees a checklist; only its area's department edits or copies it.
    Case("checklist_edit", frozenset({"fire"}), target="checklist_fire", visible=MEMBERS - {"fire"}),
    Case("checklist_edit", frozenset({"health"}), target="checklist_health_care", visible=MEMBERS - {"health"}),
    Case(
        "checklist_edit",
        frozenset({"fire"}),
        target="checklist_fire",
        method="post",
        ok=302,
        visible=MEMBERS - {"fire"},
        data={"title": "消防安全检查（矩阵）", "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0"},
    ),
    Case(
        "checklist_copy",
        frozenset({"fire"}),
        target="checklist_fire",
        method="post",
        ok=302,
        visible=MEMBERS - {"fire"},
        data={"year": "2031"},
    ),
    # --- recording findings --------------------------------------------------------------
    # Without a review or an institution the form says what is missing.
    Case("finding_record", LOGGED_IN, ok=400),
    # Those who see the review but do not hold its area's duty get 403 (simen, health, amr
    # on the fire form); those who do not see it, 404.
    Case(
        "finding_record",
        frozenset({"fire"}),
        data=_review_query(REVIEW_IN_SIMEN, "fire"),
        visible=REVIEW_A_SIGHT - {"fire"},
    ),
    Case(
        "finding_record",
        frozenset({"amr"}),
        data=_review_query(REVIEW_IN_SIMEN, "food_safety"),
        visible=REVIEW_A_SIGHT - {"amr"},
    ),
    Case(
        "finding_record",
        frozenset({"fire"}),
        method="post",
        ok=302,
        data=_review_post(REVIEW_IN_SIMEN, "fire"),
        visible=REVIEW_A_SIGHT - {"fire"},
    ),
    # An ad-hoc inspection of an institution: those who see the institution.
    Case(
        "finding_record",
        frozenset({"amr"}),
        data=_institution_query(INSTITUTION_B, "food_safety"),
        visible=INSTITUTION_B_SIGHT - {"amr"},
    ),
    # --- one finding, its photos ---------------------------------------------------------
    Case("finding_list", LOGGED_IN),
    Case("finding_detail", FIRE_A_SIGHT, target="finding_fire_a"),
    Case("finding_detail", FOOD_B_SIGHT, target="finding_food_b"),
    Case("finding_detail", VISIT_A_SIGHT, target="visit_a"),
    Case("finding_detail", FIRE_REVIEW_B_SIGHT, target="finding_fire_review_b"),
    # Only the department that recorded the finding adds photos (a post without a file is
    # refused with a message: still a redirect).
    Case(
        "finding_photo_upload",
        frozenset({"fire"}),
        target="finding_fire_a",
        method="post",
        ok=302,
        visible=FIRE_A_SIGHT - {"fire"},
    ),
    Case(
        "finding_photo_upload",
        frozenset({"amr"}),
        target="finding_food_b",
        method="post",
        ok=302,
        visible=FOOD_B_SIGHT - {"amr"},
    ),
    Case(
        "finding_photo_upload",
        frozenset({"simen"}),
        target="visit_a",
        method="post",
        ok=302,
        visible=VISIT_A_SIGHT - {"simen"},
    ),
    Case("inspection_file_download", FIRE_A_SIGHT, target="photo_fire_a"),
    Case("inspection_file_download", FOOD_B_SIGHT, target="photo_food_b"),
    # --- supervision visits --------------------------------------------------------------
    Case("supervision_visit_create", TOWNSHIPS, denied=403),
    Case(
        "supervision_visit_create",
        frozenset({"simen"}),
        data=_visit_query(INSTITUTION_A),
        visible=INSTITUTION_A_SIGHT - {"simen"},
    ),
    Case(
        "supervision_visit_create",
        frozenset({"lizhou"}),
        data=_visit_query(INSTITUTION_B),
        visible=INSTITUTION_B_SIGHT - {"lizhou"},
    ),
    Case(
        "supervision_visit_create",
        frozenset({"simen"}),
        method="post",
        ok=302,
        data=_visit_post(INSTITUTION_A),
        visible=INSTITUTION_A_SIGHT - {"simen"},
    ),
    # --- API -----------------------------------------------------------------------------
    _api("api_checklist_list", LOGGED_IN),
    _api("api_finding_list", LOGGED_IN),
    _api("api_finding_detail", FIRE_A_SIGHT, target="finding_fire_a"),
    _api("api_finding_detail", FOOD_B_SIGHT, target="finding_food_b"),
    _api(
        "api_finding_record",
        frozenset({"fire"}),
        method="post",
        ok=201,
        data=_api_body({"review": lambda: _review(REVIEW_IN_SIMEN).pk}, "fire"),
        visible=REVIEW_A_SIGHT - {"fire"},
    ),
    _api(
        "api_finding_record",
        frozenset({"amr"}),
        method="post",
        ok=201,
        data=_api_body({"institution": lambda: _institution(INSTITUTION_B).pk}, "food_safety"),
        visible=INSTITUTION_B_SIGHT - {"amr"},
    ),
]
