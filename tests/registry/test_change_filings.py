"""Change filings (变更备案): once filed, an institution's filed facts reach the registry and the
public page only when the health bureau accepts a change filing.

The hole this closes: nursery1, filed, added a class on its institution page and the public
registry showed the new slots at once, with no review. Here nursery1's institution
(【演示】泗门镇小星星托育园, 45 places in three classes) is first filed by the helper
``filed``; ``health`` reviews; ``simen`` is its township.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Notification
from registry import parameters, selectors, workdays
from registry.models import ClassGroup, Filing, Institution
from registry.services import changes as change_services
from registry.services import institutions as institution_services
from tests.helpers import messages_of, text_of
from tests.registry.test_filings import pdf, upload, url

pytestmark = pytest.mark.django_db

INSTITUTION_A = "demo-simen-xingxing"
NUMBER = "余卫托备〔2026〕T001号"
NEW_CLASS = {"name": "托大班二班", "age_band": "older", "places": 20, "enrolled": 0, "caregivers": 3}


def institution() -> Institution:
    return Institution.objects.get(organisation__code=INSTITUTION_A)


def filed() -> Institution:
    """nursery1's institution, filed with the health bureau (its initial filing accepted)."""
    inst = institution()
    Filing.objects.create(
        institution=inst, kind=Filing.Kind.INITIAL, status=Filing.Status.ACCEPTED, number=NUMBER,
        decided_at=timezone.now(),
    )  # fmt: skip
    Institution.objects.filter(pk=inst.pk).update(
        filing_status=Institution.FilingStatus.FILED, filing_number=NUMBER, status=Institution.Status.OPERATING
    )
    return institution()


def places() -> int:
    return sum(ClassGroup.objects.filter(institution=institution()).values_list("places", flat=True))


def public_slots() -> int:
    return selectors.public_institution_get(institution().pk).slots


def record_data(inst: Institution, **changes) -> dict:
    """The institution's edit form as posted, with ``changes``."""
    values = {
        "name": inst.name, "provider_type": inst.provider_type, "address": inst.address,
        "legal_representative": inst.legal_representative, "person_in_charge": inst.person_in_charge,
        "contact_phone": inst.contact_phone, "indoor_area": inst.indoor_area, "outdoor_area": inst.outdoor_area,
        "opened_on": inst.opened_on.isoformat() if inst.opened_on else "",
    }  # fmt: skip
    for flag in ("full_day", "half_day", "hourly", "temporary", "meals_served", "inclusive"):
        if getattr(inst, flag):
            values[flag] = "on"
    values.update(changes)
    return {name: value for name, value in values.items() if value is not False}


def change_of(inst: Institution) -> Filing:
    return Filing.objects.get(institution=inst, kind=Filing.Kind.CHANGE, status__in=Filing.OPEN_STATUSES)


def proposed_class(client, inst: Institution, **values) -> Filing:
    response = client.post(reverse("class_group_add", args=[inst.pk]), {**NEW_CLASS, **values}, follow=True)
    assert response.status_code == 200, messages_of(response)
    return change_of(inst)


def submitted_change(client, inst: Institution) -> Filing:
    change = proposed_class(client, inst)
    upload(client, change, "other", pdf("增班说明.pdf"))
    response = client.post(url("filing_submit", change.pk), follow=True)
    change.refresh_from_db()
    assert change.status == Filing.Status.SUBMITTED, messages_of(response)
    return change


# --- The hole -----------------------------------------------------------------------------


def test_a_filed_institution_adding_a_class_does_not_change_the_registry_or_the_public_page(en, client_as):
    inst = filed()
    assert places() == 45 and public_slots() == 45
    response = en("nursery1").post(reverse("class_group_add", args=[inst.pk]), NEW_CLASS, follow=True)
    change = change_of(inst)
    assert response.redirect_chain[-1][0] == url("filing_detail", change.pk)
    assert messages_of(response)[0].startswith("The change is proposed in the change filing.")
    assert places() == 45 and public_slots() == 45
    public = text_of(client_as(None).get(reverse("public_institution_detail", args=[inst.pk])))
    assert "托大班二班" not in public
    assert change.kind == Filing.Kind.CHANGE and change.status == Filing.Status.DRAFT
    assert change.proposal["classes"] == {"new-1": NEW_CLASS}


