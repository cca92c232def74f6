"""The dashboard API's periodic reports, mirroring the report pages.

Who sees a report is policy rule 28 (out of sight: 404); the report endpoints open for a
reporter (a township, the city's guidance centre), the health bureau and the leading group, and
answer 403 to anyone else. The reporter of a report's region (``rules.reporting_region``)
creates, changes and submits drafts and returned reports and starts corrections of approved
ones; only ``reports.approve`` approves and returns. A report whose state does not allow the
action answers 400 with the reason (an approved report is locked: correct it with a new
version, which counts once approved). Errors in the one API error shape."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists, policy
from accounts.errors import ApplicationError
from dashboard import rules, selectors
from dashboard.api.serializers import (
    BulkApprovalSerializer,
    ReportChangeSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportIdsSerializer,
    ReportReturnSerializer,
    ReportSerializer,
    given,
)
from dashboard.lists import ReportFilterSet
from dashboard.models import PeriodicReport, ReportFigure
from dashboard.services import reports as services


def _require_reader(actor) -> None:
    if not rules.may_read_reports(actor):
        raise PermissionDenied(rules.SUBMIT_DUTY)


def _require_reporter(actor, report: PeriodicReport) -> None:
    if not rules.is_reporter(actor, report):
        raise PermissionDenied(rules.SUBMIT_DUTY)


def _answer(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    actor = request.user
    report = selectors.report_get(actor=actor, pk=pk)
    versions = selectors.report_versions(actor=actor, report=report)
    correction = next((v.pk for v in versions if v.corrects_id == report.pk), None)
    context = {
        "correction": correction,
        "may_change": rules.may_change_report(actor, report),
        "may_decide": rules.may_decide_report(actor, report),
        "may_correct": rules.may_correct_report(actor, report, corrected=correction is not None),
    }
    return Response(ReportDetailSerializer(report, context=context).data, status=status_code)


@contextmanager
def _figures_nested():
    """The services name a refused figure by itself (``population``); the API's input nests the
    figures, so the answer does too (``{"figures": {"population": [...]}}``), as it does for a
    figure that is not a whole number."""
    try:
        yield
    except ApplicationError as error:
        figures = {name: notes for name, notes in error.fields.items() if name in ReportFigure.values}
        if not figures:
            raise
        others = {name: notes for name, notes in error.fields.items() if name not in figures}
        raise ApplicationError(error.message, fields={**others, "figures": figures}) from None


def _submit_if_asked(actor, report: PeriodicReport, submit: bool) -> None:
    if submit:
        services.report_submit(actor=actor, report=report)


class ReportCollection(ListAPIView):
    """GET: the reports in your sight, newest year first (``api_report_list``). POST: a new
    report of your region (``api_report_create``)."""

    serializer_class = ReportSerializer

    # The report page's filter set (``dashboard.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return lists.schema_rows(PeriodicReport)
        return lists.spec_get("reports").base(self.request.user)

    @extend_schema(summary="List periodic reports")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a periodic report",
        description=(
            "A township reports for its township, the health bureau for the city. One report per region and "
            "year (a mistake in an approved one is corrected by a new version). Figures are whole numbers from 0; "
            "a part cannot exceed its whole. `submit: true` submits it for approval at once."
        ),
        request=ReportCreateSerializer,
        responses={
            201: ReportDetailSerializer,
            403: OpenApiResponse(description="You report for no region."),
            404: OpenApiResponse(description="The region named is out of your sight."),
        },
    )
    def post(self, request, *args, **kwargs):
        actor = request.user
        if rules.reporting_region(actor) is None:
            raise PermissionDenied(rules.SUBMIT_DUTY)
        body = ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with _figures_nested():
            report = services.report_save(
                actor=actor,
                year=data["year"],
                figures=given(data["figures"]),
                source=data["source"],
                region_code=data.get("region", "").strip(),
            )
        _submit_if_asked(actor, report, data["submit"])
        return _answer(request, report.pk, status_code=status.HTTP_201_CREATED)


def _merged(report: PeriodicReport, data: dict) -> tuple[dict, str]:
    """The report's figures with those given over them, and the source given or the report's."""
    return given({**(report.figures or {}), **data.get("figures", {})}), data.get("source", report.source)


class ReportRecord(APIView):
    """GET: one report with what you may do with it (``api_report_detail``). PATCH: the region's
    reporter changes a draft or a returned report (``api_report_update``)."""

    @extend_schema(summary="A periodic report", responses={200: ReportDetailSerializer})
    def get(self, request, pk: int):
        return _answer(request, pk)

    @extend_schema(
        summary="Change a draft or returned report",
        description=(
            "The figures given replace the report's (a null removes one); the others and the source stay. A "
            "submitted or approved report is locked (400)."
        ),
        request=ReportChangeSerializer,
        responses={200: ReportDetailSerializer},
    )
    def patch(self, request, pk: int):
        actor = request.user
        report = selectors.report_get(actor=actor, pk=pk)
        _require_reporter(actor, report)
        body = ReportChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        figures, source = _merged(report, body.validated_data)
        with _figures_nested():
            report = services.report_save(actor=actor, year=report.year, figures=figures, source=source, report=report)
        data = body.validated_data
        _submit_if_asked(actor, report, data["submit"])
        return _answer(request, report.pk)


class ReportSubmit(APIView):
    @extend_schema(
        summary="Submit a report for approval",
        description="The region's reporter; only a draft or a returned report (else 400).",
        request=None,
        responses={200: ReportDetailSerializer},
    )
    def post(self, request, pk: int):
        report = selectors.report_get(actor=request.user, pk=pk)
        _require_reporter(request.user, report)
        services.report_submit(actor=request.user, report=report)
        return _answer(request, pk)


class ReportApprove(APIView):
    @extend_schema(
        summary="Approve a report",
        description=(
            "`reports.approve` only; only a submitted report (else 400). Its figures count from the next snapshot "
            "refresh; an approved correction replaces the version it corrects, which becomes superseded."
        ),
        request=None,
        responses={200: ReportDetailSerializer},
    )
    def post(self, request, pk: int):
        report = selectors.report_get(actor=request.user, pk=pk)
        policy.require_duty(request.user, rules.APPROVE_DUTY)
        services.report_approve(actor=request.user, report=report)
        return _answer(request, pk)


class ReportReturn(APIView):
    @extend_schema(
        summary="Return a report with a reason",
        description="`reports.approve` only; only a submitted report; the reason is required.",
        request=ReportReturnSerializer,
        responses={200: ReportDetailSerializer},
    )
    def post(self, request, pk: int):
        report = selectors.report_get(actor=request.user, pk=pk)
        policy.require_duty(request.user, rules.APPROVE_DUTY)
        body = ReportReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.report_return(actor=request.user, report=report, reason=body.validated_data["reason"])
        return _answer(request, pk)


class ReportCorrect(APIView):
    @extend_schema(
        summary="Correct an approved report",
        description=(
            "The region's reporter starts a new version of an approved report, starting from its figures and source "
            "(those given replace them), as a draft (`submit: true` submits it). The approved version keeps "
            "counting until the correction is approved."
        ),
        request=ReportChangeSerializer,
        responses={201: ReportDetailSerializer},
    )
    def post(self, request, pk: int):
        actor = request.user
        report = selectors.report_get(actor=actor, pk=pk)
        _require_reporter(actor, report)
        body = ReportChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        figures, source = _merged(report, data)
        with _figures_nested():
            correction = services.report_correct(actor=actor, report=report, figures=figures, source=source)
        _submit_if_asked(actor, correction, data["submit"])
        return _answer(request, correction.pk, status_code=status.HTTP_201_CREATED)


class ReportApproveMany(APIView):
    @extend_schema(
        summary="Approve several reports",
        operation_id="v1_dashboard_reports_approve_many",
        description=(
            "`reports.approve` only. Each report is approved on its own: one that cannot be (not submitted) does "
            "not stop the others and is named in `problems`. Ids that do not exist or are out of your sight are "
            "listed in `not_found` alike."
        ),
        request=ReportIdsSerializer,
        responses={200: BulkApprovalSerializer},
    )
    def post(self, request):
        actor = request.user
        policy.require_duty(actor, rules.APPROVE_DUTY)
        body = ReportIdsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found, missing = selectors.reports_for_approval(actor=actor, ids=body.validated_data["ids"])
        approved, problems = services.reports_approve_many(actor=actor, reports=found)
        return Response(BulkApprovalSerializer({"approved": approved, "problems": problems, "not_found": missing}).data)


reports = ReportCollection.as_view()
report = ReportRecord.as_view()

urlpatterns = [
    path("dashboard/reports/", reports, name="api_report_list"),
    path("dashboard/reports/", reports, name="api_report_create"),
    path("dashboard/reports/approve/", ReportApproveMany.as_view(), name="api_report_approve_many"),
    path("dashboard/reports/<int:pk>/", report, name="api_report_detail"),
    path("dashboard/reports/<int:pk>/", report, name="api_report_update"),
    path("dashboard/reports/<int:pk>/submit/", ReportSubmit.as_view(), name="api_report_submit"),
    path("dashboard/reports/<int:pk>/approve/", ReportApprove.as_view(), name="api_report_approve"),
    path("dashboard/reports/<int:pk>/return/", ReportReturn.as_view(), name="api_report_return"),
    path("dashboard/reports/<int:pk>/correct/", ReportCorrect.as_view(), name="api_report_correct"),
]
