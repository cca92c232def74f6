"""Demo registry data: about 30 plainly fictional institutions (marked 【演示】) across
townships, in every filing state, so that each demo account finds work in its queue.

Seed data, written directly (the audit triggers still record it); matched on credit codes,
so a second run adds nothing."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import grants
from accounts.models import Organisation, Region, User
from accounts.services import institution_organisation_create
from paperwork import files
from registry.models import (
    ClassGroup,
    FeeSchedule,
    Filing,
    FilingAttachment,
    GuidanceSite,
    Institution,
    PricingGuidance,
    Registration,
    ResidentialArea,
)
from registry.services.institutions import grant_followers
from registry.validators import credit_code_make

LF = Institution.LegalForm
PT = Institution.ProviderType
FS = Filing.Status

# (township code, short name, legal form, provider type, filing state, inclusive)
# filing states: none (registered, not filed), stale (registered long ago, not filed),
# draft, submitted, overdue, returned, accepted, rejected, closed, unregistered
DEMO = [
    ("330281103", "泗门镇小星星托育园", LF.COMPANY, PT.STANDALONE, "none", False),  # nursery1
    ("330281001", "梨洲街道阳光宝贝托育中心", LF.NONPROFIT, PT.STANDALONE, "returned", True),  # nursery2
    ("330281103", "泗门镇童趣家庭托育点", LF.COMPANY, PT.FAMILY_CARE_POINT, "accepted", False),
    ("330281103", "泗门镇中心幼儿园托班", LF.PUBLIC_INSTITUTION, PT.KINDERGARTEN_CLASS, "accepted", True),
    ("330281103", "泗门镇爱心托育中心", LF.NONPROFIT, PT.COMMUNITY_RUN, "submitted", True),
    ("330281001", "梨洲街道启航托育园", LF.COMPANY, PT.STANDALONE, "accepted", False),
    ("330281001", "梨洲街道和美社区托育点", LF.NONPROFIT, PT.COMMUNITY_RUN, "overdue", True),
    ("330281001", "梨洲街道科技园职工托育室", LF.COMPANY, PT.EMPLOYER_RUN, "draft", False),
    ("330281002", "凤山街道贝贝托育园", LF.COMPANY, PT.STANDALONE, "accepted", False),
    ("330281002", "凤山街道第一幼儿园托班", LF.PUBLIC_INSTITUTION, PT.KINDERGARTEN_CLASS, "submitted", True),
    ("330281003", "兰江街道小橡树托育中心", LF.COMPANY, PT.STANDALONE, "rejected", False),
    ("330281003", "兰江街道邻里家庭托育点", LF.COMPANY, PT.FAMILY_CARE_POINT, "stale", False),
    ("330281004", "阳明街道示范托育中心", LF.NONPROFIT, PT.STANDALONE, "accepted", True),
    ("330281004", "阳明街道七彩托育园", LF.COMPANY, PT.STANDALONE, "returned", False),
    ("330281005", "低塘街道童乐托育园", LF.COMPANY, PT.STANDALONE, "draft", False),
    ("330281006", "朗霞街道宝宝屋", LF.NONPROFIT, PT.COMMUNITY_RUN, "submitted", True),
    ("330281100", "临山镇春苗托育园", LF.COMPANY, PT.STANDALONE, "stale", False),
    ("330281100", "临山镇中心幼儿园托班", LF.PUBLIC_INSTITUTION, PT.KINDERGARTEN_CLASS, "accepted", True),
    ("330281101", "黄家埠镇小天使托育点", LF.COMPANY, PT.FAMILY_CARE_POINT, "unregistered", False),
    ("330281102", "小曹娥镇向日葵托育园", LF.COMPANY, PT.STANDALONE, "overdue", False),
    ("330281106", "马渚镇快乐宝贝托育中心", LF.NONPROFIT, PT.STANDALONE, "accepted", True),
    ("330281106", "马渚镇工业园职工托育室", LF.COMPANY, PT.EMPLOYER_RUN, "submitted", False),
    ("330281108", "牟山镇蒲公英托育园", LF.COMPANY, PT.STANDALONE, "closed", False),
    ("330281109", "丈亭镇小树苗托育园", LF.COMPANY, PT.STANDALONE, "draft", False),
    ("330281110", "三七市镇育苗托育中心", LF.NONPROFIT, PT.COMMUNITY_RUN, "returned", True),
    ("330281111", "河姆渡镇星辰托育园", LF.COMPANY, PT.STANDALONE, "rejected", False),
    ("330281112", "大隐镇山花托育点", LF.COMPANY, PT.FAMILY_CARE_POINT, "stale", False),
    ("330281113", "陆埠镇童心托育园", LF.COMPANY, PT.STANDALONE, "accepted", False),
    ("330281114", "梁弄镇红星托育中心", LF.NONPROFIT, PT.COMMUNITY_RUN, "none", True),
    ("330281201", "鹿亭乡乡村托育点", LF.NONPROFIT, PT.COMMUNITY_RUN, "unregistered", True),
    # Registered, waiting for the education bureau's approval before it may file (edu's queue).
    ("330281004", "阳明街道实验幼儿园托班", LF.PUBLIC_INSTITUTION, PT.KINDERGARTEN_CLASS, "none", True),
]
EXISTING_ORGS = {0: "demo-simen-xingxing", 1: "demo-lizhou-yangguang"}
AUTHORITY = {LF.COMPANY: "amr", LF.NONPROFIT: "mca", LF.PUBLIC_INSTITUTION: "editor"}
DEMO_PDF = b"%PDF-1.4\n% demo document of the Yuyao childcare portal\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def demo_pdf(*lines: str) -> bytes:
    """A one-page A4 PDF that a browser's viewer shows, with ``lines`` of ASCII text (the
    built-in Helvetica has no Chinese): the demo's filing documents read in place show a page
    saying what they stand for, not an empty viewer."""
    text = "".join(
        f"BT /F1 {18 if i == 0 else 12} Tf 72 {770 - 28 * i} Td ({line.replace('(', '[').replace(')', ']')}) Tj ET\n"
        for i, line in enumerate(lines)
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def demo_credit_code(index: int, legal_form: str) -> str:
    return credit_code_make(legal_form=legal_form, county_code="330281", body=f"MA2D{index:05d}")


@transaction.atomic
def load_registry_demo() -> int:
    if Institution.objects.filter(name__startswith="【演示】").exists():
        return 0
    health = User.objects.get(username="health")
    today = timezone.localdate()
    villages = {}
    for index, (township_code, short, legal_form, provider_type, state, inclusive) in enumerate(DEMO):
        village = villages.get(township_code) or Region.objects.filter(parent__code=township_code).order_by("code")[0]
        if index == 0:
            village = Region.objects.get(code="330281103001")
        if index == 1:
            village = Region.objects.get(code="330281001001")
        villages.setdefault(township_code, village)
        name = f"【演示】{short}"
        organisation = (
            Organisation.objects.get(code=EXISTING_ORGS[index])
            if index in EXISTING_ORGS
            else institution_organisation_create(actor=None, code=f"demo-{index:02d}", name=name, village=village)
        )
        Organisation.objects.filter(pk=organisation.pk).update(name=name)
        family = provider_type == PT.FAMILY_CARE_POINT
        institution = Institution.objects.create(
            organisation=organisation,
            name=name,
            credit_code=demo_credit_code(index, legal_form),
            legal_form=legal_form,
            provider_type=provider_type,
            inclusive=inclusive,
            demonstration=short == "阳明街道示范托育中心",
            village=village,
            township=village.parent,
            address=f"{village.parent.name}{village.name}演示路{index + 1}号",
            legal_representative="演示法人",
            person_in_charge="演示负责人",
            contact_phone=f"1380000{index:04d}",
            indoor_area=Decimal("60") if family else Decimal(300 + 20 * index),
            outdoor_area=Decimal(60 + index),
            meals_served=not family,
            opened_on=date(2024, 1 + index % 12, 1),
        )
        _class_groups(institution, family, overfull=short in ("泗门镇爱心托育中心", "阳明街道七彩托育园"))
        FeeSchedule.objects.create(
            institution=institution,
            service_mode=FeeSchedule.ServiceMode.FULL_DAY,
            amount=Decimal(2200 if inclusive else 3600 + 100 * (index % 5)),
            meal_fee=Decimal(300),
            effective_from=date(2026, 1, 1),
        )
        if state != "unregistered":
            registered_on = today - timedelta(days=90 if state == "stale" else 10 if state == "none" else 200)
            authority = Organisation.objects.get(code=AUTHORITY[legal_form])
            Registration.objects.create(
                institution=institution,
                authority=authority,
                legal_form=legal_form,
                certificate_number=f"演示登记{index + 1:04d}",
                registered_on=registered_on,
            )
            grants.grant(organisation=authority, perm="accounts.view_organisation", obj=organisation)
        grant_followers(institution)
        _filing(institution, state, index, health, today)
        if provider_type == PT.KINDERGARTEN_CLASS:
            waiting = state == "none"
            approval = Institution.EducationApproval.PENDING if waiting else Institution.EducationApproval.APPROVED
            Institution.objects.filter(pk=institution.pk).update(education_approval=approval)
    _change_filing(health, today)
    _residential_areas()
    _guidance_sites()
    PricingGuidance.objects.get_or_create(
        service_mode=FeeSchedule.ServiceMode.FULL_DAY,
        unit=FeeSchedule.Unit.MONTH,
        defaults={
            "max_amount": Decimal("2500"),
            "effective_from": date(2026, 1, 1),
            "note": "【演示】普惠托育指导价（示例数字）",
        },
    )
    return len(DEMO)


def _class_groups(institution, family: bool, overfull: bool):
    if family:
        ClassGroup.objects.create(
            institution=institution, name="混龄组", age_band="mixed", places=5, enrolled=4, caregivers=2
        )
        return
    ClassGroup.objects.create(
        institution=institution, name="乳儿班", age_band="infant", places=10, enrolled=8, caregivers=3
    )
    ClassGroup.objects.create(
        institution=institution,
        name="托小班",
        age_band="toddler",
        places=15,
        enrolled=17 if overfull else 14,
        caregivers=3,
    )
    ClassGroup.objects.create(
        institution=institution, name="托大班", age_band="older", places=20, enrolled=18, caregivers=3
    )


def _filing(institution, state, index, health, today):
    if state in ("none", "stale", "unregistered"):
        return
    now = timezone.now()
    filing = Filing.objects.create(
        institution=institution, kind=Filing.Kind.INITIAL, summary="【演示】初次备案", commitment_signed_by="演示负责人"
    )
    kinds = [k for k in FilingAttachment.Kind.values if k != "other"]
    if not institution.meals_served:
        kinds.remove("food_licence")
    for kind in kinds if state != "draft" else kinds[:3]:
        pdf = demo_pdf("DEMO - fictional document", f"Kind: {kind}", f"Institution no. {institution.pk}",
                       "Yuyao Childcare Oversight Portal")  # fmt: skip
        scan = files.store(SimpleUploadedFile(f"{kind}.pdf", pdf), folder="filings", allowed=(files.PDF,),
                           max_bytes=len(pdf))  # fmt: skip
        FilingAttachment.objects.create(filing=filing, kind=kind, stored=scan, uploaded_by=health)
    if state == "draft":
        return
    submitted = now - timedelta(days=20 if state == "overdue" else 2 if state == "submitted" else 60)
    due = (submitted + timedelta(days=7)).date()
    values = {"status": FS.SUBMITTED, "submitted_at": submitted, "due_on": due, "submissions": 1}
    institution_values = {"filing_status": Institution.FilingStatus.PENDING}
    if state == "returned":
        values.update(
            status=FS.RETURNED,
            decided_at=submitted + timedelta(days=3),
            decided_by=health,
            return_reasons={
                "fire_safety": "消防验收意见书已过期，请上传有效文件。",
                "general": "请补充托小班保育人员配置说明。",
            },
        )
    elif state == "rejected":
        values.update(
            status=FS.REJECTED,
            decided_at=submitted + timedelta(days=4),
            decided_by=health,
            decision_note="场所位于地下室，不符合托育机构设置标准。",
        )
        institution_values = {"filing_status": Institution.FilingStatus.NOT_FILED}
    elif state in ("accepted", "closed"):
        number = f"余卫托备〔{submitted.year}〕D{index:03d}号"
        values.update(status=FS.ACCEPTED, decided_at=submitted + timedelta(days=3), decided_by=health, number=number)
        institution_values = {
            "filing_status": Institution.FilingStatus.FILED,
            "filing_number": number,
            "status": Institution.Status.OPERATING,
        }
        if state == "closed":
            institution_values.update(
                status=Institution.Status.CLOSED, filing_status=Institution.FilingStatus.CANCELLED
            )
    Filing.objects.filter(pk=filing.pk).update(**values)
    # The papers are those that were submitted (a return asks for new ones uploaded after it).
    filing.attachments.update(uploaded_at=submitted)
    Institution.objects.filter(pk=institution.pk).update(**institution_values)


def _change_filing(health, today):
    """A filed institution proposes one more class and a new person in charge, waiting in the
    health bureau's queue: the registry keeps 45 places until the bureau accepts."""
    institution = Institution.objects.get(name="【演示】梨洲街道启航托育园")
    submitted = timezone.now() - timedelta(days=1)
    filing = Filing.objects.create(
        institution=institution,
        kind=Filing.Kind.CHANGE,
        status=FS.SUBMITTED,
        summary="【演示】新增托大班一个（20个托位），负责人变更。",
        submissions=1,
        submitted_at=submitted,
        due_on=today + timedelta(days=5),
        proposal={
            "fields": {"person_in_charge": "演示新负责人"},
            "classes": {
                "new-1": {"name": "托大班二班", "age_band": "older", "places": 20, "enrolled": 0, "caregivers": 3}
            },
        },  # fmt: skip
    )
    scan = files.store(SimpleUploadedFile("change.pdf", DEMO_PDF), folder="filings", allowed=(files.PDF,),
                       max_bytes=len(DEMO_PDF))  # fmt: skip
    FilingAttachment.objects.create(
        filing=filing, kind=FilingAttachment.Kind.OTHER, stored=scan, uploaded_by=health, uploaded_at=submitted
    )