def test_before_filing_an_institution_edits_freely(en):
    inst = institution()
    assert inst.filing_status == Institution.FilingStatus.NOT_FILED
    en("nursery1").post(reverse("class_group_add", args=[inst.pk]), NEW_CLASS, follow=True)
    assert places() == 65 and not Filing.objects.filter(institution=inst, kind=Filing.Kind.CHANGE).exists()
    en("nursery1").post(reverse("institution_edit", args=[inst.pk]), record_data(inst, person_in_charge="王五"))
    assert institution().person_in_charge == "王五"


@pytest.fixture
def in_english():
    with translation.override("en"):
        yield


def test_every_service_that_writes_the_record_refuses_a_filed_fact_of_a_filed_institution(cast, in_english):
    """The pages and any other caller (API, imports) go through these services."""
    inst, actor = filed(), cast["nursery1"]
    group = inst.class_groups.get(name="托小班")
    calls = [
        lambda: institution_services.institution_update(actor=actor, institution=inst, address="新地址1号"),
        lambda: institution_services.class_group_save(actor=actor, institution=inst, **NEW_CLASS),
        lambda: institution_services.class_group_save(actor=actor, institution=inst, group=group, places=30),
        lambda: institution_services.class_group_delete(actor=actor, group=group),
    ]
    for call in calls:
        with pytest.raises(ApplicationError, match="goes through a change filing"):
            call()
    assert places() == 45 and institution().address == inst.address


def test_the_contact_phone_and_enrolment_are_saved_at_once_while_filed_facts_are_proposed(en):
    inst = filed()
    client = en("nursery1")
    client.post(
        reverse("institution_edit", args=[inst.pk]),
        record_data(inst, contact_phone="13900001111", person_in_charge="新负责人", inclusive="on"),
    )
    after = institution()
    assert after.contact_phone == "13900001111"
    assert (after.person_in_charge, after.inclusive) == (inst.person_in_charge, False)
    assert change_of(inst).proposal["fields"] == {"person_in_charge": "新负责人", "inclusive": True}
    group = inst.class_groups.get(name="托小班")
    data = {"name": "托小班", "age_band": "toddler", "places": 18, "enrolled": 12, "caregivers": 4}
    client.post(reverse("class_group_edit", args=[group.pk]), data)
    group.refresh_from_db()
    assert (group.places, group.enrolled, group.caregivers) == (15, 12, 4)
    assert change_of(inst).proposal["classes"] == {str(group.pk): {"places": 18}}
    # Editing the class back to its filed places undoes that proposal.
    client.post(reverse("class_group_edit", args=[group.pk]), {**data, "places": 15})
    assert change_of(inst).proposal["classes"] == {}


def test_the_edit_form_of_a_filed_institution_shows_its_open_proposal(en):
    inst = filed()
    client = en("nursery1")
    client.post(reverse("institution_edit", args=[inst.pk]), record_data(inst, person_in_charge="新负责人"))
    form = client.get(reverse("institution_edit", args=[inst.pk])).context["form"]
    assert form.initial["person_in_charge"] == "新负责人"
    # Setting the registry's value again takes the item out of the proposal.
    client.post(reverse("institution_edit", args=[inst.pk]), record_data(inst))
    assert change_of(inst).proposal["fields"] == {}


def test_a_bad_proposed_value_is_refused_with_the_models_message_and_nothing_is_proposed(en):
    inst = filed()
    response = en("nursery1").post(reverse("class_group_add", args=[inst.pk]), {**NEW_CLASS, "places": 1000})
    assert response.status_code == 400
    assert not Filing.objects.filter(institution=inst, kind=Filing.Kind.CHANGE).exists()


