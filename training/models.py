"""The workforce: staff rosters of institutions, their certificates, and training programmes
(trainers, village health instructors, staff courses, family caregiver guidance, volunteers).

ID numbers are stored encrypted with a keyed hash for look-up and shown masked (first 6, last
4); unmasking needs the ``staff.reveal`` duty and a reason, and is logged. Rows are read
through ``visible_to(user)`` (``accounts.policy``).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import idnumbers
from accounts.crypto import EncryptedTextField, mask
from accounts.models import Organisation, Region, ScopedQuerySet
from paperwork import bounds
from paperwork.models import ImportJobBase, StoredFile
from registry.models import ClassGroup, Institution


def stored_file_path(instance, filename):
    # Named by migrations of the former scan column (scans now live in paperwork.StoredFile).
    return f"training/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class StaffMember(models.Model):
    class Role(models.TextChoices):
        PERSON_IN_CHARGE = "person_in_charge", _("Person in charge")
        CAREGIVER = "caregiver", _("Caregiver")
        HEALTH_WORKER = "health_worker", _("Health worker")
        COOK = "cook", _("Cook")
        GUARD = "guard", _("Security guard")
        OTHER = "other", _("Other")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class Education(models.TextChoices):
        BELOW_HIGH_SCHOOL = "below_high_school", _("Below senior secondary")
        HIGH_SCHOOL = "high_school", _("Senior secondary or vocational school")
        COLLEGE = "college", _("College (大专)")
        BACHELOR = "bachelor", _("Bachelor's degree")
        POSTGRADUATE = "postgraduate", _("Postgraduate")

    # The person in charge needs a college degree or above (托育机构设置标准).
    COLLEGE_OR_ABOVE = (Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE)

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedTextField(_("ID number"))
    id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    role = models.CharField(pgettext_lazy("staff", "post"), max_length=24, choices=Role.choices, db_index=True)
    education = models.CharField(_("education"), max_length=24, choices=Education.choices)
    class_group = models.ForeignKey(
        ClassGroup,
        verbose_name=_("class group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("For caregivers: the class they look after."),
    )
    hired_on = models.DateField(_("hired on"), validators=[bounds.HAPPENED])
    left_on = models.DateField(_("left on"), null=True, blank=True, db_index=True, validators=[bounds.HAPPENED])
    health_certificate_expires = models.DateField(
        _("health certificate valid until"), null=True, blank=True, validators=[bounds.VALID_UNTIL]
    )
    background_checked_on = models.DateField(
        _("background check date"), null=True, blank=True, validators=[bounds.HAPPENED]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        # The primary key last: two people of one name and post in one institution keep their places,
        # so that pages of the roster never overlap.
        ordering = ["institution", "left_on", "role", "name", "pk"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        indexes = [
            models.Index(fields=["institution", "left_on"], name="staff_institution_active_idx"),
            # The work queue's count of expired health certificates (a seventh of the staff).
            models.Index(fields=["health_certificate_expires"], name="staff_health_expiry_idx"),
            # The roster's sort keys.
            models.Index(fields=["name"], name="staff_name_idx"),
            models.Index(fields=["hired_on"], name="staff_hired_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self) -> str:
        return idnumbers.masked(self.id_number)

    def is_active_on(self, day) -> bool:
        return self.hired_on <= day and (self.left_on is None or self.left_on > day)

    @staticmethod
    def active_q(day, prefix: str = "") -> Q:
        """Employed on ``day``: hired by then and not yet left."""
        return Q(**{f"{prefix}hired_on__lte": day}) & (
            Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
        )


class CertificateKind(models.Model):
    """A kind of certificate (育婴员, 保育师, a nurse's licence…). Which kinds count towards the
    certification rate is data the health bureau changes (``counts_for_rate``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=100)
    occupation_code = models.CharField(_("occupation code"), max_length=16, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    counts_for_rate = models.BooleanField(_("counts towards the certification rate"), default=False)
    is_active = models.BooleanField(pgettext_lazy("certificate kind", "in use"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("certificate kind")
        verbose_name_plural = _("certificate kinds")

    def __str__(self):
        return self.name


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", pgettext_lazy("certificate", "Rejected")

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="certificates")
    kind = models.ForeignKey(CertificateKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(pgettext_lazy("certificate", "level"), max_length=32, blank=True)
    number = models.CharField(_("certificate number"), max_length=64)
    issuer = models.CharField(_("issued by"), max_length=128)
    issued_on = models.DateField(_("issued on"), validators=[bounds.HAPPENED])
    expires_on = models.DateField(
        _("valid until"), null=True, blank=True, db_index=True, validators=[bounds.VALID_UNTIL]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    verified_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    scan = models.OneToOneField(
        StoredFile, verbose_name=_("scan"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["staff", "kind__order", "-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="certificate_kind_number_unique"),
        ]
        indexes = [
            # The work queue's count of expired certificates (a third of them): their holders read
            # from the index alone. Rejected ones never count ("rejected" is Status.REJECTED).
            models.Index(
                fields=["expires_on", "staff"], condition=~Q(status="rejected"), name="certificate_expired_idx"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.number}"

    @staticmethod
    def valid_q(day, prefix: str = "", *, require_verification: bool = True) -> Q:
        """Counts on ``day``: not expired, not rejected (and verified, unless the bureau's
        definition says otherwise)."""
        condition = Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day})
        if require_verification:
            return condition & Q(**{f"{prefix}status": Certificate.Status.VERIFIED})
        return condition & ~Q(**{f"{prefix}status": Certificate.Status.REJECTED})


class TrainingProgramme(models.Model):
    class Kind(models.TextChoices):
        TRAINER_CITY = "trainer_city", _("Trainer training (city level)")
        TRAINER_TOWNSHIP = "trainer_township", _("Trainer training (township level)")
        VILLAGE_INSTRUCTOR = "village_instructor", _("Village health instructors")
        PRE_JOB = "pre_job", _("Pre-job training for staff")
        IN_SERVICE = "in_service", _("In-service training for staff")
        FAMILY_CLASS = "family_class", _("Family caregiver class")
        HOME_VISIT = "home_visit", _("Home visits")
        VOLUNTEER = "volunteer", _("Volunteer training")

    # Who may run each kind (Annex 2): HR and the health bureau train staff and trainers; the
    # women's federation and the family planning association guide families; a township trains
    # its village instructors and volunteers under its guidance network duty.
    RUNNING_DUTIES = {
        Kind.TRAINER_CITY: {"training.run"},
        Kind.TRAINER_TOWNSHIP: {"training.run", "guidance.manage"},
        Kind.VILLAGE_INSTRUCTOR: {"training.run", "guidance.manage"},
        Kind.PRE_JOB: {"training.run"},
        Kind.IN_SERVICE: {"training.run"},
        Kind.FAMILY_CLASS: {"training.run", "family.guidance"},
        Kind.HOME_VISIT: {"training.run", "family.guidance"},
        Kind.VOLUNTEER: {"training.run", "family.guidance", "guidance.manage"},
    }
    TRAINER_KINDS = (Kind.TRAINER_CITY, Kind.TRAINER_TOWNSHIP)

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=128)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="training_programmes"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="training_programmes"
    )
    starts_on = models.DateField(_("starts on"), validators=[bounds.PLANNED])
    ends_on = models.DateField(_("ends on"), validators=[bounds.PLANNED])
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")

    def __str__(self):
        return self.title


class TrainingSession(models.Model):
    programme = models.ForeignKey(TrainingProgramme, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"), validators=[bounds.PLANNED])
    place = models.CharField(_("place"), max_length=128)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    trainer = models.CharField(_("trainer"), max_length=64)
    topic = models.CharField(_("topic"), max_length=128, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "held_on", "pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self):
        return f"{self.programme} {self.held_on}"


class Participant(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff of an institution")
        VILLAGE_INSTRUCTOR = "village_instructor", _("Village health instructor")
        PUBLIC = "public", _("Member of the public")

    class Assessment(models.TextChoices):
        PENDING = "pending", _("Not yet assessed")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(TrainingProgramme, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("participant kind"), max_length=24, choices=Kind.choices)
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="participations",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=64)
    phone = EncryptedTextField(_("mobile"), blank=True)
    village = models.ForeignKey(
        Region, verbose_name=_("village or community"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_participants",
    )  # fmt: skip
    township = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sessions_attended = models.ManyToManyField(TrainingSession, blank=True, related_name="attendees")
    assessment = models.CharField(
        _("assessment"), max_length=16, choices=Assessment.choices, default=Assessment.PENDING
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, db_index=True, validators=[bounds.PLANNED]
    )
    certificate_number = models.CharField(_("certificate issued"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "staff"], condition=Q(staff__isnull=False), name="participant_staff_once"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask(self.phone, keep_start=3, keep_end=4)

    @property
    def completed(self) -> bool:
        return self.completed_on is not None


class WorkforceImportJob(ImportJobBase):
    """A workforce import from Excel (staff, certificates, a programme's participants), run as a
    Celery task with progress, a row report and a heartbeat (``paperwork.models.ImportJobBase``).
    Seen by its uploader only."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CERTIFICATES = "certificates", _("Certificates")
        PARTICIPANTS = "participants", _("Participants")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="imports/workforce/%Y/%m/", max_length=200)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    programme = models.ForeignKey(TrainingProgramme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta(ImportJobBase.Meta):
        verbose_name = _("workforce import")
        verbose_name_plural = _("workforce imports")
