"""The supervision panels on the institution page are markup, whatever precedes or follows them
(issue 17, point 8: the risk panel of an institution without a poster read as HTML source)."""

from django.urls import reverse

from registry.models import Institution


def test_the_risk_panel_is_markup_when_no_poster_follows_it(client_as):
    unfiled = Institution.objects.exclude(filing_status=Institution.FilingStatus.FILED).order_by("pk")
    pages = [client_as("health").get(reverse("institution_detail", args=[i.pk])).content.decode() for i in unfiled]
    with_risk = [page for page in pages if "risk-heading" in page]
    assert with_risk, "the demo has an unfiled institution with a risk score"
    for page in with_risk:
        assert 'data-testid="risk-panel"' in page
        assert "&lt;section" not in page
