"""The move into the paperwork kit loses nothing: filing attachments, inspection files and
certificate scans become stored files with the same names, sizes, types, hashes and paths, still
linked to their owners, and both apps' reminder keys land in the one ledger.

The test migrates the database back to the state before the kit, writes rows with the old
models, and migrates forward again, on whichever engine the suite runs (SQLite or PostgreSQL).
It is transactional (migrations cannot run inside the test's transaction): the cast is loaded
first, since an earlier transactional test may have flushed it, and the database is left
migrated to the latest state with its audit triggers.
"""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts import audit
from inspections.models import InspectionFile
from paperwork.models import ReminderSent
from registry.models import FilingAttachment
from tests.conftest import load_cast
from training.models import Certificate

BEFORE = [
    ("registry", "0002_number_sequence"),
    ("inspections", "0003_order_number_sequence"),
    ("training", "0001_initial"),
]
PDF = "application/pdf"


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _file(name: str, path: str, size: int, digest: str, content_type: str = PDF) -> dict:
    return {"file": path, "original_name": name, "content_type": content_type, "size": size, "sha256": digest}


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_files_and_reminders_are_carried_into_the_paperwork_kit():
    load_cast()
    try:
        executor = _migrate([("paperwork", None), *BEFORE])
        old = executor.loader.project_state(BEFORE).apps
        user = old.get_model("accounts", "User").objects.get(username="health")
        filing = old.get_model("registry", "Filing").objects.order_by("pk").first()
        attachment = old.get_model("registry", "FilingAttachment").objects.create(
            filing=filing, kind="premises", uploaded_by=user,
            **_file("场地证明.pdf", "filings/2025/05/ab/" + "ab" * 32, 1234, "ab" * 32),
        )  # fmt: skip
        institution = old.get_model("registry", "Institution").objects.get(pk=filing.institution_id)
        finding = old.get_model("inspections", "Finding").objects.create(
            institution=institution, area="fire", inspector=user, inspected_on=date(2025, 5, 1),
            department=old.get_model("accounts", "Organisation").objects.order_by("pk").first(),
        )  # fmt: skip
        photo = old.get_model("inspections", "InspectionFile").objects.create(
            finding=finding, uploaded_by=user,
            **_file("通道.png", "inspections/2025/05/cd/" + "cd" * 32, 2345, "cd" * 32, "image/png"),
        )  # fmt: skip
        OldCertificate = old.get_model("training", "Certificate")
        staff = old.get_model("training", "StaffMember").objects.order_by("pk").first()
        kind = old.get_model("training", "CertificateKind").objects.order_by("pk").first()
        scanned = OldCertificate.objects.create(
            staff=staff, kind=kind, number="迁移0001", issuer="迁移测试", issued_on=date(2024, 1, 1),
            **_file("证书.pdf", "training/2024/01/ef/" + "ef" * 32, 3456, "ef" * 32),
        )  # fmt: skip
        bare = OldCertificate.objects.create(
            staff=staff, kind=kind, number="迁移0002", issuer="迁移测试", issued_on=date(2024, 1, 1)
        )
        old.get_model("inspections", "ReminderSent").objects.create(key="self-report:999:7d")
        old.get_model("training", "ReminderSent").objects.create(key="cert:999:2026-01-01:soon")
    finally:
        _migrate(_latest())
        audit.install_triggers()

    attachment_now = FilingAttachment.objects.select_related("stored").get(pk=attachment.pk)
    assert (attachment_now.filing_id, attachment_now.kind, attachment_now.uploaded_by_id) == (
        filing.pk, "premises", user.pk,
    )  # fmt: skip
    stored = attachment_now.stored
    assert (stored.original_name, stored.size, stored.content_type, stored.sha256, stored.file.name) == (
        "场地证明.pdf", 1234, PDF, "ab" * 32, "filings/2025/05/ab/" + "ab" * 32,
    )  # fmt: skip
    assert stored.stored_at == attachment.uploaded_at

    photo_now = InspectionFile.objects.select_related("stored").get(pk=photo.pk)
    assert (photo_now.finding_id, photo_now.order_id) == (finding.pk, None)
    stored = photo_now.stored
    assert (stored.original_name, stored.size, stored.content_type, stored.file.name) == (
        "通道.png", 2345, "image/png", "inspections/2025/05/cd/" + "cd" * 32,
    )  # fmt: skip

    scan = Certificate.objects.select_related("scan").get(pk=scanned.pk).scan
    assert (scan.original_name, scan.size, scan.content_type, scan.sha256, scan.file.name) == (
        "证书.pdf", 3456, PDF, "ef" * 32, "training/2024/01/ef/" + "ef" * 32,
    )  # fmt: skip
    assert Certificate.objects.get(pk=bare.pk).scan is None

    # The cast's own files came through too: every attachment and photo has its stored file.
    assert not FilingAttachment.objects.filter(stored__isnull=True).exists()
    assert Certificate.objects.filter(scan__isnull=False).count() >= 2
    assert {"self-report:999:7d", "cert:999:2026-01-01:soon"} <= set(ReminderSent.objects.values_list("key", flat=True))
