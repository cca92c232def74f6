"""API of residential areas and their care slots, the guidance network, fees and pricing
guidance: the same selectors and rules as the pages (``registry.views.planning``)."""

from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from accounts import lists
from registry import selectors, slots
from registry.lists import GuidanceSiteFilterSet, ResidentialAreaFilterSet
from registry.models import FeeSchedule, GuidanceSite, PricingGuidance, ResidentialArea


class ResidentialAreaSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_code = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    required_slots = serializers.SerializerMethodField(
        help_text="ceil(population / 1000 × the rate for the kind); null while no rate is set."
    )
    gap = serializers.SerializerMethodField(help_text="required_slots − planned_slots: positive is a shortfall.")

    class Meta:
        model = ResidentialArea
        fields = [
            "id", "name", "kind", "village_code", "village_name", "township_code", "township_name", "population",
            "planned_slots", "required_slots", "gap", "note",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.INT)
    def get_required_slots(self, obj):
        return slots.required_slots(obj, self.context["slot_parameters"])

    @extend_schema_field(OpenApiTypes.INT)
    def get_gap(self, obj):
        return slots.slot_gap(obj, self.context["slot_parameters"])


class SlotParametersMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["slot_parameters"] = slots.slot_parameters()
        return context


class ResidentialAreaList(SlotParametersMixin, ListAPIView):
    """Residential areas in the user's sight with the care slots they need (policy rule 13)."""

    serializer_class = ResidentialAreaSerializer

    # The page's filter set (``registry.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResidentialAreaFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(ResidentialArea)
        return lists.spec_get("residential_areas").base(self.request.user)


class ResidentialAreaDetail(SlotParametersMixin, RetrieveAPIView):
    serializer_class = ResidentialAreaSerializer

    def get_object(self):
        return selectors.residential_area_get(actor=self.request.user, pk=self.kwargs["pk"])


class GuidanceSiteSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    villages_covered = serializers.IntegerField(read_only=True)
    covered_village_codes = serializers.SlugRelatedField(
        source="covered_villages", many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = GuidanceSite
        fields = [
            "id", "name", "level", "region_code", "region_name", "address", "opened_on", "villages_covered",
            "covered_village_codes", "contact_name", "contact_phone", "closed_on", "closed_reason",
        ]  # fmt: skip


class GuidanceSiteList(ListAPIView):
    """The guidance network (every member sees it, policy rule 14)."""

    serializer_class = GuidanceSiteSerializer
    # The network page's filter set (``registry.lists``): a value outside its set answers 400.
    # The list's page and export filter with the same set (accounts.lists).
    filter_backends = [DjangoFilterBackend]
    filterset_class = GuidanceSiteFilterSet

    def get_queryset(self):
        return lists.spec_get("guidance_sites").base(self.request.user)


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeSchedule
        fields = ["id", "institution", "service_mode", "age_band", "amount", "unit", "meal_fee", "effective_from"]


class FeeList(ListAPIView):
    """The published fees of one institution (out of sight: 404)."""

    serializer_class = FeeSerializer

    def get_queryset(self):
        institution = selectors.fee_institution_get(actor=self.request.user, pk=self.kwargs["pk"])
        return selectors.fee_list(actor=self.request.user, institution=institution)


class PricingGuidanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PricingGuidance
        fields = ["id", "service_mode", "unit", "max_amount", "effective_from", "note"]


class PricingGuidanceList(ListAPIView):
    """The guide prices for inclusive care, current and past (every member sees them)."""

    serializer_class = PricingGuidanceSerializer

    def get_queryset(self):
        return selectors.pricing_guidance_list(actor=self.request.user)


urlpatterns = [
    path("residential-areas/", ResidentialAreaList.as_view(), name="api_residential_area_list"),
    path("residential-areas/<int:pk>/", ResidentialAreaDetail.as_view(), name="api_residential_area_detail"),
    path("guidance-sites/", GuidanceSiteList.as_view(), name="api_guidance_site_list"),
    path("institutions/<int:pk>/fees/", FeeList.as_view(), name="api_fee_list"),
    path("pricing-guidance/", PricingGuidanceList.as_view(), name="api_pricing_guidance_list"),
]
