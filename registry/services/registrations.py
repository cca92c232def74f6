"""Registrations by the three authorities (编办, 民政, 市场监管), entered, pushed or imported."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, grants, policy
from accounts.errors import ApplicationError
from accounts.models import Organisation, Region
from registry.models import Institution, Registration
from registry.services.institutions import credit_code_require_fit, institution_create, institution_standing_changed


def authority_for(actor, legal_form: str) -> Organisation:
    """The organisation through which the actor registers this legal form, or 403."""
    duty = Institution.REGISTRATION_DUTY.get(legal_form)
    if duty is None:
        raise ApplicationError(_("Unknown legal form."), fields={"legal_form": [_("Unknown legal form.")]})
    authority = policy.acting_organisation(actor, duty)
    if authority is None:
        policy.require_duty(actor, duty)  # raises 403, logged
    return authority


@transaction.atomic
def registration_record(
    *,
    actor,
    credit_code: str,
    name: str,
    legal_form: str,
    provider_type: str,
    village: Region,
    address: str,
    certificate_number: str,
    registered_on: date,
    source: str = Registration.Source.ENTERED,
) -> Registration:
    """Record a registration: attach it to the institution with this credit code, creating the
    institution if the portal does not know it yet. The authority gains sight of it."""
    authority = authority_for(actor, legal_form)
    credit_code = credit_code.strip().upper()
    if not credit_code:
        raise ApplicationError(
            _("A registration needs the unified social credit code."), fields={"credit_code": [_("Required.")]}
        )
    credit_code_require_fit(code=credit_code, legal_form=legal_form, village=village)
    institution = Institution.objects.select_for_update().filter(credit_code=credit_code).first()
    if institution is None:
        institution = institution_create(
            actor=actor,
            name=name,
            legal_form=legal_form,
            provider_type=provider_type,
            village=village,
            address=address,
            credit_code=credit_code,
        )
    elif institution.legal_form != legal_form:
        raise ApplicationError(
            _("%(name)s is registered as %(form)s; another authority registers it.")
            % {"name": institution.name, "form": institution.get_legal_form_display()}
        )
    if institution.registrations.filter(status=Registration.Status.ACTIVE).exists():
        raise ApplicationError(_("%(name)s already has an active registration.") % {"name": institution.name})
    registration = Registration(
        institution=institution,
        authority=authority,
        legal_form=legal_form,
        certificate_number=certificate_number,
        registered_on=registered_on,
        source=source,
    )
    registration.full_clean()
    registration.save()
    grants.grant(organisation=authority, perm="accounts.view_organisation", obj=institution.organisation)
    audit.record(actor=actor, event="registration.recorded", obj=registration, details={"source": source})
    return registration


@transaction.atomic
def registration_revoke(*, actor, registration: Registration, reason: str, revoked_on: date) -> Registration:
    """Withdraw a registration (the registering authority only)."""
    policy.require_acts_for(actor, registration.authority, Institution.REGISTRATION_DUTY[registration.legal_form])
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the revocation."), fields={"reason": [_("Required.")]})
    if revoked_on < registration.registered_on or revoked_on > timezone.localdate():
        message = _("The revocation date must lie between the registration date and today.")
        raise ApplicationError(message, fields={"revoked_on": [message]})
    updated = Registration.objects.filter(pk=registration.pk, status=Registration.Status.ACTIVE).update(
        status=Registration.Status.REVOKED, revoked_on=revoked_on, revoke_reason=reason
    )
    if not updated:
        raise ApplicationError(_("This registration is already revoked."))
    Institution.objects.filter(pk=registration.institution_id).update(status=Institution.Status.REVOKED)
    institution_standing_changed(actor=actor, institution_id=registration.institution_id)
    audit.record(actor=actor, event="registration.revoked", obj=registration, details={"reason": reason})
    registration.refresh_from_db()
    return registration


def registration_require_form(actor, legal_form: str) -> None:
    """Refuse (403) a known legal form the actor does not register, before its data is looked at;
    an unknown value is left to the form or serializer to report."""
    if legal_form in Institution.REGISTRATION_DUTY:
        authority_for(actor, legal_form)


def registration_push(
    *, actor, credit_code: str, certificate_number: str, legal_form: str, **fields
) -> tuple[Registration, bool]:
    """A registration pushed by an authority's system: ``registration_record`` with
    ``source=api``, idempotent on (credit code, certificate number) for the pushing authority.
    Returns (registration, created); a repeat returns the first registration unchanged, even if
    the other fields differ (a correction is a revocation and a new registration)."""
    from registry import selectors

    authority = authority_for(actor, legal_form)
    existing = selectors.registration_find(
        actor=actor, authority=authority, credit_code=credit_code, certificate_number=certificate_number
    )
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            registration = registration_record(
                actor=actor, credit_code=credit_code, certificate_number=certificate_number.strip(),
                legal_form=legal_form, source=Registration.Source.API, **fields,
            )  # fmt: skip
    except IntegrityError:
        # The same push arrived twice at once: the other one created it (unique credit code or
        # one active registration per institution).
        existing = selectors.registration_find(
            actor=actor, authority=authority, credit_code=credit_code, certificate_number=certificate_number
        )
        if existing is None:
            raise
        return existing, False
    return registration, True
