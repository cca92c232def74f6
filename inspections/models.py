"""The annual review (年审) and enforcement: cycles, self-reports, checklists, departmental
findings, decisions, rectification orders, revocation referrals, cases against unregistered
or unsafe providers, and the lifetime ban list.

Tenant-owned rows get their queryset through ``visible_to(user)`` (``accounts.policy``).
"""

import json

from django.db import NotSupportedError, models
from django.db.models import Lookup, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.crypto import EncryptedTextField, mask
from accounts.models import Organisation, Region, ScopedQuerySet
from paperwork import bounds
from paperwork.models import StoredFile
from registry.models import Institution, Registration


class Area(models.TextChoices):
    """The parts of a review, each checked by the department whose duty ``check.<area>`` is."""

    FIRE = "fire", _("Fire safety")
    FOOD_SAFETY = "food_safety", _("Food and drug safety")
    FEES = "fees", _("Fees")
    SECURITY = "security", _("Security")
    SAFETY = "safety", _("Safety supervision")
    HEALTH_CARE = "health_care", _("Health care")
    EDUCATION = "education", _("Care and education (kindergarten nursery classes)")

    @classmethod
    def duty(cls, area: str) -> str:
        return f"check.{area}"


class ReviewCycle(models.Model):
    """One year's annual review, opened by the health bureau with its due dates."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("review cycle", "Open")
        CLOSED = "closed", pgettext_lazy("review cycle", "Closed")

    year = models.PositiveIntegerField(_("year"), unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    self_report_due = models.DateField(_("self-reports due"), validators=[bounds.PLANNED])
    inspection_due = models.DateField(_("inspections due"), validators=[bounds.PLANNED])
    decision_due = models.DateField(_("decisions due"), validators=[bounds.PLANNED])
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    close_note = models.TextField(_("why it was closed with undecided reviews"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(self_report_due__lte=models.F("inspection_due"))
                & Q(inspection_due__lte=models.F("decision_due")),
                name="cycle_due_dates_in_order",
            )
        ]

    def __str__(self):
        return _("Annual review %(year)s") % {"year": self.year}


class AnnualReview(models.Model):
    """One institution in one cycle: self-report → findings → decision → (rectification →
    verification) → final result."""

    class Status(models.TextChoices):
        AWAITING_REPORT = "awaiting_report", _("Waiting for the self-report")
        INSPECTING = "inspecting", _("Self-report in, under inspection")
        DECIDED = "decided", pgettext_lazy("annual review", "Decided")
        RECTIFYING = "rectifying", _("Rectification ordered")
        CLOSED = "closed", pgettext_lazy("annual review", "Closed")

    class Result(models.TextChoices):
        NONE = "", _("Not decided")
        PASS = "pass", _("Passed")
        FAIL = "fail", _("Failed")

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="reviews")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="annual_reviews")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.AWAITING_REPORT)
    result = models.CharField(_("decision"), max_length=8, choices=Result.choices, blank=True, default="")
    decision_reason = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # The year's result after any rectification: failed here counts toward revocation.
    final_result = models.CharField(_("final result"), max_length=8, choices=Result.choices, blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__year", "institution__name"]
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        constraints = [models.UniqueConstraint(fields=["cycle", "institution"], name="review_one_per_cycle")]

    def __str__(self):
        return f"{self.institution} · {self.cycle.year}"


class SelfReport(models.Model):
    """The institution's structured annual report; ``data`` holds its sections (see
    ``inspections.selfreport.SECTIONS``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", pgettext_lazy("self-report", "Submitted")
        RETURNED = "returned", _("Returned with comments")
        # Never submitted when the institution closed or lost its registration: nothing is due
        # any more and no reminder is sent (``cycle_membership_sync``).
        WITHDRAWN = "withdrawn", pgettext_lazy("self-report", "Withdrawn")

    review = models.OneToOneField(AnnualReview, on_delete=models.CASCADE, related_name="self_report")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(_("report"), default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(_("submitted late"), default=False)
    return_comment = models.TextField(_("comments on return"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-report")
        verbose_name_plural = _("self-reports")

    def __str__(self):
        return f"{self.review} · {self.get_status_display()}"


class ChecklistTemplate(models.Model):
    """The checks of one duty area for one year, kept by the department owning the area."""

    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=128)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "area"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="checklist_one_per_area_year")]

    def __str__(self):
        return f"{self.title} ({self.year})"


