"""Spot-check plans (双随机、一公开): the draw stratified as asked and reproducible from its
recorded seed, no silent redraw, two people at once, tasks concluded from the finding on the
existing checklist, the work queue, the published results and pinned query counts."""

import math
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.models import AuditEvent, Organisation, Region
from inspections.models import ChecklistItem
from inspections.services import findings
from supervision import selectors
from supervision.models import RiskScore, SpotCheckPlan, SpotCheckTask
from supervision.services import risk, spotchecks
from supervision.spot_check_draw import draw
from supervision.spot_check_queue import work_queue
from tests.factories import LIZHOU, SIMEN, InstitutionFactory, UserFactory
from tests.helpers import text_of


def _plan(actor, codes=("health", "fire"), townships=(SIMEN, LIZHOU), low=0, medium=50, high=100, inspectors=1):
    return spotchecks.plan_create(
        actor=actor, title="测试抽查计划", departments=list(Organisation.objects.filter(code__in=codes)),
        townships=list(Region.objects.filter(code__in=townships)), percent_low=low, percent_medium=medium,
        percent_high=high, inspectors_per_department=inspectors,
    )  # fmt: skip


def _stored(plan) -> set:
    return {
        (t.institution_id, t.department_id, t.area, tuple(sorted(u.pk for u in t.inspectors.all())))
        for t in plan.tasks.prefetch_related("inspectors")
    }


def _replayed(plan) -> set:
    return {
        (t["institution"], t["department"], t["area"], tuple(t["inspectors"])) for t in draw(plan.inputs, plan.seed)
    }


def test_the_draw_is_reproducible_from_its_recorded_seed_and_inputs(cast):
    UserFactory(member_of="fire")  # a pool of two: the inspectors are drawn, not just taken
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"], low=50))
    assert plan.seed and plan.inputs["strata"] and plan.tasks.exists()
    assert _replayed(plan) == _stored(plan)
    assert selectors.spotchecks.plan_draw_reproduces(plan=plan, tasks=selectors.spotchecks.plan_tasks(plan=plan))
    # The record, not today's registry, is what the replay reads: a new institution changes nothing.
    InstitutionFactory()
    risk.risk_scores_recompute()
    plan.refresh_from_db()
    assert _replayed(plan) == _stored(plan)
    # The seed matters: over fixed seeds, the same inputs give more than one draw.
    draws = {frozenset((t["institution"], t["area"], tuple(t["inspectors"])) for t in draw(plan.inputs, f"s{n}"))
             for n in range(20)}  # fmt: skip
    assert len(draws) > 1


def test_each_drawn_inspector_is_told_of_their_tasks(cast):
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"]))
    fire_tasks = plan.tasks.filter(department__code="fire").count()
    message = cast["fire"].notifications.filter(title__contains="测试抽查计划").get()
    assert message.link == "/supervision/spot-checks/tasks/" and str(fire_tasks) in message.body


def test_the_draw_is_stratified_by_band_and_township_as_asked():
    """Each stratum gives ⌈n × percent⌉ of its own institutions; every department's drawn
    inspectors come from its pool, as many as asked; education checks nursery classes only."""
    inputs = {
        "day": "2026-12-07",
        "strata": [
            {"band": "high", "township": SIMEN, "percent": 100, "institutions": [1, 2, 3]},
            {"band": "medium", "township": SIMEN, "percent": 50, "institutions": [4, 5, 6, 7, 8]},
            {"band": "medium", "township": LIZHOU, "percent": 50, "institutions": [9, 10]},
            {"band": "low", "township": SIMEN, "percent": 10, "institutions": list(range(11, 41))},
            {"band": "low", "township": LIZHOU, "percent": 0, "institutions": [41, 42]},
        ],
        "kindergarten_classes": [4],
        "pools": [
            {"department": 100, "areas": ["fire"], "users": [1001, 1002, 1003]},
            {"department": 200, "areas": ["education"], "users": [2001]},
        ],
        "inspectors_per_department": 2,
    }
    for seed in ("s1", "s2", "s3", "s4"):
        tasks = draw(inputs, seed)
        fire = [t for t in tasks if t["area"] == "fire"]
        for stratum in inputs["strata"]:
            drawn = {t["institution"] for t in fire if t["institution"] in stratum["institutions"]}
            assert len(drawn) == math.ceil(len(stratum["institutions"]) * stratum["percent"] / 100)
            assert all(t["band"] == stratum["band"] for t in fire if t["institution"] in stratum["institutions"])
        assert all(len(t["inspectors"]) == 2 and set(t["inspectors"]) <= {1001, 1002, 1003} for t in fire)
        # Education's pool has one officer: one is drawn; it goes only to the nursery class.
        education = [t for t in tasks if t["area"] == "education"]
        assert all(t["institution"] == 4 and t["inspectors"] == [2001] for t in education)


