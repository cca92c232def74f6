"""The dashboard API's targets: every member reads them (policy rule 26); holders of
``targets.manage`` (the health bureau) set one per indicator, region (the city or a township)
and year, which replaces the value of an existing one, and delete one. Anyone else who writes
gets 403, asked before the body is judged; a target out of sight (operators) is 404."""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from accounts import policy
from accounts.errors import ApplicationError
from dashboard import rules, selectors
from dashboard.api.serializers import TargetFilterSerializer, TargetSerializer, TargetSetSerializer
from dashboard.services import targets as services


def _refused(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


class TargetCollection(ListAPIView):
    """GET: targets (``api_target_list``), by indicator and region. POST: set a target
    (``api_target_set``; ``targets.manage``)."""

    serializer_class = TargetSerializer

    def get_queryset(self):
        filters = TargetFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.target_list(
            actor=self.request.user, region=data.get("region", "").strip(), indicator=data.get("indicator", "").strip()
        ).order_by("indicator__order", "region__code", "year", "pk")

    @extend_schema(
        summary="List targets",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="A region's statistical code (exact)."),
            OpenApiParameter("indicator", OpenApiTypes.STR, description="An indicator's code."),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Set a target",
        description=(
            "The health bureau (`targets.manage`) sets the target of an indicator for the city or a township and a "
            "year; an existing target of the same three is replaced. Percentages are at most 100."
        ),
        request=TargetSetSerializer,
        responses={200: TargetSerializer, 403: OpenApiResponse(description="No targets.manage.")},
    )
    def post(self, request, *args, **kwargs):
        actor = request.user
        policy.require_duty(actor, rules.TARGETS_DUTY)
        body = TargetSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        indicator = selectors.indicator_list(actor=actor).filter(code=data["indicator"].strip()).first()
        if indicator is None:
            raise _refused("indicator", _("No indicator has this code."))
        region = selectors.target_region_choices(actor=actor).filter(code=data["region"].strip()).first()
        if region is None:
            raise _refused("region", _("Give the statistical code of the city or of one of its townships."))
        target = services.target_set(
            actor=actor, indicator=indicator, region=region, year=data["year"], value=data["value"],
            source=data["source"].strip(),
        )  # fmt: skip
        return Response(TargetSerializer(selectors.target_get(actor=actor, pk=target.pk)).data)


class TargetRecord(RetrieveAPIView):
    """GET: one target (``api_target_detail``). DELETE: the health bureau deletes it
    (``api_target_delete``)."""

    serializer_class = TargetSerializer

    def get_object(self):
        return selectors.target_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(summary="A target")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Delete a target",
        responses={204: None, 403: OpenApiResponse(description="No targets.manage.")},
    )
    def delete(self, request, pk: int):
        target = selectors.target_get(actor=request.user, pk=pk)
        policy.require_duty(request.user, rules.TARGETS_DUTY)
        services.target_delete(actor=request.user, target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


targets = TargetCollection.as_view()
target = TargetRecord.as_view()

urlpatterns = [
    path("dashboard/targets/", targets, name="api_target_list"),
    path("dashboard/targets/", targets, name="api_target_set"),
    path("dashboard/targets/<int:pk>/", target, name="api_target_detail"),
    path("dashboard/targets/<int:pk>/", target, name="api_target_delete"),
]
