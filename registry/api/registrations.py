"""The registration API: the scoped list, the push from an authority's own system (token
authentication), and revocation. The same selectors, services and policy as the pages; errors
in the one API error shape (``accounts.api_errors``)."""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists
from paperwork import bounds
from registry import rules, selectors
from registry.lists import RegistrationFilterSet
from registry.models import Institution, Registration
from registry.services import registrations as services
from registry.validators import validate_credit_code


def _enum(choices_class, component: str):
    """A choice field whose enum is its own named component in the schema (several models call
    their choices ``status`` or ``source``; auto-naming would make them collide)."""

    @extend_schema_field({"type": "string", "enum": list(choices_class.values)}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices_class.choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


LegalFormField = _enum(Institution.LegalForm, "RegistrationLegalFormEnum")
ProviderTypeField = _enum(Institution.ProviderType, "RegistrationProviderTypeEnum")
StatusField = _enum(Registration.Status, "RegistrationStatusEnum")
SourceField = _enum(Registration.Source, "RegistrationSourceEnum")


class RegistrationInstitutionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "credit_code", "township", "township_name"]


class RegistrationSerializer(serializers.ModelSerializer):
    institution = RegistrationInstitutionSerializer(read_only=True)
    authority = serializers.CharField(source="authority.code", read_only=True)
    authority_name = serializers.CharField(source="authority.name", read_only=True)
    legal_form = LegalFormField(read_only=True)
    status = StatusField(read_only=True)
    source = SourceField(read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id", "institution", "legal_form", "authority", "authority_name", "certificate_number", "registered_on",
            "status", "revoked_on", "revoke_reason", "source", "recorded_at",
        ]  # fmt: skip


class RegistrationPushSerializer(serializers.Serializer):
    """The body of a push: the same fields as the registration form. ``village`` is the 12-digit
    statistical code of the village or community."""

    credit_code = serializers.CharField(max_length=18, min_length=18, validators=[validate_credit_code])
    name = serializers.CharField(max_length=128)
    legal_form = LegalFormField()
    provider_type = ProviderTypeField()
    village = serializers.CharField(max_length=12)
    address = serializers.CharField(max_length=200)
    certificate_number = serializers.CharField(max_length=64)
    registered_on = serializers.DateField(validators=bounds.of(Registration, "registered_on"))

    def validate_credit_code(self, value):
        return value.strip().upper()

    def validate_village(self, value):
        region = selectors.regions_by_code(actor=self.context["request"].user, codes=[value.strip()]).get(value.strip())
        if region is None or region.level != region.Level.VILLAGE:
            raise serializers.ValidationError(_("Not the 12-digit code of a village or community."))
        return region

    def validate_registered_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The registration date cannot be in the future."))
        return value


class RegistrationRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    revoked_on = serializers.DateField(validators=bounds.of(Registration, "revoked_on"))


PUSH_EXAMPLE = {
    "credit_code": "52330281MA2E00001G",
    "name": "余姚市某某托育中心",
    "legal_form": "nonprofit",
    "provider_type": "standalone",
    "village": "330281001001",
    "address": "梨洲街道某某路1号",
    "certificate_number": "民证字第2026001号",
    "registered_on": "2026-03-15",
}


class RegistrationCollection(ListAPIView):
    """GET: the registrations the caller sees (``api_registration_list``). POST: an authority's
    system pushes a registration (``api_registration_push``)."""

    serializer_class = RegistrationSerializer
    # The registration page's filter set (``registry.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = RegistrationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(Registration)
        return lists.spec_get("registrations").base(self.request.user)

    @extend_schema(summary="List registrations")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Push a registration",
        description=(
            "An authority's system pushes a registration it made. Authenticate with the token of an officer of the "
            "authority (`Authorization: Token …`). The legal form must be one the authority registers (else 403). "
            "Idempotent on (credit_code, certificate_number): pushing the same registration again answers 200 with "
            "the registration already recorded, unchanged."
        ),
        request=RegistrationPushSerializer,
        responses={
            201: OpenApiResponse(RegistrationSerializer, description="Recorded."),
            200: OpenApiResponse(RegistrationSerializer, description="Already recorded: the existing registration."),
            400: OpenApiResponse(description="Invalid fields, or refused by a rule (error shape with fields)."),
            403: OpenApiResponse(description="The caller does not register this legal form."),
        },
        examples=[OpenApiExample("A non-profit nursery", value=PUSH_EXAMPLE, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        actor = request.user
        if not rules.registrable_legal_forms(actor):
            raise PermissionDenied
        legal_form = request.data.get("legal_form") if isinstance(request.data, dict) else None
        if isinstance(legal_form, str):
            services.registration_require_form(actor, legal_form)  # another authority's form: 403
        serializer = RegistrationPushSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        registration, created = services.registration_push(actor=actor, **serializer.validated_data)
        return Response(
            RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class RegistrationRevoke(APIView):
    @extend_schema(
        summary="Revoke a registration",
        description="Only the authority that registered it. Out of sight: 404; in sight but not its authority: 403.",
        request=RegistrationRevokeSerializer,
        responses={200: RegistrationSerializer},
    )
    def post(self, request, pk: int):
        actor = request.user
        registration = selectors.registration_get(actor=actor, pk=pk)
        if not rules.can_revoke_registration(actor, registration):
            raise PermissionDenied
        serializer = RegistrationRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_revoke(actor=actor, registration=registration, **serializer.validated_data)
        return Response(RegistrationSerializer(selectors.registration_get(actor=actor, pk=registration.pk)).data)


collection = RegistrationCollection.as_view()

urlpatterns = [
    path("registrations/", collection, name="api_registration_list"),
    path("registrations/", collection, name="api_registration_push"),
    path("registrations/<int:pk>/revoke/", RegistrationRevoke.as_view(), name="api_registration_revoke"),
]