class ChecklistItem(models.Model):
    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        VETO = "veto", _("Veto (fails the review)")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=16)
    text = models.CharField(_("check"), max_length=300)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MINOR)
    order = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["template", "order", "code"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code_unique")]

    def __str__(self):
        return f"{self.code} {self.text}"


class Finding(models.Model):
    """One department's checks of one area, for an annual review or an ad-hoc inspection (then
    ``review`` is empty); a township's local supervision visit has area ``supervision``."""

    SUPERVISION = "supervision"

    review = models.ForeignKey(AnnualReview, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="findings")
    area = models.CharField(_("area"), max_length=16)
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="findings")
    inspector = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("date of inspection"), validators=[bounds.HAPPENED])
    notes = models.TextField(_("notes"), blank=True)
    passed = models.BooleanField(_("passed"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "area"], condition=Q(review__isnull=False), name="finding_one_per_review_area"
            )
        ]

    def __str__(self):
        return f"{self.institution} · {self.area} · {self.inspected_on}"


class AreaExemption(models.Model):
    """An area of a review recorded as not applicable to the institution, with the reason (a
    provider that serves no meals has no food check): the decision may then rest on the other
    areas. Recorded by the area's department or by the health bureau, which leads the review;
    a finding recorded later for the area replaces it."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="exemptions")
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    reason = models.TextField(_("why the area does not apply"))
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["review", "area"]
        verbose_name = _("area recorded as not applicable")
        verbose_name_plural = _("areas recorded as not applicable")
        constraints = [models.UniqueConstraint(fields=["review", "area"], name="exemption_one_per_review_area")]

    def __str__(self):
        return f"{self.review} · {self.area}"


class FindingItem(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("Meets")
        FAIL = "fail", _("Does not meet")
        NOT_APPLICABLE = "na", _("Not applicable")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=4, choices=Result.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["finding", "item__order"]
        constraints = [models.UniqueConstraint(fields=["finding", "item"], name="finding_item_unique")]

    def __str__(self):
        return f"{self.item.code}: {self.result}"


class RectificationOrder(models.Model):
    """A rectification order (整改通知书) after a failed review or an inspection: the items to
    correct and the deadline; the institution answers with evidence, the inspecting
    department verifies; an overdue order escalates to the township and the health bureau.

    An order left unanswered past its deadline, or verified as not rectified, is closed by the
    health bureau as 整改不合格 (``UNMET``): that, not the verification, fails the review's year."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the institution")
        ANSWERED = "answered", _("Answered, waiting for verification")
        VERIFIED = "verified", _("Rectified")
        FAILED = "failed", _("Not rectified")
        UNMET = "unmet", _("Closed: rectification failed")
        WITHDRAWN = "withdrawn", _("Withdrawn after an objection")

    # Orders that still bind the institution (an objection suspends these).
    ACTIVE_STATUSES = (Status.OPEN, Status.ANSWERED, Status.FAILED)

    review = models.ForeignKey(AnnualReview, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="rectification_orders")
    number = models.CharField(_("order number"), max_length=40, unique=True)
    items = models.JSONField(_("items to rectify"), default=list)  # [{"area", "code", "text", "note"}]
    deadline = models.DateField(_("deadline"), validators=[bounds.PLANNED])
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    response = models.TextField(_("the institution's answer"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(_("why the rectification failed"), blank=True)
    # Set while the institution's objection to what the order follows waits for its answer:
    # the deadline does not run out, nothing escalates and the order cannot fail meanwhile.
    suspended_since = models.DateTimeField(_("suspended by an objection since"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")

    def __str__(self):
        return self.number

    @property
    def areas(self) -> list[str]:
        return sorted({item["area"] for item in self.items})


class ItemsNameArea(Lookup):
    """``items__name_area=["fire", ...]``: one of the order's items names one of these areas.

    The policy finds the orders a department verifies with it (rule 19). The items stay the
    one record of the areas; JSON containment is not portable (SQLite lacks it), so each
    database gets its own SQL."""

    lookup_name = "name_area"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [str(area) for area in self.rhs]

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"items__name_area is not written for {connection.vendor}")

    def as_sqlite(self, compiler, connection):
        if not self.rhs:
            return "1 = 0", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        marks = ", ".join(["%s"] * len(self.rhs))
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) AS item WHERE json_extract(item.value, '$.area') IN ({marks}))"
        return sql, (*lhs_params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            return "1 = 0", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Containment is false (not an error) for a value that is not a list.
        sql = " OR ".join([f"{lhs} @> %s::jsonb"] * len(self.rhs))
        params = [param for area in self.rhs for param in (*lhs_params, json.dumps([{"area": area}]))]
        return f"({sql})", params


RectificationOrder._meta.get_field("items").register_lookup(ItemsNameArea)


class RevocationReferral(models.Model):
    """Two consecutive failed years: the health bureau refers the institution to the authority
    that registered it, which decides on withdrawing the registration."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the authority")
        WITHDRAWN = "withdrawn", _("Registration withdrawn")
        DECLINED = "declined", _("Not withdrawn")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="referrals")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="referrals")
    authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_received")
    failed_reviews = models.ManyToManyField(AnnualReview, related_name="referrals")
    raised_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("revocation referral")
        verbose_name_plural = _("revocation referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["institution"], condition=Q(status="pending"), name="referral_one_pending_per_institution"
            )
        ]

    def __str__(self):
        return f"{self.institution} → {self.authority}"


class Case(models.Model):
    """An unregistered or unsafe provider found in a township: ordered to rectify, then closed
    as rectified, penalised or banned (取缔). A penalty or a ban rests on a decision (its
    document number, date, deciding department and scan) and comes after the order's
    deadline, or at once with the reason recorded; an overdue order escalates once."""

    class Status(models.TextChoices):
        OPEN = "open", _("Recorded")
        ORDERED = "ordered", _("Ordered to rectify")
        RECTIFIED = "rectified", _("Closed: rectified")
        PENALISED = "penalised", _("Closed: penalised")
        BANNED = "banned", _("Closed: banned (取缔)")

    CLOSED_STATUSES = (Status.RECTIFIED, Status.PENALISED, Status.BANNED)

    provider_name = models.CharField(_("provider"), max_length=128)
    place = models.CharField(_("place"), max_length=200)
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    found = models.TextField(_("what was found"))
    found_on = models.DateField(_("found on"), validators=[bounds.HAPPENED])
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases_recorded")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    order_text = models.TextField(_("order"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, validators=[bounds.PLANNED])
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decision_number = models.CharField(_("decision document number"), max_length=64, blank=True)
    decision_date = models.DateField(_("date of the decision"), null=True, blank=True, validators=[bounds.HAPPENED])
    decision_department = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="case_decisions"
    )
    decision_scan = models.OneToOneField(StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    immediate_reason = models.TextField(_("why it was closed before the deadline"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # The decision notice a party institution reads (行政处罚法 art. 44): the facts and the legal
    # basis, beside the reasons (the closing note) and the decision itself.
    decision_facts = models.TextField(_("facts of the decision"), max_length=4000, blank=True)
    decision_basis = models.TextField(_("legal basis of the decision"), max_length=2000, blank=True)
    # A penalty or a ban on an institution waits until the last day to object has passed with
    # no objection, or until the objection is answered; then ``in_force_at`` is set. Every other
    # closing is in force when it is recorded.
    objection_deadline = models.DateField(_("last day to object"), null=True, blank=True)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)

    SANCTIONS = (Status.PENALISED, Status.BANNED)
    # How heavy each closing is: a decision changed on objection may not be heavier (行政处罚法
    # art. 45: the penalty is not increased because the party defended itself).
    SEVERITY = {Status.RECTIFIED: 0, Status.PENALISED: 1, Status.BANNED: 2}

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return f"{self.provider_name} · {self.place}"


class BanEntry(models.Model):
    """A person barred for life (终身禁入): abusers and the managers directly responsible. The
    ID number is stored encrypted and as a keyed hash, so staff can be checked against the
    list without decrypting it; it is shown masked."""

    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"))
    id_hash = models.CharField(max_length=64, unique=True)
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"), validators=[bounds.HAPPENED])
    document = models.CharField(_("decision document"), max_length=128, blank=True)
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bans_recorded")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("lifetime ban")
        verbose_name_plural = _("lifetime bans")

    def __str__(self):
        return self.id_number_masked

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number, keep_start=6, keep_end=4)


def inspection_file_path(instance, filename):
    # Named by migrations of the former file column (files now live in paperwork.StoredFile).
    return f"inspections/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class InspectionFile(models.Model):
    """A photo of a finding, or evidence of a rectification: a stored file (judged by content,
    kept outside the web root) served only through a view that applies the policy."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    order = models.ForeignKey(
        RectificationOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    stored = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("inspection file")
        verbose_name_plural = _("inspection files")
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False, order__isnull=True) | Q(finding__isnull=True, order__isnull=False),
                name="inspection_file_belongs_to_one",
            )
        ]

    def __str__(self):
        return self.stored.original_name
