"""API of institutions and the public registry: the same selectors, filters and scope as the
pages. Lists never carry contact phones; the record shows it in full only to the institution's
own members and the filing reviewers, masked to everyone else."""

from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny

from accounts import audit, lists
from accounts.models import SecurityEvent
from registry import selectors
from registry.forms.institutions import PublicSearchForm
from registry.lists import InstitutionFilterSet
from registry.models import ClassGroup, FeeSchedule, Institution, Registration

SERVICE_MODES = ("full_day", "half_day", "hourly", "temporary")
PUBLIC_FILTER_PARAMETERS = [
    OpenApiParameter("township", str, description="township code"),
    OpenApiParameter("provider_type", str, enum=Institution.ProviderType.values),
    OpenApiParameter("age_band", str, enum=ClassGroup.AgeBand.values),
    OpenApiParameter("inclusive", str, enum=["yes", "no"]),
    OpenApiParameter("text", str, description="part of the name"),
]


def _filters(form) -> dict:
    """The validated filters, or a 400 in the one error shape."""
    if not form.is_valid():
        raise ValidationError({name: [str(message) for message in messages] for name, messages in form.errors.items()})
    return form.filters()


class InstitutionSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    village_code = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    slots = serializers.IntegerField(read_only=True, default=0)
    enrolled = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Institution
        fields = [
            "id", "name", "credit_code", "legal_form", "provider_type", "inclusive", "demonstration",
            "township_code", "township_name", "village_code", "village_name", "address", "status",
            "filing_status", "filing_number", "slots", "enrolled",
        ]  # fmt: skip

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["slots"] = data["slots"] or 0
        data["enrolled"] = data["enrolled"] or 0
        return data


class ClassGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassGroup
        fields = ["id", "name", "age_band", "places", "enrolled", "caregivers"]


class RegistrationSerializer(serializers.ModelSerializer):
    authority = serializers.CharField(source="authority.name", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "authority", "legal_form", "certificate_number", "registered_on", "status", "revoked_on"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeSchedule
        fields = ["id", "service_mode", "age_band", "amount", "unit", "meal_fee", "effective_from"]


class WarningSerializer(serializers.Serializer):
    subject = serializers.CharField()
    message = serializers.CharField()


class InstitutionDetailSerializer(serializers.Serializer):
    """Built from ``selectors.InstitutionOverview``."""

    def to_representation(self, overview):
        institution = overview.institution
        data = InstitutionSerializer(institution).data
        data.update(
            slots=overview.places,
            enrolled=overview.enrolled,
            legal_representative=institution.legal_representative,
            person_in_charge=institution.person_in_charge,
            contact_phone=overview.contact_phone,
            contact_phone_masked=not overview.shows_contact_phone,
            service_modes=[mode for mode in SERVICE_MODES if getattr(institution, mode)],
            meals_served=institution.meals_served,
            indoor_area=str(institution.indoor_area),
            outdoor_area=str(institution.outdoor_area),
            opened_on=institution.opened_on.isoformat() if institution.opened_on else None,
            class_groups=ClassGroupSerializer(overview.class_groups, many=True).data,
            warnings=WarningSerializer(overview.warnings, many=True).data,
            registrations=RegistrationSerializer(institution.registrations.all(), many=True).data,
            fees=FeeSerializer(institution.fees.all(), many=True).data,
        )
        return data


class PublicFeeSerializer(serializers.Serializer):
    service_mode = serializers.CharField()
    age_band = serializers.CharField()
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)
    unit = serializers.CharField()
    meal_fee = serializers.DecimalField(max_digits=9, decimal_places=2)
    effective_from = serializers.DateField()


class PublicBandSerializer(serializers.Serializer):
    age_band = serializers.CharField()
    age_band_label = serializers.CharField()
    places = serializers.IntegerField()


class PublicInstitutionSerializer(serializers.Serializer):
    """``selectors.PublicInstitution``: public fields only (no phone, people or credit code;
    a family care point's address is empty)."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    provider_type = serializers.CharField()
    provider_type_label = serializers.CharField()
    inclusive = serializers.BooleanField()
    demonstration = serializers.BooleanField()
    township_code = serializers.CharField()
    township = serializers.CharField()
    address = serializers.CharField()
    service_modes = serializers.ListField(child=serializers.CharField())
    meals_served = serializers.BooleanField()
    slots = serializers.IntegerField()
    bands = PublicBandSerializer(many=True)
    fees = PublicFeeSerializer(many=True)
    filing_status = serializers.CharField()
    filing_status_label = serializers.CharField()
    filing_number = serializers.CharField()
    last_review_result = serializers.CharField(allow_null=True)


class InstitutionList(ListAPIView):
    serializer_class = InstitutionSerializer
    # The institution page's filter set (``registry.lists``): a value outside its set answers 400.
    # The list's page and export filter with the same set (accounts.lists).
    filter_backends = [DjangoFilterBackend]
    filterset_class = InstitutionFilterSet

    def get_queryset(self):
        return lists.spec_get("institutions").base(self.request.user)


class InstitutionDetail(RetrieveAPIView):
    serializer_class = InstitutionDetailSerializer

    def get_object(self):
        overview = selectors.institution_overview(actor=self.request.user, pk=self.kwargs["pk"])
        if overview.shows_contact_phone and overview.institution.contact_phone and not overview.is_own:
            audit.security_event(
                kind=SecurityEvent.Kind.REVEAL,
                user=self.request.user,
                request=self.request,
                detail={"model": "registry.institution", "pk": overview.institution.pk, "field": "contact_phone"},
            )
        return overview


@extend_schema(parameters=PUBLIC_FILTER_PARAMETERS)
class PublicInstitutionList(ListAPIView):
    """The public registry: no login needed; filed, operating institutions, public fields only."""

    serializer_class = PublicInstitutionSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        form = PublicSearchForm(self.request.query_params, townships=selectors.public_township_choices())
        return selectors.public_institution_list(**_filters(form))


urlpatterns = [
    path("institutions/", InstitutionList.as_view(), name="api_institution_list"),
    path("institutions/<int:pk>/", InstitutionDetail.as_view(), name="api_institution_detail"),
    path("public/institutions/", PublicInstitutionList.as_view(), name="api_public_institution_list"),
]
