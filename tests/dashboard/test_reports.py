"""Periodic reports: a township enters its figures, the health bureau approves or returns them;
only approved figures count on the dashboards; an approved report is locked and corrected by a
new version that replaces it once approved; bulk approval; scope and bad input.

The demo (dashboard/demo.py): every township has approved reports from 2021 to last year;
this year 泗门镇's report (``simen``) waits for approval and 梨洲街道's (``lizhou``) was
returned with a reason. ``health`` approves, ``leader`` reads and changes nothing.
"""

import threading
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as account_services
from accounts.demo import DEMO_PASSWORD
from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Membership, Organisation, Region, User
from dashboard.models import PeriodicReport, Snapshot
from dashboard.services import reports as report_services
from dashboard.services import snapshots as snapshot_services
from registry.models import ClassGroup, Institution
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
SIMEN, LIZHOU, CITY = "330281103", "330281001", "330281"
YEAR = timezone.localdate().year


# --- Helpers ------------------------------------------------------------------------------


def url(name: str, pk: int | None = None) -> str:
    return reverse(name, kwargs={"pk": pk} if pk is not None else None)


def current(code: str) -> PeriodicReport:
    return PeriodicReport.objects.get(region__code=code, year=YEAR, corrects=None)


def last_approved(code: str) -> PeriodicReport:
    return PeriodicReport.objects.filter(region__code=code, status="approved").order_by("-year", "-version").first()


def form_data(figures: dict, source: str = "县统计年报", **extra) -> dict:
    return {**{f"figure_{key}": str(value) for key, value in figures.items()}, "source": source, **extra}


def rate(part, whole, scale=100) -> str:
    return str((Decimal(part) * scale / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def snapshot_value(code: str, indicator: str) -> dict:
    return Snapshot.objects.get(region__code=code).values[indicator]


def slots_of(code: str) -> int:
    """Places of the township's operating institutions, counted here independently of the
    indicator code."""
    today = timezone.localdate()
    operating = Institution.objects.filter(township__code=code, status=Institution.Status.OPERATING).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=today)
    )
    return ClassGroup.objects.filter(institution__in=operating).aggregate(n=Sum("places"))["n"] or 0


def snapshot_of(report: PeriodicReport) -> dict:
    """What a report's figures make of the report-based indicators."""
    figures = report.figures
    return {
        "health_management_rate": rate(figures["children_health_managed"], figures["children_under_3"]),
        "parenting_knowledge_rate": rate(figures["parents_knowing"], figures["parents_surveyed"]),
        "children_under_3": str(figures["children_under_3"]),
    }


def report_based(code: str) -> dict:
    return {key: snapshot_value(code, key)["value"] for key in ("health_management_rate", "parenting_knowledge_rate",
                                                                 "children_under_3")}  # fmt: skip


def second_approver() -> User:
    """Another officer of the health bureau."""
    user = User.objects.filter(username="health2").first() or account_services.user_create(
        actor=None, username="health2", real_name="演示·卫健局统计员二", password=DEMO_PASSWORD,
        must_change_password=False,
    )  # fmt: skip
    account_services.membership_set(
        actor=None, user=user, organisation=Organisation.objects.get(code="health"), role=Membership.Role.OFFICER
    )
    return user


NEW_FIGURES = {
    "population": 61234,
    "children_under_3": 1203,
    "children_health_managed": 1000,  # 83.125 % → 83.1
    "parents_surveyed": 240,
    "parents_knowing": 205,  # 85.416 % → 85.4
    "kindergartens": 5,
}


# --- Only approved figures count ----------------------------------------------------------


def test_a_submitted_report_does_not_count_and_once_approved_it_does(en, cast):
    report = current(SIMEN)
    assert report.status == "submitted"
    # The health bureau returns it; 泗门镇 enters known figures and submits them again.
    report_services.report_return(actor=cast["health"], report=report, reason="请按统计年报更正")
    response = en("simen").post(url("report_edit", report.pk), form_data(NEW_FIGURES, submit="1"), follow=True)
    assert messages_of(response) == ["Report saved and submitted to the health bureau for approval."]
    report.refresh_from_db()
    assert report.status == "submitted" and report.figures == NEW_FIGURES

    snapshot_services.snapshots_refresh()
    counting = last_approved(SIMEN)
    assert counting.year == YEAR - 1
    assert report_based(SIMEN) == snapshot_of(counting)
    per_1000 = snapshot_value(SIMEN, "slots_per_1000")
    assert per_1000["denominator"] == str(counting.figures["population"])
    assert per_1000["value"] == rate(slots_of(SIMEN), counting.figures["population"], scale=1000)

    response = en("health").post(url("report_approve", report.pk), follow=True)
    assert messages_of(response) == ["Report approved: its figures count from the next dashboard refresh."]
    snapshot_services.snapshots_refresh()
    assert report_based(SIMEN) == {
        "health_management_rate": "83.1",
        "parenting_knowledge_rate": "85.4",
        "children_under_3": "1203",
    }
    health = snapshot_value(SIMEN, "health_management_rate")
    assert (health["numerator"], health["denominator"]) == ("1000", "1203")
    per_1000 = snapshot_value(SIMEN, "slots_per_1000")
    slots = slots_of(SIMEN)
    assert slots > 0
    assert per_1000 == {"value": rate(slots, 61234, scale=1000), "numerator": str(slots), "denominator": "61234"}


