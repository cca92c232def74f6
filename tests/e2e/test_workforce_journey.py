"""The workforce journey in a real browser, from a new caregiver to a higher certification rate.

nursery1 (head of 【演示】泗门镇小星星托育园) reads the certification rate on its institution
page, adds a caregiver to its staff roster (the ID number is shown masked, never in full),
records her 育婴员 certificate with a PDF scan, and sees the rate with one more caregiver in
the denominator: the certificate awaits verification and does not count yet. The human
resources bureau (hrss) finds it in its verification queue, narrowed to 泗门镇, and verifies
it; the institution page then counts her in the numerator too.

Nothing is set up with the ORM: the demo roster is the starting point, and the starting rate
is read from the page (and checked against the selector). Every step a person takes goes
through the pages; the final state is checked in the database.

Each person has a browser context of their own. Selectors rest on URLs, field names and
data-testid, and the assertions on data (the name, the masked ID number, the certificate
number, the counts); labels and sentences are compared with Django's own Chinese rendering of
them, as in the filing journey, so the test follows the translation catalogue.
"""

import re
from datetime import timedelta

import pytest

pytestmark = pytest.mark.e2e

NAME = "【演示】泗门镇小星星托育园"
SIMEN = "330281103"  # 泗门镇
PERSON = "旅程测试员"
SEQUENCE = 731  # tests.training.helpers.id_number: used by no other test
KIND = "育婴员"
LEVEL = "四级"
CERTIFICATE_NUMBER = "YYY2026000731"
ISSUER = "宁波市人力资源和社会保障局"
MESSAGES = "main > div[role=status]"  # the messages of the page, not a list's count line
RATE_SENTENCE = "%(certified)s of %(total)s caregivers hold a valid certificate"


def _zh(label) -> str:
    """A label (a lazy one, or a message id) as the portal renders it for a zh-CN browser."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(str(label))


def _click(page, locator) -> None:
    """Click a link or a submit button and wait for the page that follows."""
    with page.expect_navigation():
        locator.click()


def _rate_on_page(page, institution_url: str) -> tuple[int, int, str]:
    """Open the institution page and read the workforce panel: (certified, total, data-rate)."""
    from playwright.sync_api import expect

    page.goto(institution_url)
    expect(page.locator("main h1")).to_contain_text(NAME)
    panel = page.locator("#certification-rate")
    expect(panel.locator("strong[data-rate]")).to_have_count(1)
    sentence = re.escape(_zh(RATE_SENTENCE))
    # Named groups: the Chinese sentence puts the total first.
    sentence = sentence.replace(re.escape("%(certified)s"), r"(?P<certified>\d+)")
    sentence = sentence.replace(re.escape("%(total)s"), r"(?P<total>\d+)")
    match = re.search(sentence, panel.inner_text())
    assert match, panel.inner_text()
    figure = panel.locator("strong[data-rate]")
    certified, total = int(match["certified"]), int(match["total"])
    assert (figure.get_attribute("data-certified"), figure.get_attribute("data-total")) == (str(certified), str(total))
    return certified, total, figure.get_attribute("data-rate")


def _percent(certified: int, total: int) -> str:
    """The rate as the panel's data-rate holds it (one decimal)."""
    from training.selectors import Rate

    return str(Rate(certified, total).percent)


