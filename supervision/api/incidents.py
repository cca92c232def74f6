"""The incident API: institutions report (a system of theirs may push the report), the health
bureau and the townships list and read. The same selectors, services and policy as the pages
(``supervision.views.incidents``); errors in the one API error shape (``accounts.api_errors``)."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from accounts import lists
from paperwork import bounds
from supervision import rules
from supervision.forms.incidents import TEXT_MAX, plausible_moment
from supervision.lists import IncidentFilterSet
from supervision.models import Incident
from supervision.selectors import incidents as selectors
from supervision.services import incidents as services


@extend_schema_field({"type": "string", "enum": list(Incident.Kind.values)}, component_name="IncidentKindEnum")
class IncidentKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Incident.Kind.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": list(Incident.Status.values)}, component_name="IncidentStatusEnum")
class IncidentStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Incident.Status.choices, **kwargs)


class IncidentSerializer(serializers.ModelSerializer):
    kind = IncidentKindField(read_only=True)
    status = IncidentStatusField(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    township = serializers.CharField(source="institution.township.name", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "institution", "institution_name", "township", "kind", "occurred_at", "reported_at", "late",
            "children_affected", "description", "actions_taken", "status", "acknowledged_at", "closed_at",
            "closing_note",
        ]  # fmt: skip
        read_only_fields = fields


class MomentField(serializers.DateTimeField):
    """A date and time; one the time zone cannot hold (year 1 in local time) is refused like
    any other implausible date rather than overflowing."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            first, last = bounds.HAPPENED.limits()
            raise serializers.ValidationError(
                _("Enter a date from %(first)s to %(last)s.") % {"first": first, "last": last}
            ) from None


class IncidentReportSerializer(serializers.Serializer):
    institution = serializers.IntegerField(min_value=1, max_value=bounds.ID_MAX)
    kind = IncidentKindField()
    occurred_at = MomentField(validators=[plausible_moment])
    children_affected = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=0)
    description = serializers.CharField(max_length=TEXT_MAX)
    actions_taken = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class IncidentList(ListAPIView):
    """Incidents in the user's sight: the institution its own, the township its territory, the
    health bureau all. POST: the institution reports one (201); the health bureau and the
    township are told at once, a report after the deadline is flagged ``late``."""

    serializer_class = IncidentSerializer

    # The incident page's filter set (``supervision.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = IncidentFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(Incident)
        return lists.spec_get("incidents").base(self.request.user)

    @extend_schema(request=IncidentReportSerializer, responses={201: IncidentSerializer}, summary="Report an incident")
    def post(self, request):
        if not rules.can_report_incident(request.user):
            raise PermissionDenied
        body = IncidentReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        # Another institution's id, or one that no longer operates, names nothing the caller may report for.
        institution = selectors.reporting_institutions(actor=request.user).filter(pk=data.pop("institution")).first()
        if institution is None:
            raise serializers.ValidationError({"institution": [_not_yours()]})
        incident = services.incident_report(actor=request.user, institution=institution, **data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


def _not_yours() -> str:
    return _("Choose an operating institution of yours.")


class IncidentDetail(RetrieveAPIView):
    serializer_class = IncidentSerializer

    def get_object(self):
        return selectors.incident_get(actor=self.request.user, pk=self.kwargs["pk"])


urlpatterns = [
    path("incidents/", IncidentList.as_view(), name="api_incident_list"),
    path("incidents/<int:pk>/", IncidentDetail.as_view(), name="api_incident_detail"),
]
