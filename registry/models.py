"""The registry: care institutions, their registrations with the three authorities, filings
with the health bureau, fees, residential areas and the guidance network.

Tenant-owned rows get their queryset through ``visible_to(user)`` (``accounts.policy``).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, DateField, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField, mask
from accounts.models import Organisation, Region, ScopedQuerySet
from paperwork import bounds
from paperwork.models import ImportJobBase, StoredFile
from registry.validators import validate_credit_code


class Parameter(models.Model):
    """A figure from national rules or the city's policy that the health bureau may change
    (class sizes, ratios, slots per 1,000 people, review time limits). Null: not set.

    ``minimum``, ``maximum``, ``whole_number`` and ``default`` come with the parameter's
    definition (the apps' data files, rewritten at each reference load); ``value`` is the
    bureau's. A parameter whose default is null may be left empty (no check)."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    label = models.CharField(_("label"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    minimum = models.DecimalField(_("minimum"), max_digits=10, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(_("maximum"), max_digits=10, decimal_places=2, null=True, blank=True)
    whole_number = models.BooleanField(_("whole number"), default=False)
    default = models.DecimalField(_("default"), max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self):
        return f"{self.label}: {self.value}"

    @property
    def range_text(self) -> str:
        """The allowed range as people write it: ``1–50``, ``0.5–100``."""
        if self.minimum is None or self.maximum is None:
            return ""
        return f"{self.minimum.normalize():f}–{self.maximum.normalize():f}"


class CalendarDay(models.Model):
    """The health bureau's override of the published holiday calendar (``registry.workdays``):
    a day of a year the ``chinese-calendar`` package does not know yet that breaks the
    Monday-to-Friday rule, or a day on which the bureau corrects the package."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '放假'}"


class Institution(models.Model):
    """A care institution (托育机构) of any type. Its tenant is ``organisation``; it lies in a
    village or community, and so in a township."""

    class LegalForm(models.TextChoices):
        PUBLIC_INSTITUTION = "public_institution", _("Public institution")
        NONPROFIT = "nonprofit", _("Non-profit social organisation")
        COMPANY = "company", _("Company (for-profit)")

    # The duty of the authority that registers each legal form (Annex 2).
    REGISTRATION_DUTY = {
        LegalForm.PUBLIC_INSTITUTION: "register.public_institution",
        LegalForm.NONPROFIT: "register.nonprofit",
        LegalForm.COMPANY: "register.company",
    }

    class ProviderType(models.TextChoices):
        STANDALONE = "standalone", _("Stand-alone nursery")
        KINDERGARTEN_CLASS = "kindergarten_class", _("Kindergarten nursery class")
        EMPLOYER_RUN = "employer_run", _("Employer-run")
        COMMUNITY_RUN = "community_run", _("Community-run")
        FAMILY_CARE_POINT = "family_care_point", _("Family care point")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        OPERATING = "operating", _("Operating")
        CLOSED = "closed", _("Closed")
        REVOKED = "revoked", _("Registration withdrawn")

    class FilingStatus(models.TextChoices):
        NOT_FILED = "not_filed", _("Not filed")
        PENDING = "pending", _("Filing under review")
        FILED = "filed", _("Filed")
        CANCELLED = "cancelled", _("Filing cancelled")

    class EducationApproval(models.TextChoices):
        """The education bureau's approval of a kindergarten nursery class (托幼一体化审批,
        Annex 2), a step before its filing; blank for every other provider type."""

        PENDING = "pending", _("Awaiting education approval")
        APPROVED = "approved", _("Approved by education")
        REFUSED = "refused", _("Refused by education")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="institution", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=128)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    legal_form = models.CharField(_("legal form"), max_length=32, choices=LegalForm.choices)
    provider_type = models.CharField(_("provider type"), max_length=32, choices=ProviderType.choices)
    inclusive = models.BooleanField(_("inclusive (普惠)"), default=False)
    demonstration = models.BooleanField(_("demonstration (示范)"), default=False)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("village or community")
    )
    # Denormalised from the village so that township filters and counts need no join.
    township = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="township_institutions", verbose_name=_("township")
    )
    address = models.CharField(_("address"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    person_in_charge = models.CharField(_("person in charge"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    full_day = models.BooleanField(_("full-day care"), default=True)
    half_day = models.BooleanField(_("half-day care"), default=False)
    hourly = models.BooleanField(_("hourly care"), default=False)
    temporary = models.BooleanField(_("temporary care"), default=False)
    indoor_area = models.DecimalField(
        _("indoor floor area (m²)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    outdoor_area = models.DecimalField(
        _("outdoor area (m²)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    meals_served = models.BooleanField(_("serves meals"), default=True)
    opened_on = models.DateField(_("opening date"), null=True, blank=True, validators=[bounds.HAPPENED])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREPARING)
    filing_status = models.CharField(
        _("filing status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.NOT_FILED, db_index=True
    )
    filing_number = models.CharField(_("filing number"), max_length=40, blank=True)
    education_approval = models.CharField(
        _("education approval"), max_length=16, choices=EducationApproval.choices, blank=True, db_index=True
    )
    education_decided_at = models.DateTimeField(_("education decided at"), null=True, blank=True)
    education_decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("education decided by"),
    )  # fmt: skip
    education_note = models.TextField(_("education decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["township__code", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="institution_credit_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["township", "status"], name="institution_township_idx"),
            # The list's sort keys.
            models.Index(fields=["name"], name="institution_name_idx"),
            models.Index(fields=["opened_on"], name="institution_opened_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def registration_duty(self) -> str:
        return self.REGISTRATION_DUTY[self.legal_form]

    @property
    def service_modes(self) -> list[str]:
        names = [("full_day", _("full-day")), ("half_day", _("half-day")), ("hourly", _("hourly")),
                 ("temporary", _("temporary"))]  # fmt: skip
        return [str(label) for field, label in names if getattr(self, field)]

    @property
    def contact_phone_masked(self) -> str:
        return mask(self.contact_phone, keep_start=3, keep_end=4)

    @property
    def is_family_care_point(self) -> bool:
        return self.provider_type == self.ProviderType.FAMILY_CARE_POINT


# A class of more than this is a typing error, whatever the standards (20 at most) say: the
# figure is refused rather than summed into the public slot counts.
CLASS_MAX = 999


class ClassGroup(models.Model):
    """A class of children of one age band, checked against the national class-size and
    caregiver-ratio standards (warnings the reviewer sees, see ``registry.standards``)."""

    class AgeBand(models.TextChoices):
        INFANT = "infant", _("Infant class (6–12 months)")
        TODDLER = "toddler", _("Toddler class (12–24 months)")
        OLDER = "older", _("Older toddler class (24–36 months)")
        MIXED = "mixed", _("Mixed class (18 months and over)")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="class_groups")
    name = models.CharField(_("class name"), max_length=64)
    age_band = models.CharField(_("age band"), max_length=16, choices=AgeBand.choices)
    places = models.PositiveIntegerField(_("places (slots)"), validators=[MaxValueValidator(CLASS_MAX)])
    enrolled = models.PositiveIntegerField(_("children enrolled"), default=0, validators=[MaxValueValidator(CLASS_MAX)])
    caregivers = models.PositiveIntegerField(_("caregivers"), default=0, validators=[MaxValueValidator(CLASS_MAX)])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institution", "age_band", "name"]
        verbose_name = _("class group")
        verbose_name_plural = _("class groups")

    def __str__(self):
        return f"{self.name} ({self.get_age_band_display()})"


class Registration(models.Model):
    """A legal registration with the authority of the institution's legal form."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Registered")
        REVOKED = "revoked", _("Revoked")

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered")
        API = "api", _("Pushed by API")
        IMPORTED = "imported", _("Imported")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="registrations")
    authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registrations_made", verbose_name=_("authority")
    )
    legal_form = models.CharField(_("legal form"), max_length=32, choices=Institution.LegalForm.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=64)
    registered_on = models.DateField(_("registration date"), validators=[bounds.HAPPENED])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    revoked_on = models.DateField(_("revocation date"), null=True, blank=True, validators=[bounds.HAPPENED])
    revoke_reason = models.TextField(_("revocation reason"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["institution"], condition=Q(status="active"), name="registration_one_active_per_institution"
            ),
        ]

    def __str__(self):
        return f"{self.institution} · {self.certificate_number}"


