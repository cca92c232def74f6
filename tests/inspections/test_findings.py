"""Checklists, departmental findings, supervision visits and inspection photos, through the
pages and the API.

The demo's 2026 cycle (inspections/demo.py): 泗门镇童趣家庭托育点 (``demo-02``) and
凤山街道贝贝托育园 (``demo-08``) are under inspection; 梨洲街道启航托育园 (``demo-05``) failed on
a fire finding; 阳明街道示范托育中心 (``demo-12``) passed; 泗门镇中心幼儿园托班 (``demo-03``), a
kindergarten nursery class, still owes its self-report. ``fire`` checks fire safety, ``amr``
food and fees, ``health`` health care, ``edu`` kindergarten nursery classes only; ``simen`` and
``lizhou`` are the officials of 泗门镇 and 梨洲街道; nursery1 heads 小星星 in 泗门镇.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Organisation, User
from inspections.models import (
    AnnualReview,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FindingItem,
    InspectionFile,
    SelfReport,
)
from inspections.services import cycles
from inspections.services import findings as finding_services
from inspections.services.checklists import checklist_for_year
from registry.models import Institution, Parameter
from tests.factories import UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 48
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 48
PDF = b"%PDF-1.4\n% not a photo\n%%EOF\n"
INSTITUTION_A = "demo-simen-xingxing"  # nursery1, 泗门镇
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, 梨洲街道
KINDERGARTEN = "demo-03"  # 【演示】泗门镇中心幼儿园托班


# --- Helpers ------------------------------------------------------------------------------


def institution(code: str) -> Institution:
    return Institution.objects.get(organisation__code=code)


def review_of(code: str) -> AnnualReview:
    return AnnualReview.objects.select_related("cycle").get(institution__organisation__code=code, cycle__year=2026)


def inspecting_review() -> AnnualReview:
    """A demo review under inspection that has no finding yet (泗门镇童趣家庭托育点)."""
    review = review_of("demo-02")
    assert review.status == AnnualReview.Status.INSPECTING and not review.findings.exists()
    return review


def codes(area: str, year: int = 2026) -> list[str]:
    return list(
        ChecklistItem.objects.filter(template__area=area, template__year=year)
        .order_by("order")
        .values_list("code", flat=True)
    )


def form_data(area: str, *, target: dict, fail: dict | None = None, skip=(), **extra) -> dict:
    """The posted finding form: every item meets, except ``fail`` (code → note), ``skip`` left out."""
    data = {**target, "area": area, "inspected_on": timezone.localdate().isoformat(), **extra}
    for code in codes(area):
        if code in skip:
            continue
        data[f"result_{code}"] = "fail" if fail and code in fail else "pass"
        data[f"note_{code}"] = (fail or {}).get(code, "")
    return data


def record_page(client, area: str, **target):
    return client.get(reverse("finding_record"), {**target, "area": area})


def post_record(client, area: str, *, target: dict, follow: bool = False, **kwargs):
    return client.post(reverse("finding_record"), form_data(area, target=target, **kwargs), follow=follow)


def findings_count() -> int:
    return Finding.objects.count()


def member_of(code: str, username: str) -> User:
    """An officer of an organisation that has no demo account (an institution, the police)."""
    return UserFactory(username=username, member_of=code)


def upload(client, finding: Finding, name: str, content: bytes, *, follow: bool = True):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("finding_photo_upload", kwargs={"pk": finding.pk}), {"file": file}, follow=follow)


def ad_hoc(username: str, code: str, area: str) -> Finding:
    return finding_services.finding_record(
        actor=User.objects.get(username=username),
        institution=institution(code),
        area=area,
        inspected_on=timezone.localdate(),
        results=dict.fromkeys(codes(area), ("pass", "")),
    )


# --- Recording findings on the pages -----------------------------------------------------


def test_fire_records_a_fire_finding_on_a_review_under_inspection(client_as):
    review = inspecting_review()
    client = client_as("fire")
    page = record_page(client, "fire", review=review.pk)
    assert page.status_code == 200
    html = page.content.decode()
    for code in codes("fire"):
        assert f'name="result_{code}"' in html and f'name="note_{code}"' in html
    response = post_record(client, "fire", target={"review": review.pk})
    finding = Finding.objects.get(review=review, area="fire")
    assert response.status_code == 302 and response["Location"] == reverse("finding_detail", args=[finding.pk])
    assert finding.passed and finding.department.code == "fire" and finding.inspector.username == "fire"
    assert sorted(finding.items.values_list("item__code", flat=True)) == sorted(codes("fire"))
    assert AuditEvent.objects.filter(event="finding.recorded", object_id=str(finding.pk)).exists()
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and 'data-testid="finding-items"' in detail.content.decode()


def test_a_failing_item_makes_the_finding_failed(en):
    review = inspecting_review()
    client = en("fire")
    response = post_record(client, "fire", target={"review": review.pk}, fail={"F3": "疏散通道堆放杂物"}, follow=True)
    finding = Finding.objects.get(review=review, area="fire")
    assert not finding.passed
    assert finding.items.get(item__code="F3").note == "疏散通道堆放杂物"
    assert "Finding recorded: failed." in messages_of(response)
    assert "疏散通道堆放杂物" in response.content.decode()


def test_every_item_needs_a_result_and_nothing_is_saved_without_one(en):
    review = inspecting_review()
    before = findings_count()
    response = post_record(en("fire"), "fire", target={"review": review.pk}, skip={"F2"})
    assert response.status_code == 400
    assert "Choose a result for this item." in response.content.decode()
    assert response.context["form"].errors.keys() == {"result_F2"}
    assert findings_count() == before


def test_an_unknown_result_or_a_future_date_saves_nothing(en):
    review = inspecting_review()
    before = findings_count()
    data = form_data("fire", target={"review": review.pk})
    data["result_F1"] = "maybe"
    assert en("fire").post(reverse("finding_record"), data).status_code == 400
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = post_record(en("fire"), "fire", target={"review": review.pk}, **{"inspected_on": tomorrow})
    assert response.status_code == 400
    assert "The date of inspection cannot be in the future." in response.content.decode()
    assert findings_count() == before


def test_fire_cannot_open_or_post_the_food_form(client_as):
    review = inspecting_review()
    client = client_as("fire")
    before = findings_count()
    assert record_page(client, "food_safety", review=review.pk).status_code == 403
    assert post_record(client, "food_safety", target={"review": review.pk}).status_code == 403
    assert findings_count() == before


def test_fire_cannot_see_a_food_finding(client_as):
    food = Finding.objects.filter(area="food_safety").first()
    assert client_as("fire").get(reverse("finding_detail", args=[food.pk])).status_code == 404
    assert client_as("fire").get(reverse("api_finding_detail", args=[food.pk])).status_code == 404
    assert client_as("amr").get(reverse("finding_detail", args=[food.pk])).status_code == 200


def test_market_supervision_records_food_and_fees(client_as):
    review = inspecting_review()
    client = client_as("amr")
    for area in ("food_safety", "fees"):
        assert post_record(client, area, target={"review": review.pk}).status_code == 302
    recorded = Finding.objects.filter(review=review)
    assert set(recorded.values_list("area", flat=True)) == {"food_safety", "fees"}
    assert set(recorded.values_list("department__code", flat=True)) == {"amr"}


def test_the_health_bureau_records_health_care(client_as):
    review = inspecting_review()
    assert post_record(client_as("health"), "health_care", target={"review": review.pk}).status_code == 302
    assert Finding.objects.get(review=review, area="health_care").department.code == "health"


def test_education_is_refused_on_an_institution_that_is_not_a_kindergarten_nursery_class(en):
    # Registered by the education bureau as a nursery class, then changed its provider type:
    # education still sees it, and is told why it cannot record.
    target = institution(KINDERGARTEN)
    Institution.objects.filter(pk=target.pk).update(provider_type=Institution.ProviderType.STANDALONE)
    client = en("edu")
    page = record_page(client, "education", institution=target.pk)
    assert page.status_code == 200
    assert "This area does not apply to this kind of institution." in page.content.decode()
    assert 'name="result_E1"' not in page.content.decode()
    before = findings_count()
    response = post_record(client, "education", target={"institution": target.pk})
    assert response.status_code == 400
    assert "This area does not apply to this kind of institution." in response.content.decode()
    assert findings_count() == before
    # An ordinary nursery is not even in the education bureau's sight.
    assert record_page(client, "education", review=inspecting_review().pk).status_code == 404


def test_education_records_on_a_kindergarten_nursery_class_once_its_self_report_is_in(en):
    review = review_of(KINDERGARTEN)
    assert review.institution.provider_type == Institution.ProviderType.KINDERGARTEN_CLASS
    client = en("edu")
    page = record_page(client, "education", review=review.pk)
    assert "Findings are recorded while the review is under inspection" in page.content.decode()
    assert post_record(client, "education", target={"review": review.pk}).status_code == 400
    head = member_of(KINDERGARTEN, "kindergarten_head")
    cycles.self_report_submit(actor=head, report=SelfReport.objects.get(review=review))
    assert post_record(client, "education", target={"review": review.pk}).status_code == 302
    finding = Finding.objects.get(review=review, area="education")
    assert finding.department.code == "edu" and finding.passed


def test_a_decided_review_takes_no_more_findings(en):
    review = review_of("demo-12")
    assert review.status == AnnualReview.Status.DECIDED
    page = record_page(en("fire"), "fire", review=review.pk)
    assert "Findings are recorded while the review is under inspection" in page.content.decode()
    before = list(Finding.objects.filter(review=review).values_list("pk", "passed"))
    assert post_record(en("fire"), "fire", target={"review": review.pk}, fail={"F1": "x"}).status_code == 400
    assert list(Finding.objects.filter(review=review).values_list("pk", "passed")) == before


def test_recording_again_replaces_the_finding_and_keeps_its_photos(en):
    review = inspecting_review()
    client = en("fire")
    post_record(client, "fire", target={"review": review.pk})
    first = Finding.objects.get(review=review, area="fire")
    upload(client, first, "通道.png", PNG)
    page = record_page(client, "fire", review=review.pk)
    assert 'data-testid="replaces"' in page.content.decode()
    assert page.context["form"].initial["result_F3"] == "pass"
    post_record(client, "fire", target={"review": review.pk}, fail={"F3": "复查发现杂物"})
    again = Finding.objects.get(review=review, area="fire")
    assert again.pk == first.pk and not again.passed
    assert again.items.count() == len(codes("fire"))
    assert again.photos.count() == 1
    assert AuditEvent.objects.filter(event="finding.replaced", object_id=str(first.pk)).exists()


def test_an_ad_hoc_inspection_of_an_institution(client_as):
    target = institution(INSTITUTION_B)
    response = post_record(client_as("amr"), "fees", target={"institution": target.pk})
    assert response.status_code == 302
    finding = Finding.objects.get(institution=target, area="fees")
    assert finding.review is None
    # nursery2 sees the finding on its own institution; the other township does not.
    assert client_as("nursery2").get(reverse("finding_detail", args=[finding.pk])).status_code == 200
    assert client_as("simen").get(reverse("finding_detail", args=[finding.pk])).status_code == 404


def test_bad_parameters_answer_with_a_message(en):
    client = en("fire")
    response = client.get(reverse("finding_record"), {"area": "fire"})
    assert response.status_code == 400
    assert "Choose the annual review or the institution to inspect." in response.content.decode()
    assert client.get(reverse("finding_record"), {"review": "x", "area": "fire"}).status_code == 400
    assert client.get(reverse("finding_record"), {"review": inspecting_review().pk, "area": "nope"}).status_code == 400
    assert client.get(reverse("finding_record"), {"review": 999999, "area": "fire"}).status_code == 404


# --- Checklists ---------------------------------------------------------------------------


def checklist(area: str, year: int = 2026) -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(area=area, year=year)


def checklist_post(template, *, change=None, remove=(), new=(), title=None) -> dict:
    """The posted edit form: every item as it is, except ``change`` (code → fields) and
    ``remove`` (codes), then the ``new`` rows."""
    items = list(template.items.order_by("order"))
    rows = []
    for item in items:
        row = {"id": item.pk, "code": item.code, "text": item.text, "severity": item.severity, "order": item.order}
        row.update((change or {}).get(item.code, {}))
        if item.code in remove:
            row["remove"] = "on"
        rows.append(row)
    rows += list(new)
    data = {"title": template.title if title is None else title}
    data.update({"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": str(len(items))})
    for index, row in enumerate(rows):
        data.update({f"items-{index}-{key}": str(value) for key, value in row.items()})
    return data


def test_the_checklist_list_shows_items_with_their_severity_and_edit_links_to_owners(client_as):
    page = client_as("fire").get(reverse("checklist_list"), {"area": "fire", "year": 2026})
    html = page.content.decode()
    assert page.status_code == 200 and "消防验收或消防安全检查合格" in html
    assert reverse("checklist_edit", args=[checklist("fire").pk]) in html
    other = client_as("simen").get(reverse("checklist_list")).content.decode()
    assert "饮食用药安全检查" in other and reverse("checklist_edit", args=[checklist("fire").pk]) not in other
    assert client_as("stranger").get(reverse("checklist_list")).context["page"].paginator.count == 0
    assert client_as("fire").get(reverse("checklist_list"), {"year": "abc"}).context["page"].paginator.count == 0


def test_the_fire_department_edits_its_checklist(en):
    template = checklist("fire")
    client = en("fire")
    assert client.get(reverse("checklist_edit", args=[template.pk])).status_code == 200
    data = checklist_post(
        template,
        title="消防安全检查（2026修订）",
        change={"F4": {"text": "灭火器按规定配置并每月检查", "severity": "veto"}},
        new=[{"code": "F6", "text": "厨房燃气报警装置完好", "severity": "major", "order": ""}],
    )
    response = client.post(reverse("checklist_edit", args=[template.pk]), data, follow=True)
    assert "The checklist was saved." in messages_of(response), response.content.decode()
    template.refresh_from_db()
    assert template.title == "消防安全检查（2026修订）"
    items = {item.code: item for item in template.items.all()}
    assert items["F4"].text == "灭火器按规定配置并每月检查" and items["F4"].severity == "veto"
    assert items["F6"].severity == "major" and items["F6"].order > items["F5"].order
    event = AuditEvent.objects.get(event="checklist.saved", object_id=str(template.pk))
    assert event.after == {"changed": ["F4", "title"], "added": ["F6"], "removed": []}
    # An item no finding used yet can be removed again.
    response = client.post(reverse("checklist_edit", args=[template.pk]), checklist_post(template, remove={"F6"}))
    assert response.status_code == 302
    assert not template.items.filter(code="F6").exists()


def test_a_checklist_is_edited_by_its_own_department_only(client_as):
    food = checklist("food_safety")
    client = client_as("fire")
    assert client.get(reverse("checklist_edit", args=[food.pk])).status_code == 403
    data = checklist_post(food, title="改掉")
    assert client.post(reverse("checklist_edit", args=[food.pk]), data).status_code == 403
    assert client.post(reverse("checklist_copy", args=[food.pk]), {"year": 2027}).status_code == 403
    food.refresh_from_db()
    assert food.title == "饮食用药安全检查" and not ChecklistTemplate.objects.filter(area="food_safety", year=2027)
    assert client_as("stranger").get(reverse("checklist_edit", args=[food.pk])).status_code == 404


def test_items_that_findings_used_stay_and_codes_stay_unique(en):
    template = checklist("fire")  # the demo's findings used every fire item
    client = en("fire")
    before = list(template.items.values_list("code", "text", "severity"))
    response = client.post(reverse("checklist_edit", args=[template.pk]), checklist_post(template, remove={"F1"}))
    assert response.status_code == 400
    assert "F1 are part of recorded findings and cannot be removed" in response.content.decode()
    duplicate = checklist_post(template, new=[{"code": "F2", "text": "重复", "severity": "minor"}])
    response = client.post(reverse("checklist_edit", args=[template.pk]), duplicate)
    assert "Each code may appear once on a checklist: F2" in response.content.decode()
    blank = checklist_post(template, change={"F3": {"text": ""}})
    assert client.post(reverse("checklist_edit", args=[template.pk]), blank).status_code == 400
    assert list(template.items.values_list("code", "text", "severity")) == before


def test_a_tampered_checklist_form_changes_nothing(en):
    template = checklist("fire")
    client = en("fire")
    before = list(template.items.values_list("pk", "code", "text", "severity", "order"))
    assert client.post(reverse("checklist_edit", args=[template.pk]), {"title": "无管理表单"}).status_code == 400
    foreign = checklist("food_safety").items.first()
    data = checklist_post(template, new=[{"id": foreign.pk, "code": "FS9", "text": "别人的项", "severity": "minor"}])
    response = client.post(reverse("checklist_edit", args=[template.pk]), data)
    assert response.status_code == 400 and "These items are not on this checklist" in response.content.decode()
    template.refresh_from_db()
    assert template.title == "消防安全检查"
    assert list(template.items.values_list("pk", "code", "text", "severity", "order")) == before
    foreign.refresh_from_db()
    assert foreign.code != "FS9"


def test_two_items_may_swap_their_codes(client_as):
    template = checklist("security")
    s1, s2 = template.items.get(code="S1"), template.items.get(code="S2")
    police = member_of("police", "police_officer")
    client = client_as(police.username)
    data = checklist_post(template, change={"S1": {"code": "S2"}, "S2": {"code": "S1"}})
    assert client.post(reverse("checklist_edit", args=[template.pk]), data).status_code == 302
    s1.refresh_from_db(), s2.refresh_from_db()
    assert (s1.code, s2.code) == ("S2", "S1")


def test_a_checklist_is_copied_to_a_new_year_once(en):
    template = checklist("fire")
    client = en("fire")
    response = client.post(reverse("checklist_copy", args=[template.pk]), {"year": 2027}, follow=True)
    copy = ChecklistTemplate.objects.get(area="fire", year=2027)
    assert response.redirect_chain[-1][0] == reverse("checklist_edit", args=[copy.pk])
    assert list(copy.items.values_list("code", "text")) == list(template.items.values_list("code", "text"))
    again = client.post(reverse("checklist_copy", args=[template.pk]), {"year": 2027}, follow=True)
    assert any("already exists" in message for message in messages_of(again))
    bad = client.post(reverse("checklist_copy", args=[template.pk]), {"year": "20x7"}, follow=True)
    assert bad.status_code == 200 and ChecklistTemplate.objects.filter(area="fire").count() == 2


def test_a_finding_of_a_later_year_uses_that_year_s_checklist():
    copy = ChecklistTemplate.objects.create(area="fire", year=2027, title="消防安全检查2027")
    ChecklistItem.objects.create(template=copy, code="N1", text="新检查项", severity="major")
    assert checklist_for_year(area="fire", year=2027) == copy
    assert checklist_for_year(area="fire", year=2026) == checklist("fire")
    assert checklist_for_year(area="fire", year=2020) == checklist("fire")  # before the first: the first


# --- Supervision visits -------------------------------------------------------------------


def test_a_township_records_a_supervision_visit_in_its_territory(en):
    target = institution(INSTITUTION_A)
    client = en("simen")
    page = client.get(reverse("supervision_visit_create"), {"institution": target.pk})
    assert page.status_code == 200 and page.context["form"].initial["institution"] == target.pk
    # The picker renders the chosen institution only: the territory is searched as one types.
    assert f'<option value="{target.pk}" selected>{target.name} · 泗门镇</option>' in page.content.decode()
    assert 'data-picker-url="/registry/institutions/choices/"' in page.content.decode()
    data = {"institution": target.pk, "visited_on": timezone.localdate().isoformat(), "notes": "晨检记录完整"}
    response = client.post(reverse("supervision_visit_create"), data, follow=True)
    visit = Finding.objects.get(institution=target, area=Finding.SUPERVISION)
    assert response.redirect_chain[-1][0] == reverse("finding_detail", args=[visit.pk])
    assert visit.department.code == "township-330281103" and visit.review is None
    assert "Local supervision visit" in response.content.decode()
    assert en("lizhou").get(reverse("finding_detail", args=[visit.pk])).status_code == 404
    assert en("nursery1").get(reverse("finding_detail", args=[visit.pk])).status_code == 200


def test_a_township_cannot_visit_another_township_s_institution(client_as):
    target = institution(INSTITUTION_B)  # in 梨洲街道
    client = client_as("simen")
    assert client.get(reverse("supervision_visit_create"), {"institution": target.pk}).status_code == 404
    data = {"institution": target.pk, "visited_on": timezone.localdate().isoformat(), "notes": "越界"}
    assert client.post(reverse("supervision_visit_create"), data).status_code == 404
    assert not Finding.objects.filter(area=Finding.SUPERVISION).exists()
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        finding_services.supervision_visit_record(
            actor=User.objects.get(username="simen"), institution=target, visited_on=timezone.localdate(), notes="x"
        )
    assert "outside your territory" in str(refused.value)


def test_a_visit_needs_its_notes_and_a_department_is_not_a_township(en):
    target = institution(INSTITUTION_A)
    data = {"institution": target.pk, "visited_on": timezone.localdate().isoformat(), "notes": "  "}
    response = en("simen").post(reverse("supervision_visit_create"), data)
    assert response.status_code == 400 and "Write what the visit found." in response.content.decode()
    assert en("health").get(reverse("supervision_visit_create"), {"institution": target.pk}).status_code == 403
    assert not Finding.objects.filter(area=Finding.SUPERVISION).exists()


# --- Photos -------------------------------------------------------------------------------


def test_photos_are_accepted_by_their_content(en):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    client = en("fire")
    response = upload(client, finding, "通道.png", PNG)
    assert "通道.png added." in messages_of(response)
    upload(client, finding, "灭火器.jpg", JPEG)
    photos = {photo.stored.original_name: photo for photo in finding.photos.all()}
    assert photos["通道.png"].stored.content_type == "image/png"
    assert photos["灭火器.jpg"].stored.content_type == "image/jpeg"
    assert "通道.png" not in photos["通道.png"].stored.file.name  # stored under its hash
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert f'src="{reverse("inspection_file_download", args=[photos["通道.png"].pk])}"' in html


def test_a_pdf_renamed_as_a_photo_is_refused(en):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    client = en("fire")
    response = upload(client, finding, "现场.jpg", PDF)
    assert "现场.jpg is not a JPEG or PNG photo by its content; it was not saved." in messages_of(response)
    response = upload(client, finding, "现场.png", JPEG)  # a JPEG named as a PNG
    assert any("is named as another type than its content" in message for message in messages_of(response))
    response = upload(client, finding, "empty.png", b"")
    assert "empty.png is empty." in messages_of(response)
    Parameter.objects.filter(key="upload.max_megabytes").update(value=1)
    response = upload(client, finding, "big.png", PNG + b"\x00" * 1_100_000)
    assert any("files may be at most 1 MB" in message for message in messages_of(response))
    assert not finding.photos.exists()


def test_only_the_finding_s_department_adds_photos(client_as):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    for username in ("health", "simen", "nursery1"):
        assert upload(client_as(username), finding, "x.png", PNG, follow=False).status_code == 403
    assert upload(client_as("lizhou"), finding, "x.png", PNG, follow=False).status_code == 404
    assert upload(client_as("amr"), finding, "x.png", PNG, follow=False).status_code == 404
    assert not finding.photos.exists()


def test_a_photo_is_served_inline_to_those_who_see_its_finding_only(client_as):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    upload(client_as("fire"), finding, "通道.png", PNG)
    photo = finding.photos.get()
    url = reverse("inspection_file_download", args=[photo.pk])
    response = client_as("simen").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG
    for username in ("lizhou", "amr", "nursery2", "stranger"):
        assert client_as(username).get(url).status_code == 404
    assert client_as(None).get(url).status_code == 302


def test_a_missing_stored_file_answers_404(client_as):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    upload(client_as("fire"), finding, "通道.png", PNG)
    photo = finding.photos.get()
    photo.stored.file.storage.delete(photo.stored.file.name)
    assert client_as("fire").get(reverse("inspection_file_download", args=[photo.pk])).status_code == 404


# --- The list -----------------------------------------------------------------------------


def test_the_list_shows_each_viewer_the_findings_in_sight(client_as):
    def listed(username, **query):
        page = client_as(username).get(reverse("finding_list"), query)
        assert page.status_code == 200
        return {finding.pk for finding in page.context["page"].object_list}

    fire_findings = set(Finding.objects.filter(area="fire").values_list("pk", flat=True))
    assert listed("fire") == fire_findings
    assert listed("health") == set(Finding.objects.values_list("pk", flat=True))
    lizhou = set(Finding.objects.filter(institution__township__code="330281001").values_list("pk", flat=True))
    assert lizhou and listed("lizhou") == lizhou
    assert listed("stranger") == set() and listed("leader") == set()
    failed = set(Finding.objects.filter(passed=False).values_list("pk", flat=True))
    assert listed("health", passed="no") == failed
    assert listed("health", area="food_safety") == set(
        Finding.objects.filter(area="food_safety").values_list("pk", flat=True)
    )
    assert listed("health", q="启航") == set(
        Finding.objects.filter(institution__name__contains="启航").values_list("pk", flat=True)
    )
    assert listed("health", area="nonsense") == set()


def test_an_inspector_starts_an_ad_hoc_inspection_from_the_list(client_as):
    page = client_as("amr").get(reverse("finding_list"))
    assert [area for area, _label in page.context["adhoc_areas"]] == ["food_safety", "fees"]
    assert 'data-testid="adhoc"' in page.content.decode()
    # The institution is searched as one types: the page lists none of them.
    assert 'data-picker-url="/registry/institutions/choices/"' in page.content.decode()
    assert "【演示】梨洲街道阳光宝贝托育中心" not in page.content.decode()
    assert 'data-testid="adhoc"' not in client_as("simen").get(reverse("finding_list")).content.decode()


def _add_findings(count: int) -> None:
    """Ad-hoc findings of several areas and departments over the demo institutions."""
    institutions = list(Institution.objects.all())
    departments = {code: Organisation.objects.get(code=code) for code in ("fire", "amr", "health")}
    areas = [("fire", "fire"), ("food_safety", "amr"), ("fees", "amr"), ("health_care", "health")]
    inspector = User.objects.get(username="health")
    created = Finding.objects.bulk_create(
        Finding(
            institution=institutions[index % len(institutions)],
            area=areas[index % len(areas)][0],
            department=departments[areas[index % len(areas)][1]],
            inspector=inspector,
            inspected_on=timezone.localdate(),
            passed=bool(index % 3),
        )
        for index in range(count)
    )
    item = ChecklistItem.objects.filter(template__area="fire").first()
    FindingItem.objects.bulk_create(FindingItem(finding=f, item=item, result="fail") for f in created if not f.passed)


@pytest.mark.parametrize("size", [10, 300])
@pytest.mark.parametrize("username", ["health", "fire", "simen"])
def test_the_finding_list_page_and_api_keep_a_fixed_number_of_queries(
    size, username, client_as, django_assert_max_num_queries
):
    _add_findings(size)
    client = client_as(username)
    with django_assert_max_num_queries(13):  # an inspector also gets the institutions for an ad-hoc inspection
        response = client.get(reverse("finding_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(25, response.context["page"].paginator.count)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("finding_list"), {"area": "fire", "q": "演示", "passed": "no"})
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("api_finding_list")).status_code == 200


@pytest.mark.parametrize("size", [1, 20])
def test_the_checklist_list_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    for year in range(2030, 2030 + size):
        template = ChecklistTemplate.objects.create(area="fees", year=year, title=f"收费{year}")
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, code=f"C{n}", text="检查", order=n) for n in range(5)
        )
    client = client_as("amr")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("checklist_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("api_checklist_list")).status_code == 200


def test_the_finding_page_keeps_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    client = client_as("fire")
    for index in range(4):
        upload(client, finding, f"p{index}.png", PNG)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("finding_detail", args=[finding.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("api_finding_detail", args=[finding.pk])).status_code == 200


# --- API ----------------------------------------------------------------------------------


def test_the_api_records_a_finding_from_json(client_as):
    review = inspecting_review()
    results = dict.fromkeys(codes("fire"), "pass")
    results["F3"] = {"result": "fail", "note": "通道堆物"}
    body = {"review": review.pk, "area": "fire", "inspected_on": timezone.localdate().isoformat(), "results": results}
    response = client_as("fire").post(reverse("api_finding_record"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["passed"] is False and answer["area"] == "fire" and answer["review"] == review.pk
    assert {"code": "F3", "result": "fail", "note": "通道堆物"}.items() <= answer["items"][2].items()
    detail = client_as("fire").get(reverse("api_finding_detail", args=[answer["id"]])).json()
    assert detail["id"] == answer["id"] and len(detail["items"]) == len(codes("fire"))


def test_the_api_refuses_bad_findings_with_a_message_and_saves_nothing(client_as):
    review = inspecting_review()
    client = client_as("fire")
    client.cookies["django_language"] = "en"
    before = findings_count()
    base = {"review": review.pk, "area": "fire", "inspected_on": timezone.localdate().isoformat()}

    def post(body, language="en"):
        return client.post(
            reverse("api_finding_record"), body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
        )

    missing = post({**base, "results": {"F1": "pass"}})
    assert missing.status_code == 400 and "Every item needs a result" in missing.json()["error"]["message"]
    unknown = post({**base, "results": dict.fromkeys(codes("fire"), "maybe")})
    assert unknown.status_code == 400 and "results" in unknown.json()["error"]["fields"]
    assert post({**base, "area": "moon", "results": {}}).status_code == 400
    assert post({"area": "fire", "inspected_on": base["inspected_on"], "results": {}}).status_code == 400
    assert post({**base, "area": "food_safety", "results": {}}).status_code == 403
    edu = client_as("edu").post(
        reverse("api_finding_record"),
        {**base, "area": "education", "results": {}},
        content_type="application/json",
    )
    assert edu.status_code == 404  # not a kindergarten nursery class: out of education's sight
    assert findings_count() == before


def test_the_api_lists_findings_and_checklists(client_as):
    fire_findings = Finding.objects.filter(area="fire").count()
    answer = client_as("fire").get(reverse("api_finding_list")).json()
    assert answer["count"] == fire_findings and {row["area"] for row in answer["results"]} == {"fire"}
    failed = client_as("health").get(reverse("api_finding_list"), {"passed": "false"}).json()
    assert failed["count"] == Finding.objects.filter(passed=False).count()
    assert client_as("health").get(reverse("api_finding_list"), {"passed": "maybe"}).status_code == 400
    checklists = client_as("simen").get(reverse("api_checklist_list"), {"area": "fire"}).json()
    assert checklists["count"] == 1 and checklists["results"][0]["items"][0]["code"] == "F1"
    assert client_as("stranger").get(reverse("api_checklist_list")).json()["count"] == 0


def test_the_api_detail_lists_photos_with_their_download_address(client_as):
    finding = ad_hoc("amr", INSTITUTION_B, "food_safety")
    upload(client_as("amr"), finding, "留样.jpg", JPEG)
    photo = InspectionFile.objects.get(finding=finding)
    answer = client_as("lizhou").get(reverse("api_finding_detail", args=[finding.pk])).json()
    assert answer["photos"][0]["download_url"] == reverse("inspection_file_download", args=[photo.pk])
    assert answer["institution"]["township"] == "梨洲街道"


def test_an_empty_file_field_is_a_message_not_a_crash(client_as):
    finding = ad_hoc("fire", INSTITUTION_A, "fire")
    response = client_as("fire").post(reverse("finding_photo_upload", args=[finding.pk]), {}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    assert not finding.photos.exists()
