"""The roster API: staff in the user's sight (policy rule 23), adding a person (the ban check
runs in the service), changes, the end of an employment, and the audited reveal of one ID
number. The same selectors, services and policy as the pages; errors in the one API error
shape (``accounts.api_errors``): out of sight 404, in sight without the duty 403, bad input
400. ID numbers leave only masked; the reveal action is the one exception."""

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

from accounts import lists, second_factor
from accounts.api_errors import error_body
from accounts.errors import ApplicationError
from registry import selectors as registry_selectors
from training import rules, selectors
from training.api.serializers import (
    StaffCreateSerializer,
    StaffDetailSerializer,
    StaffLeaveSerializer,
    StaffRevealRequestSerializer,
    StaffRevealSerializer,
    StaffSerializer,
    StaffWriteSerializer,
)
from training.lists import StaffFilterSet
from training.services import staff as services


def class_group_of(actor, pk: int | None):
    """A class group named in a body: one the actor sees, else a field error (the service then
    checks that it belongs to the institution)."""
    if pk is None:
        return None
    try:
        return registry_selectors.class_group_get(actor=actor, pk=pk)
    except Http404:
        message = _("Choose one of this institution's classes.")
        raise ApplicationError(message, fields={"class_group": [message]})


def _institution_for_create(request):
    """The institution a new person joins: the one named in the body (404 out of sight), or the
    one the user works for; only its own officers add staff (403 before the body is judged)."""
    actor = request.user
    raw = request.data.get("institution") if isinstance(request.data, dict) else None
    if raw in (None, ""):
        institution = registry_selectors.institution_for_member(actor=actor)
        if institution is None:
            raise PermissionDenied(rules.SELF_DUTY)
    else:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            message = _("A valid integer is required.")
            raise ApplicationError(message, fields={"institution": [message]})
        institution = registry_selectors.institution_get(actor=actor, pk=pk)
    if not rules.may_keep_roster(actor, institution):
        raise PermissionDenied(rules.SELF_DUTY)
    return institution


def _detail(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The record as it is now, re-read through the policy (and its annotations)."""
    member = selectors.staff_get(actor=request.user, pk=pk)
    return Response(StaffDetailSerializer(member).data, status=status_code)


class StaffCollection(ListAPIView):
    """GET: staff in the user's sight (``api_staff_list``): an institution its own, a township
    those of its territory, the health and HR bureaus the city; nobody else. POST: an officer of
    an institution adds a person to its roster (``api_staff_create``)."""

    serializer_class = StaffSerializer
    # The roster page's filter set (``training.lists``): a value outside its set answers 400.
    # The list's page and export filter with the same set (accounts.lists).
    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffFilterSet

    def get_queryset(self):
        return lists.spec_get("staff").base(self.request.user)

    @extend_schema(summary="List staff")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a person to the roster",
        description=(
            "Only officers of the institution. The ID number is checked (length, birth date, check character) and "
            "screened against the lifetime ban list: a match answers 400 with a message to contact the health "
            "bureau and nothing else about the entry. The answer shows the number masked."
        ),
        request=StaffCreateSerializer,
        responses={
            201: StaffDetailSerializer,
            400: OpenApiResponse(description="Invalid fields or refused (error shape with fields)."),
            403: OpenApiResponse(description="Not an officer of the institution."),
        },
    )
    def post(self, request, *args, **kwargs):
        institution = _institution_for_create(request)
        body = StaffCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        member = services.staff_create(
            actor=request.user,
            institution=institution,
            name=data["name"],
            id_number=data["id_number"],
            gender=data["gender"],
            role=data["role"],
            education=data["education"],
            hired_on=data["hired_on"],
            class_group=class_group_of(request.user, data.get("class_group")),
            health_certificate_expires=data.get("health_certificate_expires"),
            background_checked_on=data.get("background_checked_on"),
            request=request,
        )
        return _detail(request, member.pk, status_code=status.HTTP_201_CREATED)


class StaffRecord(RetrieveAPIView):
    """GET: one person (``api_staff_detail``), with certificates. PATCH: the institution's
    officers change the fields they may (``api_staff_update``); the ID number is fixed."""

    serializer_class = StaffDetailSerializer

    def get_object(self):
        return selectors.staff_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Change a staff record",
        description=(
            "Only officers of the institution. The ID number cannot be changed: end the employment and add the "
            "person again, so that the ban check always runs. Use the leave action to end an employment."
        ),
        request=StaffWriteSerializer(partial=True),
        responses={200: StaffDetailSerializer},
    )
    def patch(self, request, pk: int):
        member = selectors.staff_get(actor=request.user, pk=pk)
        if not rules.may_keep_roster(request.user, member.institution):
            raise PermissionDenied(rules.SELF_DUTY)
        keys = set(request.data) if isinstance(request.data, dict) else set()
        fixed = sorted(keys - set(services.EDITABLE_FIELDS))
        if fixed:
            message = _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(fixed)}
            raise ApplicationError(message, fields={name: [message] for name in fixed})
        body = StaffWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if "class_group" in changes:
            changes["class_group"] = class_group_of(request.user, changes["class_group"])
        services.staff_update(actor=request.user, member=member, **changes)
        return _detail(request, pk)


class StaffLeave(APIView):
    @extend_schema(
        summary="End an employment",
        description="Only officers of the institution. The record stays (rates, history, the duplicate check).",
        request=StaffLeaveSerializer,
        responses={200: StaffDetailSerializer},
    )
    def post(self, request, pk: int):
        member = selectors.staff_get(actor=request.user, pk=pk)
        if not rules.may_keep_roster(request.user, member.institution):
            raise PermissionDenied(rules.SELF_DUTY)
        body = StaffLeaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.staff_leave(actor=request.user, member=member, left_on=body.validated_data["left_on"])
        return _detail(request, pk)


class StaffReveal(APIView):
    @extend_schema(
        summary="Reveal one full ID number",
        description=(
            "Only holders of `staff.reveal` (the health and HR bureaus), with a reason; written to the security "
            "log. The answer is not cached (`Cache-Control: no-store`)."
        ),
        request=StaffRevealRequestSerializer,
        responses={200: StaffRevealSerializer},
    )
    def post(self, request, pk: int):
        member = selectors.staff_get(actor=request.user, pk=pk)
        if not rules.may_reveal(request.user):
            raise PermissionDenied(rules.REVEAL_DUTY)
        # Signed in with a session, the code must be fresh; an API token is a factor of its own
        # (issued by the security administrator, expiring, revocable).
        if request.auth is None and not second_factor.fresh(request):
            message = _("Give a fresh code of your authenticator app to see the full ID number.")
            return Response(error_body("second_factor_stale", message), status=status.HTTP_403_FORBIDDEN)
        body = StaffRevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.staff_reveal(actor=request.user, member=member, reason=body.validated_data["reason"], request=request)
        response = Response(StaffRevealSerializer(member).data)
        response["Cache-Control"] = "no-store"
        return response


collection = StaffCollection.as_view()
record = StaffRecord.as_view()

urlpatterns = [
    path("training/staff/", collection, name="api_staff_list"),
    path("training/staff/", collection, name="api_staff_create"),
    path("training/staff/<int:pk>/", record, name="api_staff_detail"),
    path("training/staff/<int:pk>/", record, name="api_staff_update"),
    path("training/staff/<int:pk>/leave/", StaffLeave.as_view(), name="api_staff_leave"),
    path("training/staff/<int:pk>/reveal/", StaffReveal.as_view(), name="api_staff_reveal"),
]
