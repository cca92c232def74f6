"""The certificate API: certificates in the user's sight (they follow their staff member,
policy rule 23), recording one with its scan, the HR bureau's verification or rejection, the
institution's withdrawal of an unverified one, the certificate kinds and what expires soon.
The same selectors, services and policy as the pages; errors in the one API error shape."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lists
from accounts.errors import ApplicationError
from registry import selectors as registry_selectors
from training import rules, selectors
from training.api.serializers import (
    CertificateCreateSerializer,
    CertificateKindSerializer,
    CertificateRejectSerializer,
    CertificateSerializer,
    CertificateVerifySerializer,
    ExpirySerializer,
)
from training.lists import CertificateFilterSet
from training.services import certificates as services


def _answer(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The certificate as it is now, re-read through the policy."""
    return Response(
        CertificateSerializer(selectors.certificate_get(actor=request.user, pk=pk)).data, status=status_code
    )


def _staff_for_create(request):
    """The person the certificate belongs to (404 out of sight); only the officers of their
    institution record certificates (403 before the body is judged)."""
    raw = request.data.get("staff") if isinstance(request.data, dict) else None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        message = _("Choose the staff member.")
        raise ApplicationError(message, fields={"staff": [message]})
    member = selectors.staff_get(actor=request.user, pk=pk)
    if not rules.may_keep_roster(request.user, member.institution):
        raise PermissionDenied(rules.SELF_DUTY)
    return member


class CertificateCollection(ListAPIView):
    """GET: certificates in the user's sight, oldest first (``api_certificate_list``): the HR
    bureau's verification queue with ``status=pending``. POST: an officer of the institution
    records a certificate of one of its staff, as multipart with the scan
    (``api_certificate_create``)."""

    serializer_class = CertificateSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    # The certificate page's filter set (``training.lists``): a value outside its set answers 400.
    filter_backends = [DjangoFilterBackend]
    filterset_class = CertificateFilterSet

    def get_queryset(self):
        return lists.spec_get("certificates").base(self.request.user)

    @extend_schema(summary="List certificates")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record a certificate",
        description=(
            "Only officers of the staff member's institution, for current staff. Send `multipart/form-data` with "
            "the scan (PDF, JPEG or PNG, judged by its content; at most 10 MB). It waits for the HR bureau."
        ),
        request={"multipart/form-data": CertificateCreateSerializer},
        responses={
            201: CertificateSerializer,
            400: OpenApiResponse(description="Invalid fields or refused (error shape with fields)."),
        },
    )
    def post(self, request, *args, **kwargs):
        member = _staff_for_create(request)
        body = CertificateCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kind = selectors.certificate_kinds(actor=request.user, active_only=False).filter(code=data["kind"]).first()
        if kind is None:
            message = _("Choose the kind of certificate.")
            raise ApplicationError(message, fields={"kind": [message]})
        certificate = services.certificate_add(
            actor=request.user,
            member=member,
            kind=kind,
            number=data["number"],
            issuer=data["issuer"],
            issued_on=data["issued_on"],
            level=data["level"].strip(),
            expires_on=data["expires_on"],
            scan=data["scan"],
        )
        return _answer(request, certificate.pk, status_code=status.HTTP_201_CREATED)


class CertificateRecord(RetrieveAPIView):
    """GET: one certificate (``api_certificate_detail``). DELETE: the institution withdraws a
    certificate recorded by mistake, before it is verified (``api_certificate_withdraw``)."""

    serializer_class = CertificateSerializer

    def get_object(self):
        return selectors.certificate_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Withdraw a certificate",
        description="Only officers of the institution, and only before the HR bureau verified it.",
        responses={204: None, 400: OpenApiResponse(description="Already verified.")},
    )
    def delete(self, request, pk: int):
        certificate = selectors.certificate_get(actor=request.user, pk=pk)
        if not rules.may_keep_roster(request.user, certificate.staff.institution):
            raise PermissionDenied(rules.SELF_DUTY)
        services.certificate_withdraw(actor=request.user, certificate=certificate)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _Decision(APIView):
    """The HR bureau's decision; the duty is checked before the body is judged (403, not 400).
    A certificate already decided answers 400."""

    input_serializer = CertificateVerifySerializer

    def post(self, request, pk: int):
        certificate = selectors.certificate_get(actor=request.user, pk=pk)
        if not rules.may_verify(request.user):
            raise PermissionDenied(rules.VERIFY_DUTY)
        body = self.input_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.decide(request.user, certificate, body.validated_data["note"])
        return _answer(request, pk)


class CertificateVerify(_Decision):
    input_serializer = CertificateVerifySerializer

    def decide(self, actor, certificate, note):
        services.certificate_verify(actor=actor, certificate=certificate, note=note)

    @extend_schema(summary="Verify a certificate", request=CertificateVerifySerializer, responses=CertificateSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CertificateReject(_Decision):
    input_serializer = CertificateRejectSerializer

    def decide(self, actor, certificate, note):
        services.certificate_reject(actor=actor, certificate=certificate, note=note)

    @extend_schema(summary="Reject a certificate", request=CertificateRejectSerializer, responses=CertificateSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CertificateKindList(ListAPIView):
    """The kinds of certificate in use and whether each counts towards the certification rate
    (every member sees them)."""

    serializer_class = CertificateKindSerializer

    def get_queryset(self):
        return selectors.certificate_kinds(actor=self.request.user)


class ExpiryList(ListAPIView):
    """Certificates and health certificates of current staff in the user's sight that expired
    or expire within the warning period, soonest first."""

    serializer_class = ExpirySerializer

    @extend_schema(
        summary="List expiring certificates",
        parameters=[OpenApiParameter("institution", OpenApiTypes.INT, description="Only this institution's staff.")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        raw = self.request.query_params.get("institution", "")
        institution = None
        if raw:
            if not raw.isdigit():
                message = _("A valid integer is required.")
                raise ApplicationError(message, fields={"institution": [message]})
            institution = registry_selectors.institution_get(actor=self.request.user, pk=int(raw))
        return selectors.expiry_list(actor=self.request.user, institution=institution)


collection = CertificateCollection.as_view()
record = CertificateRecord.as_view()

urlpatterns = [
    path("training/certificates/", collection, name="api_certificate_list"),
    path("training/certificates/", collection, name="api_certificate_create"),
    path("training/certificates/<int:pk>/", record, name="api_certificate_detail"),
    path("training/certificates/<int:pk>/", record, name="api_certificate_withdraw"),
    path("training/certificates/<int:pk>/verify/", CertificateVerify.as_view(), name="api_certificate_verify"),
    path("training/certificates/<int:pk>/reject/", CertificateReject.as_view(), name="api_certificate_reject"),
    path("training/certificate-kinds/", CertificateKindList.as_view(), name="api_certificate_kind_list"),
    path("training/expiring/", ExpiryList.as_view(), name="api_certificate_expiring"),
]
