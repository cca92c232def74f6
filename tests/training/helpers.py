"""Shared helpers of the workforce tests: valid fictional ID numbers, tiny files, a staff row."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import idnumbers
from registry.models import Institution
from tests.factories import StaffMemberFactory
from training.models import StaffMember

PDF = b"%PDF-1.4\n% test scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def id_number(sequence: int, born: date = date(1992, 5, 17)) -> str:
    """A valid ID number, different for each sequence (0-999), never one of the demo's."""
    first17 = f"330281{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + idnumbers.check_character(first17)


def pdf_scan(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def institution(code: str = "demo-simen-xingxing") -> Institution:
    """Institution A (nursery1, 泗门镇) by default; ``demo-lizhou-yangguang`` is nursery2's."""
    return Institution.objects.select_related("organisation", "township").get(organisation__code=code)


def add_staff(
    actor,
    *,
    sequence: int,
    role: str = StaffMember.Role.CAREGIVER,
    institution_code: str = "demo-simen-xingxing",
    **extra,
) -> StaffMember:
    """A staff member of a cast institution added by ``actor`` through the service (so the ban
    check and the audit run); ``sequence`` fixes the ID number, so one person can be added twice."""
    return StaffMemberFactory(
        actor=actor, institution=institution(institution_code), name=f"测试{sequence}", id_number=id_number(sequence),
        role=role, **extra,
    )  # fmt: skip