def _residential_areas():
    for township_code, name, kind, population, planned in [
        ("330281103", "【演示】泗门镇新城花园", "new", 8200, 60),
        ("330281103", "【演示】泗门镇老街片区", "old", 12500, 40),
        ("330281001", "【演示】梨洲街道江景苑", "new", 5600, 55),
        ("330281001", "【演示】梨洲街道老城区", "old", 21000, 90),
        ("330281004", "【演示】阳明街道未来社区", "new", 9800, 70),
    ]:
        village = Region.objects.filter(parent__code=township_code).order_by("code")[0]
        ResidentialArea.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "village": village,
                "township": village.parent,
                "population": population,
                "planned_slots": planned,
                "note": "示例数字",
            },
        )


def _guidance_sites():
    city = Region.objects.get(code="330281")
    centre, _ = GuidanceSite.objects.get_or_create(
        name="余姚市婴幼儿照护服务指导中心",
        level=GuidanceSite.Level.CITY_CENTRE,
        defaults={"region": city, "address": "【演示】市妇幼保健院内"},
    )
    for township_code in ("330281103", "330281001"):
        township = Region.objects.get(code=township_code)
        station, created = GuidanceSite.objects.get_or_create(
            name=f"{township.name}婴幼儿照护服务指导站",
            level=GuidanceSite.Level.TOWNSHIP_STATION,
            defaults={"region": township, "address": f"【演示】{township.name}社区卫生服务中心"},
        )
        villages = list(Region.objects.filter(parent=township).order_by("code")[:3])
        if created:
            station.covered_villages.set(villages)
        for village in villages[:2]:
            point, created = GuidanceSite.objects.get_or_create(
                name=f"{village.name}婴幼儿照护服务指导点",
                level=GuidanceSite.Level.VILLAGE_POINT,
                defaults={"region": village},
            )
            if created:
                point.covered_villages.set([village])