def test_the_plan_draws_operating_institutions_of_its_townships_by_their_band(cast):
    InstitutionFactory(township_code=SIMEN)  # preparing: not drawn, whatever its band
    risk.risk_scores_recompute()
    RiskScore.objects.filter(institution__township__code=SIMEN).update(override_band="high")
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"], townships=(SIMEN,), high=100))
    operating = RiskScore.objects.filter(institution__township__code=SIMEN, institution__status="operating")
    drawn = set(plan.tasks.values_list("institution", flat=True))
    # Every operating high-band institution of 泗门镇, none elsewhere, none preparing.
    assert drawn == set(operating.values_list("institution", flat=True)) and len(drawn) >= 2
    assert set(plan.tasks.values_list("band", flat=True)) == {"high"}
    assert set(plan.tasks.values_list("department__code", "area")) == {("health", "health_care"), ("fire", "fire")}


def test_a_redraw_without_a_reason_is_refused(cast):
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"]))
    seed, tasks = plan.seed, _stored(plan)
    for reason in ("", "  "):
        with pytest.raises(ApplicationError):
            spotchecks.plan_draw(actor=cast["health"], plan=plan, reason=reason)
    plan.refresh_from_db()
    assert (plan.seed, plan.draws, _stored(plan)) == (seed, 1, tasks)
    assert not AuditEvent.objects.filter(event="spot_check.redrawn", object_id=str(plan.pk)).exists()


def test_a_redraw_with_a_reason_is_audited_with_the_earlier_seed(cast):
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"]))
    first_seed = plan.seed
    plan = spotchecks.plan_draw(actor=cast["health"], plan=plan, reason="测试：抽中的检查人员回避")
    assert plan.seed != first_seed and plan.draws == 2 and plan.redraw_reason == "测试：抽中的检查人员回避"
    event = AuditEvent.objects.filter(event="spot_check.redrawn", object_id=str(plan.pk)).latest("pk")
    assert event.after["reason"] == "测试：抽中的检查人员回避"
    assert event.after["previous"]["seed"] == first_seed
    assert _replayed(plan) == _stored(plan)


