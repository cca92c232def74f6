"""The supervision panel on the registry's institution page (the ``institution_panel`` hook):
the QR poster for the door, for the institution itself and the health bureau."""

from django.template.loader import render_to_string

from registry.models import Institution
from supervision import rules


def institution_panel(*, actor, institution, request=None) -> str:
    if institution.filing_status != Institution.FilingStatus.FILED or not rules.can_download_poster(actor, institution):
        return ""
    return render_to_string("supervision/institution_panel.html", {"institution": institution}, request=request)