def test_a_verified_certificate_raises_the_certification_rate(portal, new_page, log_in, menu_link, artifacts):
    from django.urls import reverse
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.crypto import keyed_hash
    from accounts.idnumbers import masked
    from registry.models import Institution
    from tests.training.helpers import PDF, id_number
    from training import selectors
    from training.models import Certificate, StaffMember

    url = portal.url
    institution = Institution.objects.get(organisation__code="demo-simen-xingxing")
    assert institution.name == NAME
    institution_url = f"{url}{reverse('institution_detail', args=[institution.pk])}"
    class_group = institution.class_groups.order_by("age_band", "name").first()
    assert class_group is not None, "the demo institution has no class group to assign"
    number = id_number(SEQUENCE)
    assert not StaffMember.objects.filter(id_hash=keyed_hash(number)).exists()
    today = timezone.localdate()

    # 1. The institution reads its rate on its institution page.
    nursery = log_in(new_page(), "nursery1")
    certified, total, percent = _rate_on_page(nursery, institution_url)
    start = selectors.institution_rate(institution=institution)
    assert (certified, total) == (start.certified, start.total)
    assert 0 <= certified < total, "the demo roster must leave room for the rate to go up"
    assert percent == _percent(certified, total)
    nursery.screenshot(path=str(artifacts / "workforce-1-rate-before.png"), full_page=True)

    # 2. It adds a caregiver from its staff roster…
    _click(nursery, menu_link(nursery, reverse("staff_list")))
    expect(nursery.locator("main h1")).to_contain_text(NAME)
    _click(nursery, nursery.get_by_test_id("staff-create"))
    expect(nursery).to_have_url(f"{url}{reverse('staff_create')}")
    nursery.fill("#id_name", PERSON)
    nursery.fill("#id_id_number", number)
    nursery.select_option("#id_gender", StaffMember.Gender.FEMALE)
    nursery.select_option("#id_role", StaffMember.Role.CAREGIVER)
    nursery.select_option("#id_education", StaffMember.Education.COLLEGE)
    nursery.select_option("#id_class_group", str(class_group.pk))
    nursery.fill("#id_hired_on", (today - timedelta(days=30)).isoformat())
    nursery.fill("#id_health_certificate_expires", (today + timedelta(days=365)).isoformat())
    nursery.screenshot(path=str(artifacts / "workforce-2-staff-form.png"), full_page=True)
    _click(nursery, nursery.locator("main form button[type=submit]"))
    expect(nursery.get_by_test_id("form-errors")).to_have_count(0)
    match = re.search(r"/training/staff/(\d+)/$", nursery.url)
    assert match, nursery.url
    member = StaffMember.objects.get(pk=int(match.group(1)))
    staff_detail = reverse("staff_detail", args=[member.pk])
    expect(nursery.locator(MESSAGES)).to_contain_text(_zh("%(name)s was added to the staff.") % {"name": PERSON})
    expect(nursery.locator("main h1")).to_contain_text(PERSON)
    expect(nursery.locator("main h1")).to_contain_text(_zh(StaffMember.Role.CAREGIVER.label))

    # …whose ID number is shown masked (first 6, last 4) and nowhere in full.
    shown = f"{number[:6]}{'*' * 8}{number[-4:]}"
    assert shown == masked(number)
    expect(nursery.get_by_test_id("id-number")).to_have_text(shown)
    assert number not in nursery.content()

    # It records her certificate, with a scan.
    _click(nursery, nursery.locator(f"main a[href='{reverse('certificate_create', args=[member.pk])}']"))
    nursery.select_option("#id_kind", label=KIND)
    # Levels are grouped by kind and several kinds have a 四级: take the one under 育婴员.
    level = nursery.locator(f"#id_level optgroup[label='{KIND}'] option[value='{LEVEL}']")
    nursery.select_option("#id_level", element=level.element_handle())
    nursery.fill("#id_number", CERTIFICATE_NUMBER)
    nursery.fill("#id_issuer", ISSUER)
    nursery.fill("#id_issued_on", (today - timedelta(days=400)).isoformat())
    nursery.set_input_files(
        "#id_scan", files=[{"name": "yuyingyuan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    nursery.screenshot(path=str(artifacts / "workforce-3-certificate-form.png"), full_page=True)
    _click(nursery, nursery.locator("main form button[type=submit]"))
    expect(nursery).to_have_url(f"{url}{staff_detail}")
    expect(nursery.locator(MESSAGES)).to_contain_text(CERTIFICATE_NUMBER)
    row = nursery.get_by_test_id("certificates").locator("tbody tr").filter(has_text=CERTIFICATE_NUMBER)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(KIND)
    expect(row).to_contain_text(LEVEL)
    expect(row).to_contain_text(_zh(Certificate.Status.PENDING.label))
    certificate = Certificate.objects.get(staff=member)
    expect(row.locator(f"a[href='{reverse('certificate_scan', args=[certificate.pk])}']")).to_have_count(1)
    assert number not in nursery.content()
    nursery.screenshot(path=str(artifacts / "workforce-4-staff-detail.png"), full_page=True)

    # 3. One more caregiver, and not yet certified: the denominator alone grows.
    assert _rate_on_page(nursery, institution_url) == (certified, total + 1, _percent(certified, total + 1))

    # 4. The human resources bureau verifies it from its queue, narrowed to 泗门镇.
    hrss = log_in(new_page(), "hrss")
    hrss.goto(f"{url}{reverse('certificate_queue')}")
    expect(hrss.get_by_test_id("certificate-queue")).to_be_visible()
    hrss.select_option("#id_township", SIMEN)
    _click(hrss, hrss.locator("form[role=search] button[type=submit]"))
    queued = hrss.get_by_test_id("certificate-queue").locator("tbody tr").filter(has_text=PERSON)
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text(NAME)
    expect(queued).to_contain_text(CERTIFICATE_NUMBER)
    expect(queued).to_contain_text(ISSUER)
    expect(queued.locator(f"a[href='{reverse('certificate_scan', args=[certificate.pk])}']")).to_have_count(1)
    assert number not in hrss.content()
    hrss.screenshot(path=str(artifacts / "workforce-5-certificate-queue.png"), full_page=True)
    _click(hrss, queued.locator(f"form[action='{reverse('certificate_verify', args=[certificate.pk])}'] button"))
    expect(hrss.locator(MESSAGES)).to_contain_text(
        _zh("%(kind)s of %(name)s verified.") % {"kind": KIND, "name": PERSON}
    )
    expect(hrss.get_by_test_id("certificate-queue").locator("tbody tr").filter(has_text=PERSON)).to_have_count(0)

    # 5. Back on the institution page, she counts in the numerator too.
    after = _rate_on_page(nursery, institution_url)
    assert after == (certified + 1, total + 1, _percent(certified + 1, total + 1))
    assert float(after[2]) > float(percent)
    nursery.screenshot(path=str(artifacts / "workforce-6-rate-after.png"), full_page=True)

    # The record: what the pages showed is what the database holds.
    member.refresh_from_db()
    assert (member.name, member.id_number, member.id_hash) == (PERSON, number, keyed_hash(number))
    assert (member.role, member.class_group_id, member.institution_id) == (
        StaffMember.Role.CAREGIVER,
        class_group.pk,
        institution.pk,
    )
    assert member.left_on is None and member.is_active_on(today)
    certificate.refresh_from_db()
    assert (certificate.kind.name, certificate.level, certificate.number, certificate.issuer) == (
        KIND,
        LEVEL,
        CERTIFICATE_NUMBER,
        ISSUER,
    )
    assert certificate.status == Certificate.Status.VERIFIED and certificate.verified_by.code == "hrss"
    with certificate.scan.file.open("rb") as scan:
        assert scan.read() == PDF
    end = selectors.institution_rate(institution=institution)
    assert (end.certified, end.total) == (certified + 1, total + 1)
