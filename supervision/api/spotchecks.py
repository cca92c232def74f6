"""The spot-check API: the plans in the caller's sight (policy rule 36) with the record of their
draw (seed and inputs) and their tasks, the draw itself (a redraw needs a reason), and a
department's conclusion of a task from its finding. The same selectors, services and policy as
the pages; errors in the one API error shape."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists
from supervision import rules, selectors, services
from supervision.lists import SpotCheckPlanFilterSet, SpotCheckTaskFilterSet
from supervision.models import SpotCheckPlan, SpotCheckTask
from supervision.services.spotchecks import REASON_MAX


class SpotCheckTaskSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name")
    department = serializers.CharField(source="department.code")
    band = serializers.CharField()
    status = serializers.CharField(help_text="open or concluded")
    inspectors = serializers.SerializerMethodField()
    passed = serializers.BooleanField(allow_null=True)

    class Meta:
        model = SpotCheckTask
        fields = ["id", "plan", "institution", "institution_name", "department", "area", "band", "inspectors",
                  "status", "finding", "passed", "concluded_at"]  # fmt: skip

    def get_inspectors(self, task) -> list[str]:
        return [user.real_name for user in task.inspectors.all()]


class SpotCheckPlanSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser.code")
    status = serializers.CharField(help_text="draft (not drawn yet) or drawn")

    class Meta:
        model = SpotCheckPlan
        fields = ["id", "title", "organiser", "status", "percent_low", "percent_medium", "percent_high",
                  "inspectors_per_department", "draws", "drawn_at", "created_at"]  # fmt: skip


class SpotCheckPlanDetailSerializer(SpotCheckPlanSerializer):
    inputs = serializers.JSONField(help_text="The frozen inputs of the draw: strata, pools, sizes.")
    tasks = serializers.SerializerMethodField()
    reproduces = serializers.SerializerMethodField(help_text="Re-running the draw from its record gives the tasks.")

    class Meta(SpotCheckPlanSerializer.Meta):
        fields = [*SpotCheckPlanSerializer.Meta.fields, "seed", "inputs", "redraw_reason", "tasks", "reproduces"]

    @extend_schema_field(SpotCheckTaskSerializer(many=True))
    def get_tasks(self, plan):
        return SpotCheckTaskSerializer(self.context["tasks"], many=True).data

    def get_reproduces(self, plan) -> bool:
        return selectors.spotchecks.plan_draw_reproduces(plan=plan, tasks=self.context["tasks"])


class DrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True,
                                   help_text="Required when the plan has been drawn already; audited.")  # fmt: skip


def _plan_detail(request, pk: int) -> Response:
    plan = selectors.spotchecks.plan_get(actor=request.user, pk=pk)
    tasks = list(selectors.spotchecks.plan_tasks(plan=plan))
    return Response(SpotCheckPlanDetailSerializer(plan, context={"tasks": tasks}).data)


class SpotCheckPlanCollection(ListAPIView):
    serializer_class = SpotCheckPlanSerializer
    # The plan page's filter set (``supervision.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = SpotCheckPlanFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(SpotCheckPlan)
        # The page's rows without its 403: the API answers others an empty list (rule 36).
        return selectors.spotchecks.plan_list(actor=self.request.user)

    @extend_schema(summary="Spot-check plans", description="Plans your organisation organises or takes part in.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SpotCheckPlanRecord(APIView):
    @extend_schema(summary="One spot-check plan with its draw and tasks", responses=SpotCheckPlanDetailSerializer)
    def get(self, request, pk: int):
        return _plan_detail(request, pk)


class SpotCheckPlanDraw(APIView):
    @extend_schema(
        summary="Draw the plan (again, with a reason)",
        description="The organiser's officers. A plan already drawn is drawn again only with a reason (audited), "
        "and not once one of its tasks is concluded.",
        request=DrawSerializer,
        responses={200: SpotCheckPlanDetailSerializer},
    )
    def post(self, request, pk: int):
        plan = selectors.spotchecks.plan_get(actor=request.user, pk=pk)
        if not rules.can_draw_plan(request.user, plan):
            raise PermissionDenied("spot_check.draw")
        body = DrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.spotchecks.plan_draw(actor=request.user, plan=plan, reason=body.validated_data.get("reason", ""))
        return _plan_detail(request, pk)


class SpotCheckTaskCollection(ListAPIView):
    serializer_class = SpotCheckTaskSerializer
    # The task page's filter set (``supervision.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = SpotCheckTaskFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model only
            return lists.schema_rows(SpotCheckTask)
        # The page's rows without its 403: the API answers others an empty list (rule 36).
        return selectors.spotchecks.task_list(actor=self.request.user)

    @extend_schema(summary="Your department's spot-check tasks")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SpotCheckTaskConclude(APIView):
    @extend_schema(
        summary="Conclude a task from its finding",
        description="An officer of the task's department, once the finding of its area has been recorded since "
        "the draw. The result is then published.",
        request=None,
        responses={200: SpotCheckTaskSerializer},
    )
    def post(self, request, pk: int):
        task = selectors.spotchecks.task_get(actor=request.user, pk=pk)
        if not rules.can_conclude_task(request.user, task):
            raise PermissionDenied("spot_check.conclude")
        services.spotchecks.task_conclude(actor=request.user, task=task)
        return Response(SpotCheckTaskSerializer(selectors.spotchecks.task_get(actor=request.user, pk=pk)).data)


urlpatterns = [
    path("supervision/spot-checks/", SpotCheckPlanCollection.as_view(), name="api_spot_check_plan_list"),
    path("supervision/spot-checks/<int:pk>/", SpotCheckPlanRecord.as_view(), name="api_spot_check_plan_detail"),
    path("supervision/spot-checks/<int:pk>/draw/", SpotCheckPlanDraw.as_view(), name="api_spot_check_plan_draw"),
    path("supervision/spot-check-tasks/", SpotCheckTaskCollection.as_view(), name="api_spot_check_task_list"),
    path("supervision/spot-check-tasks/<int:pk>/conclude/", SpotCheckTaskConclude.as_view(),
         name="api_spot_check_task_conclude"),
]  # fmt: skip