def test_an_approved_report_is_locked_and_offers_a_correction(en):
    report = last_approved(SIMEN)
    before = dict(report.figures)
    simen = en("simen")
    response = simen.get(url("report_edit", report.pk), follow=True)
    assert messages_of(response) == [
        "This report is approved and locked: its figures are changed by a correction, a new version."
    ]
    response = simen.post(url("report_edit", report.pk), form_data({"population": 1}), follow=True)
    assert "approved and locked" in messages_of(response)[0]
    response = simen.post(url("report_submit", report.pk), follow=True)
    assert "approved and locked" in messages_of(response)[0]
    report.refresh_from_db()
    assert report.status == "approved" and report.figures == before
    with pytest.raises(ApplicationError):
        report_services.report_save(actor=User.objects.get(username="simen"), year=report.year,
                                    figures={"population": 1}, source="x", report=report)  # fmt: skip

    page = simen.get(url("report_detail", report.pk))
    html = page.content.decode()
    assert page.context["is_locked"] and page.context["can_correct"] and not page.context["can_edit"]
    assert url("report_correct", report.pk) in html
    assert url("report_edit", report.pk) not in html
    assert 'data-testid="report-locked"' in html


def test_a_correction_is_a_new_version_that_replaces_the_approved_one_only_once_approved(en):
    approved = last_approved(LIZHOU)  # this year's report of 梨洲街道 was returned: last year's counts
    lizhou, health = en("lizhou"), en("health")
    form = lizhou.get(url("report_correct", approved.pk)).context["form"]
    assert form.initial["figure_population"] == approved.figures["population"]
    assert form.initial["source"] == approved.source

    corrected = {**approved.figures, "children_health_managed": approved.figures["children_under_3"] - 7}
    response = lizhou.post(url("report_correct", approved.pk), form_data(corrected, "更正：卫生统计年报"), follow=True)
    correction = PeriodicReport.objects.get(corrects=approved)
    assert (correction.version, correction.status, correction.year) == (approved.version + 1, "draft", approved.year)
    assert response.context["report"] == correction
    lizhou.post(url("report_submit", correction.pk))
    correction.refresh_from_db()
    assert correction.status == "submitted"

    snapshot_services.snapshots_refresh()
    approved.refresh_from_db()
    assert approved.status == "approved"
    assert report_based(LIZHOU) == snapshot_of(approved)
    # A second correction while one is under way is refused.
    response = lizhou.get(url("report_correct", approved.pk), follow=True)
    assert response.context["report"] == correction

    health.post(url("report_approve", correction.pk))
    approved.refresh_from_db()
    correction.refresh_from_db()
    assert (approved.status, correction.status) == ("superseded", "approved")
    snapshot_services.snapshots_refresh()
    assert report_based(LIZHOU) == snapshot_of(correction)
    assert snapshot_value(LIZHOU, "health_management_rate")["value"] == rate(
        corrected["children_health_managed"], corrected["children_under_3"]
    )
    page = lizhou.get(url("report_detail", approved.pk))
    assert [v.version for v in page.context["versions"]][-2:] == [approved.version, correction.version]
    assert page.context["correction"] == correction and not page.context["can_correct"]


