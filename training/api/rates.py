"""The certification rate (by township, by institution of one township, one institution's)
and the village coverage of trained health instructors, computed from live data over what the
user sees, with the bureau's definition. Ready for other systems and the dashboard."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import selectors as registry_selectors
from training import rules, selectors
from training.api.serializers import (
    InstitutionRateSerializer,
    RatesSerializer,
    TownshipRatesSerializer,
    VillageCoverageAnswerSerializer,
)


def _sum(rates) -> selectors.Rate:
    rates = list(rates)
    return selectors.Rate(sum(rate.certified for rate in rates), sum(rate.total for rate in rates))


class RateOverview(APIView):
    @extend_schema(
        operation_id="v1_training_rates_by_township",
        summary="Certification rate by township",
        description=(
            "Over the staff in your sight: the health and HR bureaus the city, a township its own, an institution "
            "its own staff (as the total, without township rows). Active caregivers are counted; the numerator "
            "is those with a valid certificate of a kind that counts (see `definition`)."
        ),
        responses=RatesSerializer,
    )
    def get(self, request):
        rows, total = selectors.township_rates(actor=request.user)
        if not rules.sees_rates_by_township(request.user):
            rows = []
        data = {"definition": selectors.rate_definition(), "total": total, "townships": rows}
        return Response(RatesSerializer(data).data)


class TownshipRates(APIView):
    @extend_schema(
        operation_id="v1_training_rates_by_institution",
        summary="Certification rate by institution of one township",
        description="Institutions of the township whose staff you see, with active caregivers.",
        responses=TownshipRatesSerializer,
    )
    def get(self, request, code: str):
        township = registry_selectors.township_list(actor=request.user).filter(code=code).first()
        if township is None:
            raise Http404
        rows = selectors.institution_rates(actor=request.user, township=township.code)
        data = {
            "township": township,
            "definition": selectors.rate_definition(),
            "total": _sum(row["rate"] for row in rows),
            "institutions": rows,
        }
        return Response(TownshipRatesSerializer(data).data)


class InstitutionRate(APIView):
    @extend_schema(
        summary="One institution's certification rate",
        description="For those who see its roster (its own members, its township, the health and HR bureaus).",
        responses=InstitutionRateSerializer,
    )
    def get(self, request, pk: int):
        institution = registry_selectors.institution_get(actor=request.user, pk=pk)
        if not rules.may_see_roster(request.user, institution):
            raise PermissionDenied("staff.oversee")
        data = {
            "institution": institution,
            "definition": selectors.rate_definition(),
            "rate": selectors.institution_rate(institution=institution),
        }
        return Response(InstitutionRateSerializer(data).data)


class VillageCoverage(APIView):
    @extend_schema(
        summary="Village coverage of trained health instructors",
        description=(
            "Which villages and communities have at least one village health instructor who completed a "
            "programme, by township: a township its own, other departments the city, institutions nothing."
        ),
        responses=VillageCoverageAnswerSerializer,
    )
    def get(self, request):
        rows = selectors.village_coverage_for(actor=request.user)
        villages, covered = sum(row.villages for row in rows), sum(row.covered for row in rows)
        total = {
            "villages": villages,
            "covered": covered,
            "instructors": sum(row.instructors for row in rows),
            "percent": selectors.VillageCoverage(None, villages, covered, [], 0).percent,
        }
        return Response(VillageCoverageAnswerSerializer({"total": total, "townships": rows}).data)


urlpatterns = [
    path("training/rates/", RateOverview.as_view(), name="api_certification_rates"),
    path("training/rates/<str:code>/", TownshipRates.as_view(), name="api_certification_rates_township"),
    path("training/institutions/<int:pk>/rate/", InstitutionRate.as_view(), name="api_institution_rate"),
    path("training/village-coverage/", VillageCoverage.as_view(), name="api_village_coverage"),
]
