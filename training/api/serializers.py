"""Serializers of the workforce API (``training/api/``): what goes out and what comes in.

ID numbers leave only masked (``id_number_masked``, first 6 and last 4 characters); the full
number is a field of one serializer, ``StaffRevealSerializer``, the answer of the reveal action
for holders of ``staff.reveal``. The duplicate-employment flag (``employed_elsewhere``) is
written only when the selector annotated it, i.e. for the health bureau; for everyone else
the key is absent, not null. Serializers hold no business rules: the services judge the input.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.errors import ApplicationError
from accounts.models import Organisation, Region
from paperwork import bounds, files
from registry.models import ClassGroup, Institution
from training.models import (
    Certificate,
    CertificateKind,
    Participant,
    StaffMember,
    TrainingProgramme,
    TrainingSession,
)
from training.services.certificates import SCAN_MAX_BYTES, SCAN_TYPES


def _enum(choices_class, component: str) -> type[serializers.ChoiceField]:
    """A choice field whose enum is its own named component in the schema (several models call
    their choices ``kind``, ``status`` or ``role``; auto-naming would make them collide)."""

    @extend_schema_field({"type": "string", "enum": list(choices_class.values)}, component_name=component)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices_class.choices, **kwargs)

    Field.__name__ = component.removesuffix("Enum") + "Field"
    return Field


GenderField = _enum(StaffMember.Gender, "StaffGenderEnum")
RoleField = _enum(StaffMember.Role, "StaffRoleEnum")
EducationField = _enum(StaffMember.Education, "StaffEducationEnum")
CertificateStatusField = _enum(Certificate.Status, "CertificateStatusEnum")
ProgrammeKindField = _enum(TrainingProgramme.Kind, "TrainingProgrammeKindEnum")
ProgrammeStatusField = _enum(TrainingProgramme.Status, "TrainingProgrammeStatusEnum")
ParticipantKindField = _enum(Participant.Kind, "ParticipantKindEnum")
AssessmentField = _enum(Participant.Assessment, "ParticipantAssessmentEnum")

# --- References ---------------------------------------------------------------------------


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name"]


class InstitutionRefSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "name", "township_code", "township_name"]


class ClassGroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassGroup
        fields = ["id", "name", "age_band"]


class StaffRefSerializer(serializers.ModelSerializer):
    """A person named on a certificate, an expiry or a participation: no ID number at all."""

    role = RoleField(read_only=True)
    institution = InstitutionRefSerializer(read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "name", "role", "institution"]


# --- Staff --------------------------------------------------------------------------------


class StaffCertificateSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    counts_for_rate = serializers.BooleanField(source="kind.counts_for_rate", read_only=True)
    status = CertificateStatusField(read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "kind", "kind_name", "counts_for_rate", "level", "number", "issued_on", "expires_on", "status"]


class StaffSerializer(serializers.ModelSerializer):
    institution = InstitutionRefSerializer(read_only=True)
    id_number_masked = serializers.CharField(read_only=True, help_text=_("First 6 and last 4 characters."))
    gender = GenderField(read_only=True)
    role = RoleField(read_only=True)
    education = EducationField(read_only=True)
    class_group = ClassGroupRefSerializer(read_only=True, allow_null=True)
    active = serializers.SerializerMethodField()
    certificates = StaffCertificateSerializer(many=True, read_only=True)
    # Absent from the answer unless the selector annotated it (the health bureau only): a field
    # that is not required is skipped when the row has no such attribute. Not marked read-only,
    # which the schema would list as always present; the serializer is never used for input.
    employed_elsewhere = serializers.BooleanField(
        required=False, help_text=_("Also active at another institution. Present for the health bureau only.")
    )

    class Meta:
        model = StaffMember
        fields = [
            "id", "institution", "name", "id_number_masked", "gender", "role", "education", "class_group",
            "hired_on", "left_on", "active", "health_certificate_expires", "background_checked_on", "certificates",
            "employed_elsewhere",
        ]  # fmt: skip

    def get_active(self, obj) -> bool:
        return obj.is_active_on(timezone.localdate())


class StaffDetailCertificateSerializer(StaffCertificateSerializer):
    verified_by = serializers.CharField(source="verified_by.name", read_only=True, allow_null=True, default=None)

    class Meta(StaffCertificateSerializer.Meta):
        fields = StaffCertificateSerializer.Meta.fields + ["issuer", "verified_by", "verified_at"]


class StaffDetailSerializer(StaffSerializer):
    certificates = StaffDetailCertificateSerializer(many=True, read_only=True)

    class Meta(StaffSerializer.Meta):
        fields = StaffSerializer.Meta.fields + ["created_at"]


class StaffRevealSerializer(serializers.ModelSerializer):
    """The one answer with a full ID number: the reveal action, logged."""

    class Meta:
        model = StaffMember
        fields = ["id", "name", "id_number"]
        read_only_fields = fields


class StaffWriteSerializer(serializers.Serializer):
    """The fields an officer may change (``services.staff.EDITABLE_FIELDS``)."""

    name = serializers.CharField(max_length=64)
    gender = GenderField()
    role = RoleField()
    education = EducationField()
    class_group = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=bounds.ID_MAX,
        help_text=_("For caregivers: the class they look after."),
    )
    hired_on = serializers.DateField(validators=bounds.of(StaffMember, "hired_on"))
    health_certificate_expires = serializers.DateField(
        required=False, allow_null=True, validators=bounds.of(StaffMember, "health_certificate_expires")
    )
    background_checked_on = serializers.DateField(
        required=False, allow_null=True, validators=bounds.of(StaffMember, "background_checked_on")
    )


class StaffCreateSerializer(StaffWriteSerializer):
    institution = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=bounds.ID_MAX,
        help_text=_("The institution; by default the one you work for."),
    )
    id_number = serializers.CharField(max_length=32, help_text=_("18 characters; answered only masked."))


class StaffLeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField(validators=bounds.of(StaffMember, "left_on"))


class StaffRevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("Why the full ID number is needed (logged)."))


# --- Certificates -------------------------------------------------------------------------


class ScanSerializer(serializers.Serializer):
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class CertificateSerializer(serializers.ModelSerializer):
    staff = StaffRefSerializer(read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    status = CertificateStatusField(read_only=True)
    verified_by = serializers.CharField(source="verified_by.name", read_only=True, allow_null=True, default=None)
    scan = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id", "staff", "kind", "kind_name", "level", "number", "issuer", "issued_on", "expires_on", "status",
            "verified_by", "verified_at", "verification_note", "scan", "created_at",
        ]  # fmt: skip

    @extend_schema_field(ScanSerializer(allow_null=True))
    def get_scan(self, obj):
        if obj.scan is None:
            return None
        return {"original_name": obj.scan.original_name, "content_type": obj.scan.content_type, "size": obj.scan.size}


class CertificateKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificateKind
        fields = ["code", "name", "name_en", "occupation_code", "levels", "counts_for_rate", "is_active"]


class CertificateCreateSerializer(serializers.Serializer):
    staff = serializers.IntegerField(
        min_value=1, max_value=bounds.ID_MAX, help_text=_("The staff member (of your institution).")
    )
    kind = serializers.SlugField(max_length=40, help_text=_("The code of a certificate kind."))
    level = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    number = serializers.CharField(max_length=64)
    issuer = serializers.CharField(max_length=128)
    issued_on = serializers.DateField(validators=bounds.of(Certificate, "issued_on"))
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=bounds.of(Certificate, "expires_on")
    )
    scan = serializers.FileField(
        required=False, allow_null=True, default=None, help_text=_("PDF, JPEG or PNG (judged by content), 10 MB.")
    )

    def validate_scan(self, value):
        if value is not None:
            try:
                files.check_upload(value, allowed=SCAN_TYPES, max_bytes=SCAN_MAX_BYTES)
            except ApplicationError as error:
                raise serializers.ValidationError(str(error.message))
        return value


class CertificateVerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CertificateRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("Why the certificate is rejected."))


# --- Rates, expiries, coverage ------------------------------------------------------------


class RateSerializer(serializers.Serializer):
    certified = serializers.IntegerField(help_text=_("Active caregivers with a valid certificate that counts."))
    total = serializers.IntegerField(help_text=_("Active caregivers."))
    percent = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True)


class RateDefinitionSerializer(serializers.Serializer):
    requires_verification = serializers.BooleanField()
    kinds = serializers.ListField(child=serializers.CharField(), help_text=_("Kinds that count (by name)."))
    target = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False, allow_null=True)


class TownshipRateSerializer(serializers.Serializer):
    code = serializers.CharField(source="township.code")
    name = serializers.CharField(source="township.name")
    rate = RateSerializer()


class InstitutionRateRowSerializer(serializers.Serializer):
    institution = InstitutionRefSerializer()
    rate = RateSerializer()


class RatesSerializer(serializers.Serializer):
    definition = RateDefinitionSerializer()
    total = RateSerializer(help_text=_("Over all staff in your sight."))
    townships = TownshipRateSerializer(many=True)


class TownshipRatesSerializer(serializers.Serializer):
    township = RegionRefSerializer()
    definition = RateDefinitionSerializer()
    total = RateSerializer()
    institutions = InstitutionRateRowSerializer(many=True)


class InstitutionRateSerializer(serializers.Serializer):
    institution = InstitutionRefSerializer()
    definition = RateDefinitionSerializer()
    rate = RateSerializer()


class ExpirySerializer(serializers.Serializer):
    staff = StaffRefSerializer()
    what = serializers.CharField(help_text=_("The certificate kind, or the health certificate."))
    expires_on = serializers.DateField()
    expired = serializers.BooleanField()
    certificate = serializers.IntegerField(source="certificate.pk", allow_null=True, default=None)


class VillageCoverageSerializer(serializers.Serializer):
    township = RegionRefSerializer()
    villages = serializers.IntegerField()
    covered = serializers.IntegerField()
    instructors = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True)
    uncovered = RegionRefSerializer(many=True)


class CoverageTotalSerializer(serializers.Serializer):
    villages = serializers.IntegerField()
    covered = serializers.IntegerField()
    instructors = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True)


class VillageCoverageAnswerSerializer(serializers.Serializer):
    total = CoverageTotalSerializer()
    townships = VillageCoverageSerializer(many=True)


# --- Programmes ---------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingSession
        fields = ["id", "held_on", "place", "hours", "trainer", "topic"]


class ProgrammeSerializer(serializers.ModelSerializer):
    kind = ProgrammeKindField(read_only=True)
    status = ProgrammeStatusField(read_only=True)
    organiser = OrganisationRefSerializer(read_only=True)
    region = RegionRefSerializer(read_only=True)
    participant_count = serializers.IntegerField(read_only=True)
    completed_count = serializers.IntegerField(read_only=True)
    session_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingProgramme
        fields = [
            "id", "kind", "title", "organiser", "region", "starts_on", "ends_on", "status", "participant_count",
            "completed_count", "session_count",
        ]  # fmt: skip


class ProgrammeDetailSerializer(serializers.ModelSerializer):
    kind = ProgrammeKindField(read_only=True)
    status = ProgrammeStatusField(read_only=True)
    organiser = OrganisationRefSerializer(read_only=True)
    region = RegionRefSerializer(read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)
    may_run = serializers.SerializerMethodField()

    class Meta:
        model = TrainingProgramme
        fields = [
            "id", "kind", "title", "organiser", "region", "starts_on", "ends_on", "status", "description", "sessions",
            "may_run",
        ]  # fmt: skip

    def get_may_run(self, obj) -> bool:
        """Whether you may add sessions and participants and record results."""
        return bool(self.context.get("may_run"))


class ParticipantSerializer(serializers.ModelSerializer):
    kind = ParticipantKindField(read_only=True)
    staff = StaffRefSerializer(read_only=True, allow_null=True)
    village = RegionRefSerializer(read_only=True, allow_null=True)
    township = RegionRefSerializer(read_only=True, allow_null=True)
    phone_masked = serializers.CharField(read_only=True)
    sessions_attended = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    assessment = AssessmentField(read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id", "programme", "kind", "name", "staff", "village", "township", "phone_masked", "sessions_attended",
            "assessment", "score", "completed_on", "certificate_number", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProgrammeCreateSerializer(serializers.Serializer):
    kind = ProgrammeKindField()
    title = serializers.CharField(max_length=128)
    region = serializers.CharField(max_length=12, help_text=_("Statistical code of the area served."))
    starts_on = serializers.DateField(validators=bounds.of(TrainingProgramme, "starts_on"))
    ends_on = serializers.DateField(validators=bounds.of(TrainingProgramme, "ends_on"))
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class SessionCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField(validators=bounds.of(TrainingSession, "held_on"))
    place = serializers.CharField(max_length=128)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, validators=bounds.of(TrainingSession, "hours"))
    trainer = serializers.CharField(max_length=64)
    topic = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)


class ParticipantCreateSerializer(serializers.Serializer):
    kind = ParticipantKindField()
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    staff = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=bounds.ID_MAX,
        help_text=_("For staff: the roster record."),
    )
    village = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=12,
        help_text=_("12-digit code of the village or community (village health instructors)."),
    )  # fmt: skip
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


class AttendanceSerializer(serializers.Serializer):
    participants = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=bounds.ID_MAX),
        allow_empty=True,
        help_text=_("Ids of the participants present; replaces the session's record."),
    )


class AttendanceAnswerSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    present = serializers.ListField(child=serializers.IntegerField())


class AssessmentSerializer(serializers.Serializer):
    assessment = AssessmentField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True, default=None)
    completed_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=bounds.of(Participant, "completed_on")
    )
    certificate_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
