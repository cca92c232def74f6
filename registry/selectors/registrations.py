"""Registrations, the unfiled queue and imports (``registry/views/registrations.py``,
``registry/views/imports.py``, the registration push)."""

from datetime import timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import User
from registry import parameters
from registry.models import Filing, ImportJob, Institution, Registration


def registration_list(*, actor: User, status: str = "", legal_form: str = "", text: str = "") -> QuerySet:
    queryset = Registration.objects.visible_to(actor).select_related("institution__township", "authority")
    if legal_form:
        queryset = queryset.filter(legal_form=legal_form)
    if text:
        queryset = queryset.filter(registration_text_condition(text))
    return queryset.filter(status=status) if status else queryset


def registration_text_condition(text: str) -> Q:
    """The registration list's search: the institution's name or credit code, or the certificate number."""
    return (
        Q(institution__name__icontains=text)
        | Q(institution__credit_code__icontains=text)
        | Q(certificate_number__icontains=text)
    )


def registration_get(*, actor: User, pk: int) -> Registration:
    queryset = Registration.objects.select_related("institution__organisation", "authority")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def unfiled_registered_institutions(*, actor: User) -> QuerySet:
    """Registered institutions without a filing after the set number of days (the health
    bureau's queue). "Without a filing" means none begun at all: a draft, returned or rejected
    filing is followed in the filing list instead."""
    return unfiled_since(Institution.objects.visible_to(actor), today=timezone.localdate())


def unfiled_since(institutions: QuerySet, *, today) -> QuerySet:
    """``institutions`` registered at least ``filing.unfiled_alert_days`` days before ``today``
    with no filing begun: the health bureau's queue (in its sight) and the unfiled reminder
    (``registry.reminders``, all of them)."""
    cutoff = today - timedelta(days=unfiled_alert_days())
    # EXISTS rather than a join: no DISTINCT over every column of the institutions to undo it.
    registered = Registration.objects.filter(
        institution=OuterRef("pk"), status=Registration.Status.ACTIVE, registered_on__lte=cutoff
    )
    return (
        institutions.filter(filing_status=Institution.FilingStatus.NOT_FILED)
        .filter(Exists(registered), ~Exists(Filing.objects.filter(institution=OuterRef("pk"))))
        .select_related("township")
    )


def import_job_list(*, actor: User) -> QuerySet:
    return ImportJob.objects.visible_to(actor).select_related("created_by")


def import_job_get(*, actor: User, pk: int) -> ImportJob:
    return policy.get_visible_or_404(actor, ImportJob.objects.all(), pk=pk)


def registration_find(*, actor: User, authority, credit_code: str, certificate_number: str) -> Registration | None:
    """The registration this authority already holds for (credit code, certificate number): what
    makes a repeated push from an authority's system answer with the first one."""
    return (
        Registration.objects.visible_to(actor)
        .filter(
            authority=authority,
            institution__credit_code=credit_code.strip().upper(),
            certificate_number=certificate_number.strip(),
        )
        .select_related("institution__township", "authority")
        .order_by("-id")
        .first()
    )


def unfiled_alert_days() -> int:
    """Days after registration by which an institution should have filed (a parameter the
    health bureau sets; public reference figure)."""
    return int(parameters.get("filing.unfiled_alert_days", 30))


def unfiled_institution_list(*, actor: User, township: str = "") -> QuerySet:
    """The unfiled queue page: ``unfiled_registered_institutions`` with the date of the active
    registration, longest waiting first."""
    queryset = unfiled_registered_institutions(actor=actor).annotate(registered_on=Max("registrations__registered_on"))
    if township:
        queryset = queryset.filter(township__code=township)
    return queryset.order_by("registered_on", "name")


def institutions_by_credit_code(*, actor: User, codes) -> dict[str, Institution]:
    """Institutions already in the registry under these credit codes, whoever holds them, with
    whether they have an active registration (``has_active_registration``). Used to check import
    rows before anything is written: a credit code is unique across the registry, so an import
    must learn that a code is taken even when the institution is out of the importer's sight;
    only the institution's name and legal form are shown back."""
    codes = sorted({code for code in codes if code})
    found: dict[str, Institution] = {}
    active = Registration.objects.filter(institution=OuterRef("pk"), status=Registration.Status.ACTIVE)
    for start in range(0, len(codes), 500):
        for institution in Institution.objects.filter(credit_code__in=codes[start : start + 500]).annotate(
            has_active_registration=Exists(active)
        ):
            found[institution.credit_code] = institution
    return found
