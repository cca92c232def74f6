"""The dashboard API's indicators and values, for the province's or another system's use.

Indicators are facts every member reads (policy rule 26). Values are read from a region's
snapshot exactly as the dashboards read them (``selectors.dashboard``), with the same scope
(rule 27): 403 without ``dashboard.view``, 404 for a region out of sight (a township government
asking for another township or for the city). Errors in the one API error shape."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from dashboard import rules, selectors
from dashboard.api.serializers import IndicatorSerializer, RegionValuesSerializer, ValuesQuerySerializer


class IndicatorList(ListAPIView):
    """The indicators in the dashboards' order: code, names, unit, direction, the region levels
    they are shown for, how they are computed (live data or a periodic report)."""

    serializer_class = IndicatorSerializer

    def get_queryset(self):
        return selectors.indicator_list(actor=self.request.user).order_by("order", "code")

    @extend_schema(summary="List the indicators")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RegionValues(APIView):
    @extend_schema(
        summary="A region's indicator values",
        description=(
            "The values of the region's latest snapshot (value, numerator, denominator, and when it was computed) "
            "or, with `year`, the value the snapshot's history kept for that year (no numerator or denominator). "
            "Each comes with the target it is measured against (the region's own for the year or the nearest after; "
            "for rates the city's where a township has none) and the status: met, on_track or behind. Without "
            "`region`: your own dashboard's region. Needs `dashboard.view`; a region out of your sight is 404."
        ),
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="The city's or a township's statistical code."),
            OpenApiParameter("year", OpenApiTypes.INT, description="A year of the history (2000-2100)."),
        ],
        responses={
            200: RegionValuesSerializer,
            403: OpenApiResponse(description="No dashboard.view."),
            404: OpenApiResponse(description="No such region, or out of your sight."),
        },
    )
    def get(self, request):
        actor = request.user
        policy.require_duty(actor, rules.VIEW_DUTY)
        query = ValuesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data.get("region")
        if not code:
            home = selectors.home_region(actor)
            if home is None:
                raise PermissionDenied(rules.VIEW_DUTY)
            code = home.code
        region = selectors.dashboard_region(actor=actor, code=code)
        year = query.validated_data.get("year")
        board = selectors.dashboard_values(actor=actor, region=region, year=year)
        answer = {"region": region, "year": year, "computed_at": board.computed_at, "values": board.rows}
        return Response(RegionValuesSerializer(answer).data)


urlpatterns = [
    path("dashboard/indicators/", IndicatorList.as_view(), name="api_indicator_list"),
    path("dashboard/values/", RegionValues.as_view(), name="api_dashboard_values"),
]