def filing_queue_keys() -> tuple:
    """The review queue's order: filings waiting for review first, the one due soonest on top,
    then the newest. The selector orders by these and an index holds the same expressions, so
    the queue (the list's and the API's default order) is read from the index in order."""
    waiting = Q(status="submitted")
    return (
        Case(When(waiting, then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(When(waiting, then=F("due_on")), default=None, output_field=DateField()),
    )


class Filing(models.Model):
    """A filing (备案) with the health bureau and its review.

    draft → submitted → accepted / rejected, or → returned → submitted again (a
    resubmission) …; ``services.filings`` holds the transitions."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial filing")
        CHANGE = "change", _("Change filing")
        CLOSURE = "closure", _("Closure filing")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, under review")
        RETURNED = "returned", _("Returned for correction")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    DECIDED_STATUSES = (Status.ACCEPTED, Status.REJECTED)

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    summary = models.TextField(_("what is filed or changed"), blank=True)
    commitment_signed_by = models.CharField(_("commitment signed by"), max_length=64, blank=True)
    submissions = models.PositiveIntegerField(_("times submitted"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    due_on = models.DateField(_("review due by"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    # {attachment kind or "general": reason} — the reasons a returned filing must answer.
    return_reasons = models.JSONField(_("reasons for return"), default=dict, blank=True)
    number = models.CharField(_("filing number"), max_length=40, blank=True)
    # A closure filing (终止备案): the last day of service and where the enrolled children go.
    closure_on = models.DateField(_("closure date"), null=True, blank=True, validators=[bounds.PLANNED])
    placement = models.TextField(_("placement of the enrolled children"), blank=True)
    # A change filing (变更备案): what the institution proposes, applied to the registry only
    # when the health bureau accepts it (``registry.services.changes``):
    # {"fields": {field: value}, "classes": {"<class id>" or "new-<n>": {...} or {"remove": true}}}.
    proposal = models.JSONField(_("proposed changes"), default=dict, blank=True)
    # The registry's values the accepted proposal replaced, in the same shape: the history of
    # a change keeps its "before" once the registry shows the "after".
    replaced = models.JSONField(_("values replaced"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="filing_number_unique"),
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="filing_one_open_per_institution",
            ),
        ]
        indexes = [
            # The list's and the API's default order (the review queue), the date filter and
            # sort, and the monthly ledger of accepted filings.
            models.Index(*filing_queue_keys(), F("created_at").desc(), F("id").desc(), name="filing_queue_idx"),
            models.Index(fields=["submitted_at"], name="filing_submitted_idx"),
            models.Index(fields=["status", "decided_at"], name="filing_decided_idx"),
        ]

    def __str__(self):
        return f"{self.institution} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.SUBMITTED and self.due_on is not None and self.due_on < timezone.localdate()


class NumberSequence(models.Model):
    """The last number given to one kind of document in one year (filing numbers, rectification
    orders, ...). ``registry.services.numbers.next_number`` locks the row while it takes one,
    so two documents issued at once never share a number. Each app names its own kinds: the
    registry does not know the documents of the apps built on it."""

    kind = models.CharField(max_length=32)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="number_sequence_one_per_kind_year")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"


def attachment_path(instance, filename):
    # Named by migrations of the former file column (files now live in paperwork.StoredFile).
    return f"filings/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class FilingAttachment(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate or business licence")
        PREMISES = "premises", _("Proof of premises")
        FIRE_SAFETY = "fire_safety", _("Fire acceptance or inspection")
        HEALTH_EVALUATION = "health_evaluation", _("Hygiene evaluation report")
        FOOD_LICENCE = "food_licence", _("Food business licence")
        STAFF_QUALIFICATIONS = "staff_qualifications", _("Staff qualifications and health certificates")
        COMMITMENT = "commitment", _("Signed filing commitment")
        OTHER = "other", _("Other document")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("document"), max_length=32, choices=Kind.choices)
    stored = models.OneToOneField(StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("filing attachment")
        verbose_name_plural = _("filing attachments")

    def __str__(self):
        return self.stored.original_name


class FeeSchedule(models.Model):
    """A published fee of an institution for one service mode and age band."""

    class ServiceMode(models.TextChoices):
        FULL_DAY = "full_day", _("Full-day care")
        HALF_DAY = "half_day", _("Half-day care")
        HOURLY = "hourly", _("Hourly care")
        TEMPORARY = "temporary", _("Temporary care")

    class Unit(models.TextChoices):
        MONTH = "month", _("per month")
        HOUR = "hour", _("per hour")
        DAY = "day", _("per day")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="fees")
    service_mode = models.CharField(_("service mode"), max_length=16, choices=ServiceMode.choices)
    age_band = models.CharField(_("age band"), max_length=16, choices=ClassGroup.AgeBand.choices, blank=True)
    amount = models.DecimalField(_("fee (yuan)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.MONTH)
    meal_fee = models.DecimalField(
        _("meal fee (yuan per month)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    effective_from = models.DateField(_("effective from"), validators=[bounds.PLANNED])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["institution", "service_mode", "-effective_from"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self):
        return f"{self.institution} {self.get_service_mode_display()} {self.amount}"


class PricingGuidance(models.Model):
    """The development and reform commission's guide price for inclusive care."""

    service_mode = models.CharField(_("service mode"), max_length=16, choices=FeeSchedule.ServiceMode.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=FeeSchedule.Unit.choices, default=FeeSchedule.Unit.MONTH)
    max_amount = models.DecimalField(_("guide price, at most (yuan)"), max_digits=9, decimal_places=2)
    effective_from = models.DateField(_("effective from"), validators=[bounds.PLANNED])
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["service_mode", "-effective_from"]
        verbose_name = _("pricing guidance")
        verbose_name_plural = _("pricing guidance")

    def __str__(self):
        return f"{self.get_service_mode_display()} ≤ {self.max_amount}"


class ResidentialArea(models.Model):
    """A residential area where the 9 (new) or 6 (old) slots per 1,000 people standard applies."""

    class Kind(models.TextChoices):
        NEW = "new", _("New residential area")
        OLD = "old", _("Old town or built-up area")

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="residential_areas")
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="township_residential_areas")
    population = models.PositiveIntegerField(_("population"), validators=[MaxValueValidator(2_000_000)])
    planned_slots = models.PositiveIntegerField(
        _("planned care slots"), default=0, validators=[MaxValueValidator(100_000)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["township__code", "name"]
        verbose_name = _("residential area")
        verbose_name_plural = _("residential areas")

    def __str__(self):
        return self.name


class GuidanceSite(models.Model):
    """A node of the three-level guidance network and the villages it covers."""

    class Level(models.TextChoices):
        CITY_CENTRE = "city_centre", _("City guidance centre")
        TOWNSHIP_STATION = "township_station", _("Township guidance station")
        VILLAGE_POINT = "village_point", _("Village guidance point")
        EARLY_DEVELOPMENT_CENTRE = "early_development", _("Early development centre")

    name = models.CharField(_("name"), max_length=128)
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="guidance_sites")
    address = models.CharField(_("address"), max_length=200, blank=True)
    covered_villages = models.ManyToManyField(Region, blank=True, related_name="covering_sites")
    opened_on = models.DateField(_("opening date"), null=True, blank=True, validators=[bounds.HAPPENED])
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    # A closed site stays on record (its activities are history) but covers no village any
    # longer: the villages it covered are in the audit trail of its closing.
    closed_on = models.DateField(_("closing date"), null=True, blank=True, validators=[bounds.HAPPENED])
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["level", "region__code", "name"]
        verbose_name = _("guidance site")
        verbose_name_plural = _("guidance sites")

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class GuidanceActivity(models.Model):
    """Something a guidance site did for families: a talk, home visits, a consultation day."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Parenting talk")
        HOME_VISIT = "home_visit", _("Home visits")
        CONSULTATION = "consultation", _("Consultation day")
        TRAINING = "training", _("Caregiver training")
        OTHER = "other", _("Other")

    site = models.ForeignKey(GuidanceSite, on_delete=models.CASCADE, related_name="activities")
    held_on = models.DateField(_("date"), validators=[bounds.HAPPENED])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=128)
    participants = models.PositiveIntegerField(
        _("number of participants"), default=0, validators=[MaxValueValidator(99999)]
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("guidance activity")
        verbose_name_plural = _("guidance activities")

    def __str__(self):
        return f"{self.held_on} {self.title}"


class ImportJob(ImportJobBase):
    """A bulk import of institutions or registrations from an Excel template, run as a Celery
    task with progress (``paperwork.models.ImportJobBase``), for its uploader's organisation."""

    class Kind(models.TextChoices):
        INSTITUTIONS = "institutions", _("Institutions")
        REGISTRATIONS = "registrations", _("Registrations")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta(ImportJobBase.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")
