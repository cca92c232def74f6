"""Permission matrix of the institution pages, class groups, the export, the public registry
and their API.

Institution A is nursery1's (泗门镇, a company registered by the market regulator), B is
nursery2's (梨洲街道, a non-profit registered by civil affairs). Who sees an institution reads its
record; only its own officers and heads keep it: the others who see it get 403 on the writing
pages, everyone else 404.
"""

from registry.models import ClassGroup, Institution
from tests.permission_matrix import (
    EVERYONE,
    INSTITUTION_A_SIGHT,
    INSTITUTION_B_SIGHT,
    LOGGED_IN,
    Case,
    _api,
)

PUBLIC_URL_NAMES = {
    "public_search": "the public registry: parents search filed institutions without an account",
    "public_institution_detail": "the public registry: the public fields of one filed institution",
    "api_public_institution_list": "the public registry for other sites and apps: public fields only, no login",
}


def _institution(code):
    return lambda username: {"pk": Institution.objects.get(organisation__code=code).pk}


def _new_class_group(code):
    """A fresh class group for each requester (so that a delete by one leaves the next one
    something to try)."""

    def make(username):
        institution = Institution.objects.get(organisation__code=code)
        group = ClassGroup.objects.create(
            institution=institution, name=f"矩阵-{username}", age_band="toddler", places=10, enrolled=5, caregivers=1
        )
        return {"pk": group.pk}

    return make


def _named(name):
    return lambda username: {"pk": Institution.objects.get(name=name).pk}


A = "demo-simen-xingxing"
B = "demo-lizhou-yangguang"
TARGETS = {
    "institution_a_record": _institution(A),
    "institution_b_record": _institution(B),
    "class_group_a": _new_class_group(A),
    "class_group_b": _new_class_group(B),
    "public_filed_institution": _named("【演示】泗门镇童趣家庭托育点"),
    "public_unfiled_institution": _named("【演示】泗门镇小星星托育园"),
}

EDIT_A = {
    "name": "【演示】泗门镇小星星托育园", "provider_type": "standalone", "address": "泗门镇矩阵测试路1号",
    "indoor_area": "300", "outdoor_area": "60", "full_day": "on", "meals_served": "on",
}  # fmt: skip
CLASS = {"name": "矩阵测试班", "age_band": "older", "places": "20", "enrolled": "12", "caregivers": "2"}

A_KEEPER = frozenset({"nursery1"})
B_KEEPER = frozenset({"nursery2"})

CASES = [
    # --- pages -------------------------------------------------------------------------
    Case("institution_list", LOGGED_IN),
    Case("institution_export", LOGGED_IN),
    Case("institution_choices", LOGGED_IN),  # in one's sight only (tests/registry/test_institution_choices.py)
    Case("institution_detail", INSTITUTION_A_SIGHT, target="institution_a_record"),
    Case("institution_detail", INSTITUTION_B_SIGHT, target="institution_b_record"),
    Case("institution_edit", A_KEEPER, target="institution_a_record", visible=INSTITUTION_A_SIGHT),
    Case("institution_edit", B_KEEPER, target="institution_b_record", visible=INSTITUTION_B_SIGHT),
    Case(
        "institution_edit",
        A_KEEPER,
        target="institution_a_record",
        visible=INSTITUTION_A_SIGHT,
        method="post",
        ok=302,
        data=EDIT_A,
    ),  # fmt: skip
    Case(
        "class_group_add",
        A_KEEPER,
        target="institution_a_record",
        visible=INSTITUTION_A_SIGHT,
        method="post",
        ok=302,
        data=CLASS,
    ),  # fmt: skip
    Case(
        "class_group_add",
        B_KEEPER,
        target="institution_b_record",
        visible=INSTITUTION_B_SIGHT,
        method="post",
        ok=302,
        data=CLASS,
    ),  # fmt: skip
    Case("class_group_edit", A_KEEPER, target="class_group_a", visible=INSTITUTION_A_SIGHT),
    Case("class_group_edit", B_KEEPER, target="class_group_b", visible=INSTITUTION_B_SIGHT),
    Case(
        "class_group_edit",
        A_KEEPER,
        target="class_group_a",
        visible=INSTITUTION_A_SIGHT,
        method="post",
        ok=302,
        data=CLASS,
    ),  # fmt: skip
    Case("class_group_delete", A_KEEPER, target="class_group_a", visible=INSTITUTION_A_SIGHT, method="post", ok=302),
    Case("class_group_delete", B_KEEPER, target="class_group_b", visible=INSTITUTION_B_SIGHT, method="post", ok=302),
    # The public registry: everyone, logged in or not; a not-filed institution is 404 for all.
    Case("public_search", EVERYONE, anonymous=200),
    Case("public_institution_detail", EVERYONE, target="public_filed_institution", anonymous=200),
    Case("public_institution_detail", frozenset(), target="public_unfiled_institution", anonymous=404),
    # --- API ---------------------------------------------------------------------------
    _api("api_institution_list", LOGGED_IN),
    _api("api_institution_detail", INSTITUTION_A_SIGHT, target="institution_a_record"),
    _api("api_institution_detail", INSTITUTION_B_SIGHT, target="institution_b_record"),
    _api("api_public_institution_list", EVERYONE, anonymous=200),
]
