"""The dashboard pages: the city's, each township's, and a printable report of either.

They read the pre-computed snapshots through ``dashboard.selectors``, so a page costs a few
queries whatever the number of institutions, from the read replica when one is configured
(``replica_reads``). Who sees which region is the policy's (rule 27):
``dashboard_region`` answers 403 without ``dashboard.view`` and 404 for a region out of sight.
A township official who opens the city's dashboard is sent to their own township's.

Charts are drawn in the browser by ECharts (served locally) from numbers the page carries in a
``json_script`` block; ``static/dashboard/dashboard.js`` draws them, so the pages hold no inline
script. Every chart has the table of its numbers one click away.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Region
from dashboard import rules, selectors
from dashboard.services import snapshots as services
from yuyao_childcare.replica import replica_reads


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _target_label(target) -> str:
    if target is None:
        return ""
    return _("Target %(year)s: %(value)s") % {"year": target.year, "value": f"{target.value.normalize():f}"}


def _chart_data(board: selectors.Dashboard) -> dict:
    """What the charts draw: each indicator's trend (with its target) and, for the city, the
    slots per 1,000 people of each township."""
    trends = []
    for row in board.rows:
        if not row.trend:
            continue
        trends.append(
            {
                "id": f"trend-{row.indicator.code}",
                "name": row.indicator.display_name,
                "years": [year for year, _value in row.trend],
                "values": [_number(value) for _year, value in row.trend],
                "target": _number(row.target.value) if row.target else None,
                "targetLabel": _target_label(row.target),
            }
        )
    data = {"trends": trends}
    if board.ranking:
        target = next((row.target for row in board.rows if row.indicator.code == "slots_per_1000"), None)
        data["ranking"] = {
            "id": "ranking-chart",
            "name": _("Slots per 1,000 people"),
            "townships": [entry["region"].name for entry in board.ranking],
            "values": [_number(entry["slots_per_1000"]) for entry in board.ranking],
            "target": _number(target.value) if target else None,
            "targetLabel": _target_label(target),
        }
    return data


def _context(request, board: selectors.Dashboard, **extra) -> dict:
    return {
        "board": board,
        "region": board.region,
        "is_city": board.region.level == Region.Level.CITY,
        "chart_data": _chart_data(board),
        "may_refresh": rules.may_refresh(request.user),
        **extra,
    }


@login_required
@require_GET
@replica_reads()
def city_dashboard(request):
    actor = request.user
    home = selectors.home_region(actor)  # the city for city-wide sight, else the own township
    if home is None:
        raise PermissionDenied(rules.VIEW_DUTY)
    if home.level == Region.Level.TOWNSHIP:
        return redirect("township_dashboard", code=home.code)
    board = selectors.dashboard(actor=actor, region=home)
    late = selectors.lateness(actor=actor, region=home)
    return render(request, "dashboard/dashboards/city.html", _context(request, board, late=late))


@login_required
@require_GET
@replica_reads()
def township_dashboard(request, code: str):
    actor = request.user
    region = selectors.dashboard_region(actor=actor, code=code)
    if region.level == Region.Level.CITY:
        return redirect("city_dashboard")
    board = selectors.dashboard(actor=actor, region=region)
    places = selectors.township_places(actor=actor, region=region)
    late = selectors.lateness(actor=actor, region=region)
    institutions = selectors.township_institutions(actor=actor, region=region)
    context = _context(
        request, board, places=places, late=late, institutions=institutions, may_view_city=rules.may_view_city(actor)
    )
    return render(request, "dashboard/dashboards/township.html", context)


@login_required
@require_GET
@replica_reads()
def dashboard_print(request, code: str):
    """A printable report of a region's dashboard: its tables and charts, no navigation."""
    actor = request.user
    region = selectors.dashboard_region(actor=actor, code=code)
    board = selectors.dashboard(actor=actor, region=region)
    places = selectors.township_places(actor=actor, region=region) if region.level == Region.Level.TOWNSHIP else None
    return render(request, "dashboard/dashboards/print.html", _context(request, board, places=places))


@login_required
@require_POST
def dashboard_refresh(request):
    """Recompute every snapshot now (the health bureau; everyone else 403), then go back."""
    if not rules.may_refresh(request.user):
        raise PermissionDenied(rules.TARGETS_DUTY)
    count = services.snapshots_refresh()
    messages.success(request, _("Dashboard figures recomputed for %(count)s regions.") % {"count": count})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("city_dashboard")
    return redirect(back)


urlpatterns = [
    path("", city_dashboard, name="city_dashboard"),
    path("refresh/", dashboard_refresh, name="dashboard_refresh"),
    # Region codes are digits, so these never shadow the other dashboard pages' paths.
    re_path(r"^townships/(?P<code>\d{6,12})/$", township_dashboard, name="township_dashboard"),
    re_path(r"^(?P<code>\d{6,12})/print/$", dashboard_print, name="dashboard_print"),
]