# --- The review ---------------------------------------------------------------------------


def test_the_reviewer_reads_each_change_before_and_after_and_the_standards_of_the_result(en):
    inst = filed()
    client = en("nursery1")
    client.post(reverse("institution_edit", args=[inst.pk]), record_data(inst, person_in_charge="新负责人"))
    group = inst.class_groups.get(name="托小班")
    client.post(reverse("class_group_delete", args=[group.pk]))
    change = proposed_class(client, inst, places=30)  # more than the standard's 20 for one class
    response = en("health").get(url("filing_detail", change.pk))
    rows = [(row.label, row.before, row.after) for row in response.context["change_rows"]]
    assert rows == [
        ("person in charge", "演示负责人", "新负责人"),
        ("Class removed", "托小班 · Toddler class (12–24 months) · 15 places", "—"),
        ("New class", "—", "托大班二班 · Older toddler class (24–36 months) · 30 places"),
    ]
    page = text_of(response)
    assert 'data-testid="change-proposal"' in page
    # The standards are those of the classes the change would make.
    warnings = " ".join(f"{w.subject} {w.message}" for w in response.context["warnings"])
    assert "托大班二班" in warnings and "30 places in one class" in warnings


def test_health_accepts_and_only_then_the_registry_and_the_public_page_change(en, client_as):
    inst = filed()
    nursery, health = en("nursery1"), en("health")
    change = submitted_change(nursery, inst)
    assert change.due_on is not None and change.due_on > timezone.localdate()
    queue = health.get(reverse("filing_list"), {"status": "submitted", "q": "小星星"}).context["page"]
    assert [filing.pk for filing in queue] == [change.pk]
    assert places() == 45 and public_slots() == 45

    response = health.post(url("filing_accept", change.pk), follow=True)
    assert messages_of(response) == [f"Filing accepted. Filing number: {NUMBER}."]
    assert places() == 65 and public_slots() == 65
    public = text_of(client_as(None).get(reverse("public_institution_detail", args=[inst.pk])))
    assert NUMBER in public
    change.refresh_from_db()
    assert change.status == Filing.Status.ACCEPTED and change.number == ""
    assert institution().filing_number == NUMBER  # the change keeps the filing number
    created = change.replaced["classes"]["new-1"]["created"]
    assert ClassGroup.objects.get(pk=created).name == "托大班二班"
    assert AuditEvent.objects.filter(event="institution.changed_by_filing", object_id=str(inst.pk)).exists()
    notice = Notification.objects.filter(recipient__username="nursery1", link=url("filing_detail", change.pk))
    assert notice.filter(title=f"Filing accepted: {inst.name}").exists()
    # The page keeps the history: what the change replaced, and what it made.
    rows = nursery.get(url("filing_detail", change.pk)).context["change_rows"]
    assert [(row.label, row.before, row.after) for row in rows] == [
        ("New class", "—", "托大班二班 · Older toddler class (24–36 months) · 20 places")
    ]


def test_the_receipt_of_a_change_says_change_filing_and_lists_the_changes(client_as, en):
    inst = filed()
    change = submitted_change(en("nursery1"), inst)
    en("health").post(url("filing_accept", change.pk))
    with translation.override("zh-hans"):
        page = text_of(client_as("nursery1").get(url("filing_receipt", change.pk)))
    assert "变更备案回执" in page and "予以备案" not in page
    assert NUMBER in page and "托大班二班" in page