def test_a_returned_report_shows_its_reason_is_changed_and_submitted_again(en):
    report = current(LIZHOU)
    assert report.status == "returned" and report.return_reason
    lizhou = en("lizhou")
    page = lizhou.get(url("report_detail", report.pk))
    assert report.return_reason in page.content.decode()
    assert page.context["can_edit"] and page.context["can_submit"]

    figures = {**report.figures, "children_under_3": report.figures["children_under_3"] + 10}
    response = lizhou.post(url("report_edit", report.pk), form_data(figures), follow=True)
    assert messages_of(response) == ["Changes saved."]
    report.refresh_from_db()
    assert report.status == "returned" and report.figures == figures
    response = lizhou.post(url("report_submit", report.pk), follow=True)
    assert messages_of(response) == ["Report submitted to the health bureau for approval."]
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_return_needs_a_reason_and_is_recorded_with_it(en, cast):
    report = current(SIMEN)
    health = en("health")
    response = health.post(url("report_return", report.pk), {"reason": "  "}, follow=True)
    assert messages_of(response) == ["Say why the report is returned."]
    report.refresh_from_db()
    assert report.status == "submitted"
    response = health.post(url("report_return", report.pk), {"reason": "儿童数与户籍数据不符"}, follow=True)
    assert messages_of(response) == ["Report returned with the reason."]
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.decided_by) == (
        "returned",
        "儿童数与户籍数据不符",
        cast["health"],
    )
    # A decision on a report that no longer waits is refused with a message.
    response = health.post(url("report_approve", report.pk), follow=True)
    assert messages_of(response) == ["Only a submitted report can be approved."]


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so two approvals cannot overlap there; "
    "test_a_return_needs_a_reason_and_is_recorded_with_it covers the refusal of a second decision on both databases",
)
@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_the_same_report_at_once_exactly_one_wins():
    approvers = [User.objects.get(username="health"), second_approver()]
    report = current(SIMEN)
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def approve(index):
        try:
            with translation.override("en"):  # a new thread starts in the default language
                barrier.wait(timeout=10)
                results[index] = report_services.report_approve(actor=approvers[index], report=report)
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    winners = [index for index, result in results.items() if isinstance(result, PeriodicReport)]
    losers = [result for result in results.values() if isinstance(result, ApplicationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].message == "Only a submitted report can be approved."
    report.refresh_from_db()
    assert report.status == "approved" and report.decided_by == approvers[winners[0]]
    assert AuditEvent.objects.filter(event="report.approved", object_id=str(report.pk)).count() == 1


# --- Bulk approval ------------------------------------------------------------------------


def test_bulk_approval_approves_the_submitted_ones_and_names_the_others(en):
    waiting = current(SIMEN)
    returned = current(LIZHOU)
    approved = last_approved(SIMEN)
    response = en("health").post(
        url("report_bulk_approve"),
        {"ids": [waiting.pk, returned.pk, approved.pk, 999999999], "next": "?status=submitted"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("report_list") + "?status=submitted"
    assert messages_of(response) == [
        "1 report approved.",
        f"Not approved: {approved}: Only a submitted report can be approved.",
        f"Not approved: {returned}: Only a submitted report can be approved.",
        "Not found: #999999999",
    ]
    statuses = {r.pk: r.status for r in PeriodicReport.objects.filter(pk__in=[waiting.pk, returned.pk, approved.pk])}
    assert statuses == {waiting.pk: "approved", returned.pk: "returned", approved.pk: "approved"}


def test_bulk_approval_without_a_choice_says_so(en):
    response = en("health").post(url("report_bulk_approve"), {}, follow=True)
    assert messages_of(response) == ["Choose reports to approve."]
    assert current(SIMEN).status == "submitted"


def test_the_list_offers_checkboxes_to_the_approver_only(client_as):
    waiting = current(SIMEN)
    html = client_as("health").get(url("report_list")).content.decode()
    assert f'name="ids" value="{waiting.pk}"' in html
    assert f'name="ids" value="{current(LIZHOU).pk}"' not in html  # returned: nothing to approve
    leader = client_as("leader").get(url("report_list"))
    assert 'name="ids"' not in leader.content.decode()
    assert not leader.context["can_create"]


# --- Scope ----------------------------------------------------------------------------------


def test_simen_reports_for_simen_only_and_does_not_see_lizhou(en):
    simen = en("simen")
    listed = simen.get(url("report_list")).context["page"].paginator.object_list
    assert {report.region.code for report in listed} == {SIMEN}
    foreign = current(LIZHOU)
    for name in ("report_detail", "report_edit", "report_correct"):
        assert simen.get(url(name, foreign.pk)).status_code == 404
    for name in ("report_submit", "report_approve", "report_return"):
        assert simen.post(url(name, foreign.pk)).status_code == 404
    # A new report is 泗门镇's whatever is posted: the region is not a field.
    simen.post(url("report_create"), form_data({"population": 50000}, year="2020", region=LIZHOU))
    created = PeriodicReport.objects.get(year=2020, version=1)
    assert (created.region.code, created.organisation.code, created.status) == (SIMEN, "township-330281103", "draft")
    # simen may not approve its own report.
    assert simen.post(url("report_approve", current(SIMEN).pk)).status_code == 403
    assert current(SIMEN).status == "submitted"


def test_the_leader_reads_reports_but_every_write_is_refused(client_as):
    leader = client_as("leader")
    listed = leader.get(url("report_list")).context["page"].paginator.count
    assert listed == PeriodicReport.objects.count()
    waiting, approved = current(SIMEN), last_approved(SIMEN)
    assert leader.get(url("report_detail", waiting.pk)).status_code == 200
    refused = [
        leader.get(url("report_create")),
        leader.post(url("report_create"), form_data({"population": 1}, year="2020")),
        leader.post(url("report_bulk_approve"), {"ids": [waiting.pk]}),
        leader.get(url("report_edit", current(LIZHOU).pk)),
        leader.post(url("report_submit", current(LIZHOU).pk)),
        leader.post(url("report_approve", waiting.pk)),
        leader.post(url("report_return", waiting.pk), {"reason": "x"}),
        leader.get(url("report_correct", approved.pk)),
        leader.post(url("report_correct", approved.pk), form_data({"population": 1})),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert current(SIMEN).status == "submitted"
    assert not PeriodicReport.objects.filter(year=2020).exists()


def test_the_health_bureau_reports_the_city_figures(en):
    response = en("health").post(url("report_create"), form_data({"population": 830000}, year="2019"), follow=True)
    report = PeriodicReport.objects.get(year=2019)
    assert report.region.code == CITY and report.organisation.code == "health"
    assert messages_of(response) == ["Report saved as a draft."]


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "field", "message"),
    [
        ({"population": "-5"}, "figure_population", "Between 0 and 100,000,000."),
        ({"population": "很多"}, "figure_population", "Enter a whole number."),
        ({"population": "1.5"}, "figure_population", "Enter a whole number."),
        (
            {"children_under_3": "100", "children_health_managed": "101"},
            "figure_children_health_managed",
            "Cannot be more than Children under 3.",
        ),
        ({"parents_surveyed": "10", "parents_knowing": "11"}, "figure_parents_knowing", None),
        ({"population": "1000", "children_under_3": "1001"}, "figure_children_under_3", None),
        ({}, None, "Give at least one figure."),
    ],
)
def test_bad_figures_are_refused_on_the_form_and_nothing_is_saved(en, figures, field, message):
    before = PeriodicReport.objects.count()
    response = en("simen").post(url("report_create"), form_data(figures, year="2020"))
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid() or form.errors
    if field:
        assert field in form.errors
        if message:
            assert message in form.errors[field]
    else:
        assert message in form.non_field_errors()
    assert PeriodicReport.objects.count() == before


def test_a_second_report_for_the_same_year_and_a_missing_source_are_refused(en):
    before = PeriodicReport.objects.count()
    simen = en("simen")
    form = simen.post(url("report_create"), form_data({"population": 5}, year=str(YEAR))).context["form"]
    assert form.errors["year"] == ["Already reported."]
    form = simen.post(url("report_create"), form_data({"population": 5}, source=" ", year="2020")).context["form"]
    assert "source" in form.errors
    form = simen.post(url("report_create"), form_data({"population": 5}, year=str(YEAR + 1))).context["form"]
    assert "year" in form.errors
    assert PeriodicReport.objects.count() == before


def test_bad_figures_on_a_change_leave_the_report_as_it_was(en):
    report = current(LIZHOU)
    before = dict(report.figures)
    response = en("lizhou").post(url("report_edit", report.pk), form_data({**before, "children_under_3": "-1"}))
    assert response.status_code == 200 and "figure_children_under_3" in response.context["form"].errors
    report.refresh_from_db()
    assert report.figures == before and report.status == "returned"


# --- Speed ----------------------------------------------------------------------------------


def _more_reports(size: int) -> None:
    townships = list(Region.objects.filter(level="township").order_by("code"))
    organisations = {o.jurisdiction_id: o for o in Organisation.objects.filter(kind="township")}
    PeriodicReport.objects.bulk_create(
        PeriodicReport(
            region=townships[n % len(townships)],
            year=2000 + n % 20,
            version=10 + n,
            figures={"population": n},
            status="submitted",
            source="批量",
            organisation=organisations[townships[n % len(townships)].pk],
        )  # fmt: skip
        for n in range(size)
    )


@pytest.mark.parametrize("size", [5, 400])
def test_the_report_list_keeps_a_fixed_number_of_queries(size, client_as, django_assert_max_num_queries):
    _more_reports(size)
    for username in ("health", "simen", "leader"):
        client = client_as(username)
        with django_assert_max_num_queries(12):
            response = client.get(url("report_list"))
        assert response.status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(url("report_list"), {"status": "submitted", "page": 2}).status_code == 200


def test_the_report_list_costs_the_same_with_more_reports(client_as):
    client = client_as("health")
    client.get(url("report_list"))  # warm the session and the caches
    with CaptureQueriesContext(connections["default"]) as small:
        client.get(url("report_list"))
    _more_reports(300)
    with CaptureQueriesContext(connections["default"]) as large:
        client.get(url("report_list"))
    assert len(large) == len(small)


def test_the_dashboards_click_through_lists_the_township_s_reports(client_as):
    page = client_as("health").get(url("report_list"), {"township": LIZHOU}).context["page"]
    assert page.paginator.count > 0
    assert {report.region.code for report in page.paginator.object_list} == {LIZHOU}
