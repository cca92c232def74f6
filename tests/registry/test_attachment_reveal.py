"""Staff papers carry personal data: a reviewer opening them is logged as a reveal."""

from accounts.models import SecurityEvent
from registry.models import FilingAttachment


def _staff_papers_of(institution_name: str) -> FilingAttachment:
    return FilingAttachment.objects.get(
        kind=FilingAttachment.Kind.STAFF_QUALIFICATIONS, filing__institution__name=institution_name
    )


def test_the_health_bureau_opening_staff_papers_is_a_logged_reveal(client_as):
    papers = _staff_papers_of("【演示】梨洲街道阳光宝贝托育中心")
    response = client_as("health").get(f"/registry/attachments/{papers.pk}/")
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.REVEAL)
    assert (event.username, event.detail["attachment"]) == ("health", papers.pk)
    assert event.path == f"/registry/attachments/{papers.pk}/"


def test_the_institution_reading_its_own_papers_is_not_a_reveal(client_as):
    papers = _staff_papers_of("【演示】梨洲街道阳光宝贝托育中心")
    assert client_as("nursery2").get(f"/registry/attachments/{papers.pk}/").status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).exists()


def test_other_documents_are_not_reveals(client_as):
    licence = FilingAttachment.objects.filter(
        kind=FilingAttachment.Kind.FIRE_SAFETY, filing__institution__name="【演示】梨洲街道阳光宝贝托育中心"
    ).first()
    assert client_as("health").get(f"/registry/attachments/{licence.pk}/").status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL).exists()
