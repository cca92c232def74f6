"""Institutions and their class groups."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from accounts import audit, grants, policy
from accounts import services as account_services
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from accounts.models import Organisation, Region
from registry import proposals
from registry.models import ClassGroup, Institution
from registry.validators import credit_code_fit_problem, validate_credit_code

# Fields an institution keeps itself; legal form and credit code change only through the
# registration authority.
SELF_EDITABLE = [
    "name", "provider_type", "address", "legal_representative", "person_in_charge", "contact_phone",
    "full_day", "half_day", "hourly", "temporary", "indoor_area", "outdoor_area", "meals_served", "opened_on",
]  # fmt: skip

# Departments that follow particular kinds of institution get sight of them when they appear.
FOLLOWERS_OF_TYPE = {
    Institution.ProviderType.KINDERGARTEN_CLASS: "register.kindergarten_class",
    Institution.ProviderType.EMPLOYER_RUN: "employer.care",
}


@transaction.atomic
def institution_create(
    *,
    actor,
    name: str,
    legal_form: str,
    provider_type: str,
    village: Region,
    address: str,
    credit_code: str = "",
    organisation: Organisation | None = None,
    **fields,
) -> Institution:
    """A new institution with its own tenant organisation (made here unless given), visible to
    its township and to the departments that follow its kind."""
    if village.level != Region.Level.VILLAGE:
        raise ApplicationError(
            _("Choose the village or community where the institution is."),
            fields={"village": [_("Not a village or community.")]},
        )
    credit_code = credit_code.strip().upper()
    if credit_code:
        credit_code_require_fit(code=credit_code, legal_form=legal_form, village=village)
    if organisation is None:
        organisation = account_services.institution_organisation_create(
            actor=actor, code=f"inst-{get_random_string(10).lower()}", name=name, village=village
        )
    institution = Institution(
        organisation=organisation,
        name=name,
        legal_form=legal_form,
        provider_type=provider_type,
        village=village,
        township=village.parent,
        address=address,
        credit_code=credit_code,
        **fields,
    )
    if provider_type == Institution.ProviderType.KINDERGARTEN_CLASS:
        institution.education_approval = Institution.EducationApproval.PENDING
    institution.full_clean()
    institution.save()
    grant_followers(institution)
    audit.record(actor=actor, event="institution.created", obj=institution)
    return institution


def credit_code_require_fit(*, code: str, legal_form: str, village: Region) -> None:
    """Refuse a credit code that is malformed (``ValidationError``, as the model's own check) or
    cannot be that of an institution of this legal form in this village (``ApplicationError``),
    both on the field ``credit_code`` (``registry.validators``)."""
    try:
        validate_credit_code(code)
    except ValidationError as error:
        raise ValidationError({"credit_code": error.error_list}) from None
    label = dict(Institution.LegalForm.choices).get(legal_form, legal_form)
    problem = credit_code_fit_problem(code, legal_form=legal_form, legal_form_label=label, village=village)
    if problem:
        raise ApplicationError(problem, fields={"credit_code": [problem]})


def institution_standing_changed(*, actor, institution_id: int) -> None:
    """Tell the apps above the registry (the annual review) that an institution was filed,
    closed or revoked: their ``institution_changed`` hooks run in the caller's transaction."""
    call_app_hooks("institution_changed", actor=actor, institution_id=institution_id)


def grant_followers(institution: Institution) -> None:
    """Departments that follow this kind of institution (education: nursery classes; the
    trade union: employer-run care) get sight of it."""
    follower_duty = FOLLOWERS_OF_TYPE.get(institution.provider_type)
    if follower_duty:
        for follower in Organisation.objects.filter(duties__code=follower_duty, kind=Organisation.Kind.DEPARTMENT):
            grants.grant(organisation=follower, perm="accounts.view_organisation", obj=institution.organisation)


@transaction.atomic
def institution_update(*, actor, institution: Institution, **changes) -> Institution:
    policy.require_acts_for(actor, institution.organisation, "institution.self")
    unknown = set(changes) - set(SELF_EDITABLE)
    if unknown:
        raise ApplicationError(
            _("These fields change only through the registration authority: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    filed = [Institution._meta.get_field(name).verbose_name for name in proposals.filed_fields_in(changes)]
    _require_not_filed_fact(institution, filed)
    for name, value in changes.items():
        setattr(institution, name, value)
    # A nursery class waits for the education bureau; one it refused asks again by correcting
    # its record (the refusal's reason is on its page).
    reapplied = False
    if institution.provider_type == Institution.ProviderType.KINDERGARTEN_CLASS:
        if institution.education_approval in ("", Institution.EducationApproval.REFUSED):
            reapplied = institution.education_approval == Institution.EducationApproval.REFUSED
            institution.education_approval = Institution.EducationApproval.PENDING
    elif institution.education_approval == Institution.EducationApproval.PENDING:
        institution.education_approval = ""
    institution.full_clean()
    institution.save()
    if reapplied:
        audit.record(actor=actor, event="nursery_class.reapplied", obj=institution)
    if "name" in changes:
        Organisation.objects.filter(pk=institution.organisation_id).update(name=institution.name)
    audit.record(actor=actor, event="institution.updated", obj=institution, details={"fields": sorted(changes)})
    return institution


@transaction.atomic
def class_group_save(*, actor, institution: Institution, group: ClassGroup | None = None, **values) -> ClassGroup:
    policy.require_acts_for(actor, institution.organisation, "institution.self")
    if group is not None and group.institution_id != institution.pk:
        raise ApplicationError(_("This class belongs to another institution."))
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    group = group or ClassGroup(institution=institution)
    for name, value in values.items():
        setattr(group, name, value)
    if group.pk is None:
        _require_not_filed_fact(locked, [_("a new class")])
    else:
        # Judged on the class as it would be saved (a form may have set more than ``values``).
        current = ClassGroup.objects.get(pk=group.pk)
        filed = [ClassGroup._meta.get_field(name).verbose_name for name in proposals.FILED_CLASS_FIELDS
                 if getattr(group, name) != getattr(current, name)]  # fmt: skip
        _require_not_filed_fact(locked, filed)
    group.full_clean()
    group.save()
    audit.record(actor=actor, event="class_group.saved", obj=group)
    return group


@transaction.atomic
def class_group_delete(*, actor, group: ClassGroup) -> None:
    policy.require_acts_for(actor, group.institution.organisation, "institution.self")
    _require_not_filed_fact(Institution.objects.select_for_update().get(pk=group.institution_id), [_("a class")])
    audit.record(actor=actor, event="class_group.deleted", obj=group)
    group.delete()


def _require_not_filed_fact(institution: Institution, items: list) -> None:
    """A filed institution's filed facts change only through a change filing that the health
    bureau accepts (``registry.services.changes``); before filing, the institution keeps its
    record freely. Every path that writes the record passes here, pages and API alike."""
    if items and proposals.is_filed(institution):
        raise ApplicationError(
            _("%(name)s is filed: a change of %(items)s goes through a change filing the health bureau accepts.")
            % {"name": institution.name, "items": "、".join(str(item) for item in items)}
        )