def test_the_redraw_page_without_a_reason_says_so_and_keeps_the_draw(en, cast):
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"]))
    response = en("health").post(f"/supervision/spot-checks/{plan.pk}/draw/", {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert "drawing it again needs a reason" in text_of(response)
    assert SpotCheckPlan.objects.get(pk=plan.pk).seed == plan.seed


def test_two_people_drawing_at_once_draw_once(cast):
    """Both opened the undrawn plan; the second's draw, under the lock, finds it drawn."""
    plan = _plan(cast["health"])
    other = UserFactory(member_of="health")
    seen_by_first, seen_by_second = SpotCheckPlan.objects.get(pk=plan.pk), SpotCheckPlan.objects.get(pk=plan.pk)
    spotchecks.plan_draw(actor=cast["health"], plan=seen_by_first)
    with pytest.raises(ApplicationError):
        spotchecks.plan_draw(actor=other, plan=seen_by_second)
    plan.refresh_from_db()
    assert plan.draws == 1 and plan.drawn_by == cast["health"]


def test_only_the_organiser_draws(cast):
    plan = _plan(cast["health"])
    with pytest.raises(PermissionDenied):
        spotchecks.plan_draw(actor=cast["fire"], plan=plan)


def test_a_department_plans_only_its_own_inspections(cast):
    with pytest.raises(ApplicationError) as refused:
        _plan(cast["fire"], codes=("fire", "health"))
    assert "departments" in refused.value.fields
    plan = _plan(cast["fire"], codes=("fire",))
    assert plan.organiser.code == "fire"


def test_a_plan_with_bad_figures_is_refused_with_field_errors(cast):
    with pytest.raises(ApplicationError) as refused:
        _plan(cast["health"], low=0, medium=0, high=0)
    assert "percent_high" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        _plan(cast["health"], inspectors=0, medium=101)
    assert {"inspectors_per_department", "percent_medium"} <= set(refused.value.fields)
    assert not SpotCheckPlan.objects.filter(title="测试抽查计划").exists()


def _fire_task(cast):
    plan = spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"]))
    return plan.tasks.filter(area="fire").select_related("institution", "plan").first()


def _record(cast, task, fail=False):
    results = dict.fromkeys(ChecklistItem.objects.filter(template__area="fire").values_list("code", flat=True),
                            ("pass", ""))  # fmt: skip
    if fail:
        results["F3"] = ("fail", "测试：通道堵塞")
    return findings.finding_record(actor=cast["fire"], institution=task.institution, area="fire",
                                   inspected_on=timezone.localdate(), results=results)  # fmt: skip


def test_a_task_is_concluded_from_the_finding_and_then_published(cast):
    task = _fire_task(cast)
    with pytest.raises(ApplicationError):  # nothing recorded yet
        spotchecks.task_conclude(actor=cast["fire"], task=task)
    results = selectors.spotchecks.spot_check_results_for(task.institution)
    assert not [row for row in results if row["plan"] == task.plan.title]  # an open task is not published
    finding = _record(cast, task, fail=True)
    task = spotchecks.task_conclude(actor=cast["fire"], task=task)
    assert (task.status, task.finding, task.passed) == ("concluded", finding, False)
    published = [row for row in selectors.spotchecks.spot_check_results_for(task.institution)
                 if row["plan"] == task.plan.title]  # fmt: skip
    assert published == [{"plan": "测试抽查计划", "department": task.department.name, "area": "消防安全",
                          "inspected_on": timezone.localdate(), "passed": False}]  # fmt: skip


def test_a_finding_before_the_draw_does_not_conclude_a_task(cast):
    task = _fire_task(cast)
    finding = _record(cast, task)
    type(finding).objects.filter(pk=finding.pk).update(inspected_on=timezone.localdate() - timedelta(days=3))
    with pytest.raises(ApplicationError):
        spotchecks.task_conclude(actor=cast["fire"], task=task)


def test_two_people_concluding_at_once_conclude_once(cast):
    task = _fire_task(cast)
    _record(cast, task)
    colleague = UserFactory(member_of="fire")
    first, second = SpotCheckTask.objects.get(pk=task.pk), SpotCheckTask.objects.get(pk=task.pk)
    spotchecks.task_conclude(actor=cast["fire"], task=first)
    with pytest.raises(ApplicationError):
        spotchecks.task_conclude(actor=colleague, task=second)
    assert SpotCheckTask.objects.get(pk=task.pk).concluded_by == cast["fire"]


def test_only_the_tasks_department_concludes_it(cast):
    task = _fire_task(cast)
    _record(cast, task)
    with pytest.raises(PermissionDenied):
        spotchecks.task_conclude(actor=cast["health"], task=task)


def test_a_concluded_task_freezes_the_draw(cast):
    task = _fire_task(cast)
    _record(cast, task)
    spotchecks.task_conclude(actor=cast["fire"], task=task)
    with pytest.raises(ApplicationError):
        spotchecks.plan_draw(actor=cast["health"], plan=task.plan, reason="测试：再抽一次")


def test_each_departments_queue_counts_its_open_tasks(cast):
    for username, code in (("fire", "fire"), ("amr", "amr"), ("health", "health")):
        item = next(i for i in work_queue(actor=cast[username]) if i["url"] == "/supervision/spot-checks/tasks/")
        expected = SpotCheckTask.objects.filter(department__code=code, status="open").count()
        assert expected and item["count"] == expected
    assert work_queue(actor=cast["nursery1"]) == [] and work_queue(actor=cast["simen"]) == []


def test_an_undrawn_plan_waits_in_its_organisers_queue(cast):
    _plan(cast["fire"], codes=("fire",))
    item = next(i for i in work_queue(actor=cast["fire"]) if i["url"] == "/supervision/spot-checks/")
    assert item["count"] == 1
    assert all(i["url"] != "/supervision/spot-checks/" for i in work_queue(actor=cast["health"]))


def test_the_task_list_links_to_the_checklist_of_the_area(client_as):
    page = text_of(client_as("fire").get("/supervision/spot-checks/tasks/"))
    task = SpotCheckTask.objects.filter(department__code="fire", status="open").first()
    assert f"/inspections/findings/new/?institution={task.institution_id}&area=fire" in page


def test_the_plan_page_shows_the_seed_and_that_the_draw_reproduces(client_as):
    plan = SpotCheckPlan.objects.get(title__startswith="【演示】")
    page = text_of(client_as("fire").get(f"/supervision/spot-checks/{plan.pk}/"))
    assert plan.seed in page and 'data-testid="plan-reproduces"' in page and "✓" in page


def test_the_lists_queries_stay_pinned(client_as, cast, django_assert_max_num_queries):
    client = client_as("health")
    urls = ["/supervision/spot-checks/", "/supervision/spot-checks/tasks/"]
    plan = SpotCheckPlan.objects.get(title__startswith="【演示】")
    urls.append(f"/supervision/spot-checks/{plan.pk}/")
    for url in urls:
        client.get(url)
    limits = {}
    for url in urls:
        with django_assert_max_num_queries(16) as captured:
            assert client.get(url).status_code == 200
        limits[url] = len(captured.captured_queries)
    # More plans, more tasks and larger pools: the same number of queries.
    for _n in range(3):
        UserFactory(member_of="health")
        spotchecks.plan_draw(actor=cast["health"], plan=_plan(cast["health"], low=100, medium=100))
    for url in urls:
        with django_assert_max_num_queries(limits[url]):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_public_page_publishes_concluded_spot_checks_and_nothing_of_open_ones(client):
    """一公开: a concluded task's department, area, date and result are on the institution's
    public page; an open task shows nothing, not even that it is planned."""
    concluded = (
        SpotCheckTask.objects.filter(status=SpotCheckTask.Status.CONCLUDED)
        .select_related("institution", "department", "finding")
        .first()
    )
    assert concluded is not None, "the demo publishes one concluded task"
    page = client.get(reverse("public_institution_detail", args=[concluded.institution_id])).content.decode()
    section = page.split('data-testid="public-spot-checks"', 1)[1].split("</section>", 1)[0]
    assert concluded.department.name in section and concluded.finding.inspected_on.isoformat() in section
    open_task = (
        SpotCheckTask.objects.exclude(status=SpotCheckTask.Status.CONCLUDED)
        .exclude(institution__spot_check_tasks__status=SpotCheckTask.Status.CONCLUDED)
        .filter(institution__filing_status="filed")
        .first()
    )
    assert open_task is not None, "the demo plan leaves tasks open at filed institutions"
    other = client.get(reverse("public_institution_detail", args=[open_task.institution_id])).content.decode()
    assert "暂无公开的抽查结果" in other
