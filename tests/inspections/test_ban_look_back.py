"""The ban list looks back as well as forward (issue 13, point 12): a person added to the
lifetime ban list is looked up on every active roster, and each institution where they work
is flagged to the health bureau, and only to it, at once; a hire the ban list blocks is told
to the health bureau too (before, only the security log saw it).

The cast (tests/conftest.py): ``health`` keeps the list and oversees the workforce; the
public security bureau keeps the list too (no demo account: the test makes an officer);
``nursery1`` heads institution A.
"""

from datetime import date

import pytest

from accounts.errors import ApplicationError
from accounts.models import Membership, Notification, Organisation, SecurityEvent
from inspections.models import BanEntry
from inspections.services import enforcement
from registry.models import Institution
from tests.factories import StaffMemberFactory, UserFactory, staff_id_number
from training.models import StaffMember
from training.services import staff as staff_services

pytestmark = pytest.mark.django_db

INSTITUTION_A = "demo-simen-xingxing"


def _police_officer():
    return UserFactory(member_of=Organisation.objects.get(code="police"), member_of__role=Membership.Role.OFFICER)


def _recipients_since(last: int) -> dict[str, list[Notification]]:
    sent: dict[str, list[Notification]] = {}
    for notice in Notification.objects.filter(pk__gt=last).select_related("recipient"):
        sent.setdefault(notice.recipient.username, []).append(notice)
    return sent


def _last_notice() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_barring_someone_on_an_active_roster_flags_their_institution_to_the_health_bureau_only(cast):
    institution = Institution.objects.get(organisation__code=INSTITUTION_A)
    member = StaffMemberFactory(institution=institution, actor=cast["nursery1"], id_number=staff_id_number(901))
    # Someone who has left is no one's concern any more.
    left = StaffMemberFactory(institution=institution, actor=cast["nursery1"], id_number=staff_id_number(902))
    StaffMember.objects.filter(pk=left.pk).update(left_on=date(2025, 12, 31))
    last = _last_notice()

    police = _police_officer()
    entry = enforcement.ban_add(
        actor=police, name="测试·赵某", id_number=staff_id_number(901), reason="虐童", decided_on=date(2026, 2, 1)
    )
    sent = _recipients_since(last)
    assert set(sent) == {"health"}  # not the police who added it, not the institution
    (notice,) = sent["health"]
    assert institution.name in notice.title and notice.link == f"/registry/institutions/{institution.pk}/"
    assert entry.id_number_masked in notice.body and staff_id_number(901) not in notice.body
    assert member.pk  # still on the roster: ending the employment is the bureau's follow-up

    last = _last_notice()
    enforcement.ban_add(
        actor=police, name="测试·钱某", id_number=staff_id_number(902), reason="虐童", decided_on=date(2026, 2, 1)
    )
    assert _recipients_since(last) == {}


def test_a_blocked_hire_is_told_to_the_health_bureau_at_once(cast):
    barred = BanEntry.objects.get()  # the demo's barred person
    institution = Institution.objects.get(organisation__code=INSTITUTION_A)
    last = _last_notice()
    with pytest.raises(ApplicationError):
        staff_services.staff_create(
            actor=cast["nursery1"], institution=institution, name="测试·李某", id_number=barred.id_number,
            gender=StaffMember.Gender.FEMALE, role=StaffMember.Role.CAREGIVER,
            education=StaffMember.Education.COLLEGE, hired_on=date(2026, 1, 5),
        )  # fmt: skip
    assert not StaffMember.objects.filter(id_hash=barred.id_hash).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BAN_MATCH, username="nursery1").exists()
    sent = _recipients_since(last)
    assert set(sent) == {"health"}
    (notice,) = sent["health"]
    assert institution.name in notice.title and notice.link == f"/registry/institutions/{institution.pk}/"
    assert barred.id_number_masked in notice.body and barred.id_number not in notice.body