def test_a_returned_change_is_corrected_and_resubmitted_and_the_corrected_proposal_applies(en):
    inst = filed()
    nursery, health = en("nursery1"), en("health")
    change = submitted_change(nursery, inst)
    health.post(url("filing_return", change.pk), {"reason_general": "新班级托位请按场地面积核减为15个。"})
    change.refresh_from_db()
    assert change.status == Filing.Status.RETURNED
    # Correct: withdraw the class as proposed, propose it again with 15 places.
    nursery.post(url("filing_change_withdraw", change.pk), {"item": "class:new-1"})
    proposed_class(nursery, inst, places=15)
    response = nursery.post(url("filing_submit", change.pk), follow=True)
    change.refresh_from_db()
    assert change.status == Filing.Status.SUBMITTED and change.submissions == 2, messages_of(response)
    health.post(url("filing_accept", change.pk))
    assert places() == 60


def test_a_change_filing_runs_on_the_clock_of_every_filing(en):
    """Due in the review's working days from submission, and overdue in the same lists after."""
    inst = filed()
    change = submitted_change(en("nursery1"), inst)
    days = int(parameters.get("filing.review_working_days", 5))
    assert change.due_on == workdays.add_working_days(timezone.localdate(), days)
    Filing.objects.filter(pk=change.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    overdue = en("health").get(reverse("filing_list"), {"overdue": "on"}).context["page"]
    assert change.pk in [filing.pk for filing in overdue]


def test_a_rejected_change_leaves_the_registry_as_filed(en):
    inst = filed()
    change = submitted_change(en("nursery1"), inst)
    en("health").post(url("filing_reject", change.pk), {"note": "场地面积不足以新增班级。"})
    change.refresh_from_db()
    assert change.status == Filing.Status.REJECTED
    assert places() == 45 and institution().filing_status == Institution.FilingStatus.FILED


# --- One change at a time, and what may happen meanwhile ----------------------------------


def test_nothing_more_is_proposed_while_a_change_is_under_review(en):
    inst = filed()
    nursery = en("nursery1")
    change = submitted_change(nursery, inst)
    before = dict(change.proposal)
    response = nursery.post(reverse("class_group_add", args=[inst.pk]), {**NEW_CLASS, "name": "乳儿班二班"})
    assert response.status_code == 400
    assert "under review" in " ".join(str(e) for e in response.context["form"].non_field_errors())
    response = nursery.post(url("filing_change_withdraw", change.pk), {"item": "class:new-1"}, follow=True)
    assert messages_of(response) == ["Only a draft or a returned change filing can be edited."]
    change.refresh_from_db()
    assert change.proposal == before and places() == 45


def test_a_change_waits_while_a_closure_filing_is_open(cast, in_english):
    """One open filing per institution: the closure is decided first."""
    inst = filed()
    Filing.objects.create(institution=inst, kind=Filing.Kind.CLOSURE)
    with pytest.raises(ApplicationError, match="still open"):
        change_services.change_propose(actor=cast["nursery1"], institution=inst, changes={"address": "新地址"})


def test_an_institution_whose_closure_is_filed_files_no_further_change(cast, in_english):
    inst = filed()
    Filing.objects.create(
        institution=inst, kind=Filing.Kind.CLOSURE, status=Filing.Status.ACCEPTED,
        closure_on=timezone.localdate() + timedelta(days=30), placement="转入邻近托育机构",
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="closure is filed"):
        change_services.change_propose(actor=cast["nursery1"], institution=inst, changes={"address": "新地址"})
    assert not Filing.objects.filter(institution=inst, kind=Filing.Kind.CHANGE).exists()


def test_a_change_filing_started_from_the_filing_list_gathers_the_proposals(en):
    inst = filed()
    client = en("nursery1")
    client.post(reverse("filing_start"), {"kind": "change"})
    started = change_of(inst)
    assert proposed_class(client, inst).pk == started.pk
    assert list(Filing.objects.get(pk=started.pk).proposal["classes"]) == ["new-1"]


def test_a_change_of_an_institution_revoked_meanwhile_cannot_be_accepted(en):
    inst = filed()
    change = submitted_change(en("nursery1"), inst)
    Institution.objects.filter(pk=inst.pk).update(status=Institution.Status.REVOKED)
    response = en("health").post(url("filing_accept", change.pk), follow=True)
    assert messages_of(response) == [
        f"{inst.name} is no longer a filed, operating institution (Registration withdrawn): "
        "the change cannot be accepted."
    ]
    change.refresh_from_db()
    assert change.status == Filing.Status.SUBMITTED and places() == 45
    en("health").post(url("filing_reject", change.pk), {"note": "机构已被收回登记。"})
    change.refresh_from_db()
    assert change.status == Filing.Status.REJECTED


def test_a_decision_already_taken_wins_over_a_late_second_one(en):
    inst = filed()
    change = submitted_change(en("nursery1"), inst)
    en("health").post(url("filing_accept", change.pk))
    response = en("health").post(url("filing_accept", change.pk), follow=True)
    assert "no longer waiting for review" in messages_of(response)[0]
    assert places() == 65  # applied once


def test_a_provider_type_change_into_a_nursery_class_is_not_a_change_filing(cast, in_english):
    inst = filed()
    with pytest.raises(ApplicationError, match="education bureau"):
        change_services.change_propose(
            actor=cast["nursery1"], institution=inst, changes={"provider_type": "kindergarten_class"}
        )


def test_proposals_are_the_institutions_own(cast):
    inst = filed()
    for username in ("health", "simen", "nursery2"):
        with pytest.raises(Exception) as refused:
            change_services.change_propose(actor=cast[username], institution=inst, changes={"address": "别处"})
        assert refused.type.__name__ in ("PermissionDenied", "Http404")
    assert not Filing.objects.filter(institution=inst, kind=Filing.Kind.CHANGE).exists()


# --- API, demo and queries ----------------------------------------------------------------


def test_the_api_shows_a_change_before_and_after_and_offers_no_way_to_edit_the_record(client_as, en):
    inst = filed()
    change = submitted_change(en("nursery1"), inst)
    api = client_as("health")
    body = api.get(reverse("api_filing_detail", args=[change.pk])).json()
    assert body["proposed_changes"][0]["after"].startswith("托大班二班")
    nursery_api = client_as("nursery1")
    target = reverse("api_institution_detail", args=[inst.pk])
    for method in (nursery_api.patch, nursery_api.put):
        assert method(target, {"name": "改名"}, content_type="application/json").status_code == 405
    assert institution().name == inst.name


def test_the_demo_has_a_change_filing_waiting_for_the_health_bureau(en):
    page = en("health").get(reverse("filing_list"), {"status": "submitted"}).context["page"]
    changes = [filing for filing in page if filing.kind == Filing.Kind.CHANGE]
    assert [filing.institution.name for filing in changes] == ["【演示】梨洲街道启航托育园"]
    demo = changes[0]
    assert demo.institution.class_groups.count() == 3  # the proposed class is not on the registry yet
    rows = en("health").get(url("filing_detail", demo.pk)).context["change_rows"]
    assert {row.label for row in rows} == {"person in charge", "New class"}


@pytest.mark.parametrize("classes", [1, 12])
def test_the_change_filing_page_reads_in_a_fixed_number_of_queries(en, cast, classes, django_assert_max_num_queries):
    inst = filed()
    for index in range(classes):
        change_services.change_class_propose(
            actor=cast["nursery1"], institution=inst, **{**NEW_CLASS, "name": f"新班{index}", "places": 10}
        )
    change = change_of(inst)
    client = en("health")
    client.get(url("filing_detail", change.pk))  # warm the caches (parameters, session)
    # 21, and the risk panel's score and parameters (supervision) beside the workforce panel.
    with django_assert_max_num_queries(23):
        response = client.get(url("filing_detail", change.pk))
    assert len(response.context["change_rows"]) == classes


def test_the_institution_page_says_a_change_is_open(en):
    inst = filed()
    change = proposed_class(en("nursery1"), inst)
    page = text_of(en("simen").get(reverse("institution_detail", args=[inst.pk])))
    assert 'data-testid="open-change"' in page and url("filing_detail", change.pk) in page
