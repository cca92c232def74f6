"""The risk API: the scores in the caller's sight (departments only, policy rule 35) with the
reasons that make them up, and the health bureau's override of a band. The same selectors,
services and policy as the pages; errors in the one API error shape: out of sight 404, in sight
without the duty 403, bad input 400 with field errors."""

from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists
from registry import parameters
from supervision import selectors, services
from supervision.lists import RiskFilterSet
from supervision.models import RiskBand, RiskScore
from supervision.services.risk import OVERRIDE_REASON_MAX


class ReasonSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    weight = serializers.DecimalField(max_digits=8, decimal_places=2)
    points = serializers.DecimalField(max_digits=10, decimal_places=2)


class RiskScoreSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="institution_id")
    institution_name = serializers.CharField(source="institution.name")
    township = serializers.CharField(source="institution.township.code")
    band = serializers.CharField(help_text="low, medium or high: the override if set, else the computed band.")
    computed_band = serializers.CharField()
    override_band = serializers.CharField(help_text="Empty unless the health bureau set the band.")

    class Meta:
        model = RiskScore
        fields = ["id", "institution", "institution_name", "township", "score", "band", "computed_band",
                  "override_band", "computed_at"]  # fmt: skip


class RiskScoreDetailSerializer(RiskScoreSerializer):
    reasons = serializers.SerializerMethodField()
    inspections_per_year = serializers.SerializerMethodField()

    class Meta(RiskScoreSerializer.Meta):
        fields = [*RiskScoreSerializer.Meta.fields, "override_reason", "overridden_at", "reasons",
                  "inspections_per_year"]  # fmt: skip

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, score):
        return ReasonSerializer(selectors.risk.reasons_of(score), many=True).data

    def get_inspections_per_year(self, score) -> int:
        return selectors.risk.inspections_per_year(score.band, parameters.load())


class BandOverrideSerializer(serializers.Serializer):
    band = serializers.ChoiceField(
        choices=RiskBand.choices, allow_blank=True, help_text="Empty: lift the override, the computed band counts."
    )
    reason = serializers.CharField(max_length=OVERRIDE_REASON_MAX, help_text="Required; recorded in the audit trail.")


class RiskScoreCollection(ListAPIView):
    serializer_class = RiskScoreSerializer
    # The risk page's filter set (``supervision.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = RiskFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(RiskScore)
        # The page's rows without its 403: the API answers others an empty list (rule 35).
        return selectors.risk.risk_list(actor=self.request.user)

    @extend_schema(
        summary="Institutions by risk score",
        description="Departments only; for anyone else the list is empty. Highest score first.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RiskScoreRecord(RetrieveAPIView):
    serializer_class = RiskScoreDetailSerializer

    def get_object(self):
        return selectors.risk.risk_score_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(summary="One institution's risk score with its reasons")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RiskBandOverride(APIView):
    @extend_schema(
        summary="Set or lift the band of an institution (health bureau)",
        description="Holders of `review.lead` only; the reason is required and audited.",
        request=BandOverrideSerializer,
        responses={200: RiskScoreDetailSerializer},
    )
    def post(self, request, pk: int):
        score = selectors.risk.risk_score_get(actor=request.user, pk=pk)
        body = BandOverrideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.risk.risk_band_override(actor=request.user, score=score, **body.validated_data)
        score = selectors.risk.risk_score_get(actor=request.user, pk=pk)
        return Response(RiskScoreDetailSerializer(score).data)


urlpatterns = [
    path("supervision/risk/", RiskScoreCollection.as_view(), name="api_risk_list"),
    path("supervision/risk/<int:pk>/", RiskScoreRecord.as_view(), name="api_risk_detail"),
    path("supervision/risk/<int:pk>/band/", RiskBandOverride.as_view(), name="api_risk_band_override"),
]
