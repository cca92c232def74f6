"""API of the accounts app: the same selectors and services as the pages."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy, selectors, services
from accounts.models import AuditEvent, Notification, Organisation, Region, SecurityEvent


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "kind", "level", "parent_code"]


class OrganisationSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "name_en", "kind", "jurisdiction_code"]


class OrganisationDetailSerializer(OrganisationSerializer):
    duties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta(OrganisationSerializer.Meta):
        fields = OrganisationSerializer.Meta.fields + ["duties"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "kind", "event", "table_name", "object_id", "actor_id", "ip", "before", "after"]


class SecurityEventSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user_id_value", read_only=True)

    class Meta:
        model = SecurityEvent
        fields = ["id", "at", "kind", "user_id", "username", "ip", "path", "detail"]


class RegionCodeFilter(serializers.CharField):
    """A list filter by a region's statistical code. A code that names no region of the levels
    asked answers 400 (an empty list would read as "nothing there")."""

    default_error_messages = {"unknown": _("No region has this statistical code.")}

    def __init__(self, *, levels: tuple[str, ...] = (Region.Level.TOWNSHIP,), **kwargs):
        self.levels = tuple(levels)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data).strip()
        if code and not selectors.region_code_known(code=code, levels=self.levels):
            self.fail("unknown")
        return code


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    real_name = serializers.CharField()
    operator_role = serializers.CharField()
    organisations = OrganisationSerializer(many=True)
    duties = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """Who am I: my organisations and the duties I may exercise."""
    user = request.user
    data = {
        "username": user.username,
        "real_name": user.real_name,
        "operator_role": user.operator_role,
        "organisations": policy.organisations_of(user),
        "duties": sorted(policy.duties(user)),
    }
    return Response(MeSerializer(data).data)


# --- List filters: a value outside its set answers 400 (never a silently unfiltered list) ----


class OrganisationFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False, allow_blank=True)


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.ChoiceField(choices=[("0", "all"), ("1", "unread only")], required=False, allow_blank=True)


class AuditEventFilterSerializer(serializers.Serializer):
    table = serializers.CharField(required=False, allow_blank=True, max_length=100)
    kind = serializers.ChoiceField(choices=AuditEvent.Kind.choices, required=False, allow_blank=True)


class SecurityEventFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SecurityEvent.Kind.choices, required=False, allow_blank=True)
    username = serializers.CharField(required=False, allow_blank=True, max_length=150)


def _filters(serializer_class, request) -> dict:
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class RegionList(ListAPIView):
    serializer_class = RegionSerializer

    def get_queryset(self):
        return selectors.region_list(actor=self.request.user)


class RegionDetail(RetrieveAPIView):
    serializer_class = RegionSerializer

    def get_object(self):
        return selectors.region_get(actor=self.request.user, code=self.kwargs["code"])


@extend_schema(parameters=[OrganisationFilterSerializer])
class OrganisationList(ListAPIView):
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        filters = _filters(OrganisationFilterSerializer, self.request)
        return selectors.organisation_list(actor=self.request.user, kind=filters.get("kind", ""))


class OrganisationDetail(RetrieveAPIView):
    serializer_class = OrganisationDetailSerializer

    def get_object(self):
        return selectors.organisation_get(actor=self.request.user, pk=self.kwargs["pk"])


@extend_schema(parameters=[NotificationFilterSerializer])
class NotificationList(ListAPIView):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        filters = _filters(NotificationFilterSerializer, self.request)
        return selectors.notification_list(actor=self.request.user, unread_only=filters.get("unread") == "1")


class NotificationRead(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        notification = selectors.notification_get(actor=request.user, pk=pk)
        notification = services.notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


@extend_schema(parameters=[AuditEventFilterSerializer])
class AuditEventList(ListAPIView):
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        policy.require_duty(self.request.user, "audit.admin")
        filters = _filters(AuditEventFilterSerializer, self.request)
        return selectors.audit_event_list(
            actor=self.request.user, table=filters.get("table", ""), kind=filters.get("kind", "")
        )


@extend_schema(parameters=[SecurityEventFilterSerializer])
class SecurityEventList(ListAPIView):
    serializer_class = SecurityEventSerializer

    def get_queryset(self):
        policy.require_duty(self.request.user, "audit.admin")
        filters = _filters(SecurityEventFilterSerializer, self.request)
        return selectors.security_event_list(
            actor=self.request.user, kind=filters.get("kind", ""), username=filters.get("username", "")
        )


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, built once per process for each language and version and then served
    from memory: it changes only with the code, and building it takes most of a second."""

    _built: dict[tuple[str, str | None], dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        if key not in self._built:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self._built[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._built[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
