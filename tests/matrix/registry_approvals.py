"""The education bureau's approval of nursery classes in the permission matrix.

Only ``edu`` (``register.kindergarten_class``) opens the queue and decides; everyone else
logged in gets 403 on the queue. On one class, those who see it (city-wide sight, the
township around it, its registering authority) get 403 and the others 404.
"""

from registry.models import Institution
from tests.permission_matrix import CITY_WIDE_INSTITUTION_SIGHT, LOGGED_IN, Case

# 【演示】泗门镇中心幼儿园托班: a nursery class in 泗门镇 (simen), registered by 编办 (editor).
NURSERY_CLASS = "【演示】泗门镇中心幼儿园托班"


def pending_class(username: str) -> dict:
    institution = Institution.objects.get(name=NURSERY_CLASS)
    Institution.objects.filter(pk=institution.pk).update(education_approval=Institution.EducationApproval.PENDING)
    return {"pk": institution.pk}


TARGETS = {"nursery_class_pending": pending_class}

CASES = [
    Case("nursery_class_queue", frozenset({"edu"}), denied=403, visible=LOGGED_IN - {"edu"}),
    Case(
        "nursery_class_decide",
        frozenset({"edu"}),
        target="nursery_class_pending",
        method="post",
        ok=302,
        data={"decision": "approve"},
        visible=CITY_WIDE_INSTITUTION_SIGHT | {"simen", "editor"},
    ),  # fmt: skip
]
