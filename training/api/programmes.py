"""The training API: programmes and their sessions (facts every member sees, policy rule 24),
participants (the organiser, the health bureau, the township of the area or the village, an
institution its own staff: rule 25), and running a programme: sessions, participants,
attendance and the assessment, by the organiser's officers only (rule 30). The same selectors,
services and policy as the pages; errors in the one API error shape."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists
from accounts.errors import ApplicationError
from registry import selectors as registry_selectors
from training import rules, selectors
from training.api.serializers import (
    AssessmentSerializer,
    AttendanceAnswerSerializer,
    AttendanceSerializer,
    ParticipantCreateSerializer,
    ParticipantSerializer,
    ProgrammeCreateSerializer,
    ProgrammeDetailSerializer,
    ProgrammeSerializer,
    SessionCreateSerializer,
    SessionSerializer,
)
from training.lists import ProgrammeFilterSet
from training.models import TrainingProgramme
from training.services import programmes as services

RUN_DUTY = "training.run"


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _require_runner(actor, programme: TrainingProgramme) -> None:
    if not rules.can_run(actor, programme):
        raise PermissionDenied(RUN_DUTY)


def _region(actor, code: str, field: str):
    region = registry_selectors.regions_by_code(actor=actor, codes=[code.strip()]).get(code.strip())
    if region is None:
        raise _field_error(field, _("No region has this statistical code."))
    return region


def _detail(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    programme = selectors.programme_get(actor=request.user, pk=pk)
    context = {"may_run": rules.can_run(request.user, programme)}
    return Response(ProgrammeDetailSerializer(programme, context=context).data, status=status_code)


class ProgrammeCollection(ListAPIView):
    """GET: training programmes, newest first (``api_programme_list``; every member). POST: an
    organisation holding a duty the kind names creates one in its jurisdiction
    (``api_programme_create``)."""

    serializer_class = ProgrammeSerializer

    # The programme page's filter set (``training.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProgrammeFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return lists.schema_rows(TrainingProgramme)
        return lists.spec_get("programmes").base(self.request.user)

    @extend_schema(summary="List training programmes")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a training programme",
        description=(
            "Trainer training and staff courses: HR, health and education bureaus; family guidance: the women's "
            "federation and the family planning association; township trainers, village instructors and "
            "volunteers: also a township in its own territory. The organiser is your organisation."
        ),
        request=ProgrammeCreateSerializer,
        responses={201: ProgrammeDetailSerializer, 403: OpenApiResponse(description="You run no programme of it.")},
    )
    def post(self, request, *args, **kwargs):
        if not rules.runnable_kinds(request.user):
            raise PermissionDenied(RUN_DUTY)
        body = ProgrammeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        programme = services.programme_create(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            region=_region(request.user, data["region"], "region"),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            description=data["description"],
        )
        return _detail(request, programme.pk, status_code=status.HTTP_201_CREATED)


class ProgrammeDetail(RetrieveAPIView):
    """One programme with its sessions, and whether you may run it."""

    serializer_class = ProgrammeDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        return _detail(request, self.kwargs["pk"])


class SessionCreate(APIView):
    @extend_schema(
        summary="Add a session",
        description="Only the organiser's officers; the date falls within the programme's.",
        request=SessionCreateSerializer,
        responses={201: SessionSerializer},
    )
    def post(self, request, pk: int):
        programme = selectors.programme_get(actor=request.user, pk=pk)
        _require_runner(request.user, programme)
        body = SessionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = services.session_add(actor=request.user, programme=programme, **body.validated_data)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class ParticipantCollection(ListAPIView):
    """GET: the participants of a programme that you may see (``api_participant_list``). POST:
    the organiser's officers add a participant (``api_participant_create``): staff by their
    roster record, village instructors with their village, members of the public by name."""

    serializer_class = ParticipantSerializer

    def get_queryset(self):
        programme = selectors.programme_get(actor=self.request.user, pk=self.kwargs["pk"])
        return selectors.participant_list(actor=self.request.user, programme=programme).order_by("name", "pk")

    @extend_schema(summary="List a programme's participants")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a participant",
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer},
    )
    def post(self, request, pk: int):
        programme = selectors.programme_get(actor=request.user, pk=pk)
        _require_runner(request.user, programme)
        body = ParticipantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        staff = None
        if data["staff"] is not None:
            try:
                staff = selectors.staff_get(actor=request.user, pk=data["staff"])
            except Http404:
                raise _field_error("staff", _("Choose the staff member."))
        village = _region(request.user, data["village"], "village") if data["village"].strip() else None
        participant = services.participant_add(
            actor=request.user,
            programme=programme,
            kind=data["kind"],
            name=data["name"],
            staff=staff,
            village=village,
            phone=data["phone"],
        )
        answer = selectors.participant_get(actor=request.user, pk=participant.pk)
        return Response(ParticipantSerializer(answer).data, status=status.HTTP_201_CREATED)


class Attendance(APIView):
    @extend_schema(
        summary="Record a session's attendance",
        description="Only the organiser's officers. The list replaces the session's earlier record.",
        request=AttendanceSerializer,
        responses={200: AttendanceAnswerSerializer},
    )
    def post(self, request, pk: int):
        session = selectors.session_get(actor=request.user, pk=pk)
        _require_runner(request.user, session.programme)
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = set(body.validated_data["participants"])
        present = list(
            selectors.participant_list(actor=request.user, programme=session.programme).filter(pk__in=wanted)
        )
        missing = sorted(wanted - {participant.pk for participant in present})
        if missing:
            raise _field_error(
                "participants",
                _("Not participants of this programme: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            )
        services.attendance_record(actor=request.user, session=session, present=present)
        return Response({"session": session.pk, "present": sorted(participant.pk for participant in present)})


class Assessment(APIView):
    @extend_schema(
        summary="Record a participant's assessment",
        description=(
            "Only the organiser's officers. A pass may complete the programme (`completed_on`) and issue a "
            "certificate (`certificate_number`); a fail or a pending assessment cannot."
        ),
        request=AssessmentSerializer,
        responses={200: ParticipantSerializer},
    )
    def post(self, request, pk: int):
        participant = selectors.participant_get(actor=request.user, pk=pk)
        _require_runner(request.user, participant.programme)
        body = AssessmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.assessment_record(actor=request.user, participant=participant, **body.validated_data)
        answer = selectors.participant_list(actor=request.user).get(pk=pk)
        return Response(ParticipantSerializer(answer).data)


programmes = ProgrammeCollection.as_view()
participants = ParticipantCollection.as_view()

urlpatterns = [
    path("training/programmes/", programmes, name="api_programme_list"),
    path("training/programmes/", programmes, name="api_programme_create"),
    path("training/programmes/<int:pk>/", ProgrammeDetail.as_view(), name="api_programme_detail"),
    path("training/programmes/<int:pk>/sessions/", SessionCreate.as_view(), name="api_session_create"),
    path("training/programmes/<int:pk>/participants/", participants, name="api_participant_list"),
    path("training/programmes/<int:pk>/participants/", participants, name="api_participant_create"),
    path("training/sessions/<int:pk>/attendance/", Attendance.as_view(), name="api_session_attendance"),
    path("training/participants/<int:pk>/assessment/", Assessment.as_view(), name="api_participant_assessment"),
]
