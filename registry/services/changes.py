"""Change filings (变更备案): once an institution is filed, what was filed changes only through
the health bureau.

The institution proposes changes of its filed facts (``proposals.FILED_FIELDS``) and of its
classes (adding, removing, or changing a class's name, age band or places); they gather on its
open change filing, a draft started on the first proposal. The filing then follows the workflow
and clocks of every filing (``registry.services.filings``: submit, return, resubmit, accept,
reject). Only ``change_apply``, called when the bureau accepts, writes them to the registry,
and so to the public page; until then the registry shows the filed values.

Invariants:
- a filed institution's filed facts are written by ``change_apply`` alone: the direct services
  (``institution_update``, ``class_group_save``, ``class_group_delete``) refuse them;
- one open filing per institution (a database constraint): a change waits while a closure is
  open, and no further change is proposed while one is under review;
- a proposal is edited only while its filing is a draft or returned, under the filing's row
  lock, and the decision is a conditional update on ``submitted``: a reviewer never accepts
  anything other than what was submitted;
- an accepted change applies under the institution's lock, and only to an institution still
  filed and operating whose classes are still those the proposal names.

Before filing, institutions keep their record freely (``proposals.is_filed`` is False).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit, policy
from accounts.errors import ApplicationError
from accounts.models import Organisation
from registry import proposals
from registry.models import ClassGroup, Filing, Institution
from registry.proposals import FILED_CLASS_FIELDS, FILED_FIELDS, NEW_CLASS_FIELDS, NEW_PREFIX, REMOVE, stored
from registry.services import institutions as institution_services

INSTITUTION_DUTY = "institution.self"
EDITABLE = (Filing.Status.DRAFT, Filing.Status.RETURNED)


def _open_change_filing(*, actor, institution: Institution) -> Filing:
    """The institution's change filing a proposal goes to, locked; a draft is started when no
    filing is open. Refused while another kind of filing is open or the change is under review."""
    policy.require_acts_for(actor, institution.organisation, INSTITUTION_DUTY)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if not proposals.is_filed(institution) or institution.status != Institution.Status.OPERATING:
        raise ApplicationError(_("Only a filed, operating institution files a change."))
    _require_no_closure_filed(institution)
    filing = Filing.objects.select_for_update().filter(institution=institution, status__in=Filing.OPEN_STATUSES).first()
    if filing is None:
        filing = Filing.objects.create(institution=institution, kind=Filing.Kind.CHANGE, proposal=proposals.empty())
        audit.record(actor=actor, event="filing.started", obj=filing, details={"kind": Filing.Kind.CHANGE})
        return filing
    if filing.kind != Filing.Kind.CHANGE:
        raise ApplicationError(
            _("This institution's %(kind)s is still open: changes can be proposed once it is decided.")
            % {"kind": filing.get_kind_display()}
        )
    if filing.status not in EDITABLE:
        raise ApplicationError(
            _("A change filing of this institution is under review: propose further changes after the decision.")
        )
    return filing


def _require_no_closure_filed(institution: Institution) -> None:
    """An institution whose closure is filed operates until its closure date, but files no
    further change: what it would change is ending."""
    if institution.filings.filter(kind=Filing.Kind.CLOSURE, status=Filing.Status.ACCEPTED).exists():
        raise ApplicationError(_("The institution's closure is filed: it files no further change."))


def _save_proposal(*, actor, filing: Filing, proposal: dict, items: list[str]) -> Filing:
    filing.proposal = proposal
    filing.save(update_fields=["proposal"])
    audit.record(actor=actor, event="filing.change_proposed", obj=filing, details={"items": items})
    return filing


def _require_provider_type_keeps_approval(institution: Institution, changes: dict) -> None:
    """A kindergarten nursery class is approved by the education bureau before it files: a
    change into or out of that type is a new filing, not a change of this one."""
    new_type = changes.get("provider_type", institution.provider_type)
    nursery_class = Institution.ProviderType.KINDERGARTEN_CLASS
    if new_type != institution.provider_type and nursery_class in (new_type, institution.provider_type):
        message = _("A kindergarten nursery class needs the education bureau's approval: it is not a change filing.")
        raise ApplicationError(message, fields={"provider_type": [message]})


@transaction.atomic
def change_propose(*, actor, institution: Institution, changes: dict) -> Filing:
    """Propose new values of filed facts. A value equal to the registry's takes that item out
    of the proposal; every value is checked as the model checks it, so that a proposal that
    could not be applied is refused now rather than at the decision."""
    policy.require_acts_for(actor, institution.organisation, INSTITUTION_DUTY)  # before the input is judged
    unknown = set(changes) - set(FILED_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields are not filed facts: %(f)s") % {"f": ", ".join(sorted(unknown))})
    filing = _open_change_filing(actor=actor, institution=institution)
    current = Institution.objects.get(pk=institution.pk)
    _require_provider_type_keeps_approval(current, changes)
    proposal = proposals.copy_of(filing.proposal)
    for name, value in changes.items():
        if proposals.same(Institution, name, getattr(current, name), stored(value)):
            proposal["fields"].pop(name, None)
        else:
            proposal["fields"][name] = stored(value)
    proposals.institution_after(current, proposal).full_clean(exclude=["organisation", "credit_code"])
    return _save_proposal(actor=actor, filing=filing, proposal=proposal, items=sorted(changes))


@transaction.atomic
def change_class_propose(
    *, actor, institution: Institution, group: ClassGroup | None = None, remove: bool = False, **values
) -> Filing:
    """Propose a new class (``group`` None), a change of a class's filed facts, or its removal.
    A new class brings its enrolment and caregivers; an existing one keeps its own (they are
    not filed facts and change directly)."""
    if group is not None and group.institution_id != institution.pk:
        raise ApplicationError(_("This class belongs to another institution."))
    filing = _open_change_filing(actor=actor, institution=institution)
    proposal = proposals.copy_of(filing.proposal)
    classes = proposal["classes"]
    if group is None:
        candidate = ClassGroup(institution=institution, **{n: values[n] for n in NEW_CLASS_FIELDS if n in values})
        candidate.full_clean(exclude=["institution"])
        key = _next_new_key(classes)
        classes[key] = {name: stored(getattr(candidate, name)) for name in NEW_CLASS_FIELDS}
    elif remove:
        key = str(group.pk)
        classes[key] = {REMOVE: True}
    else:
        key = str(group.pk)
        current = ClassGroup.objects.get(pk=group.pk)
        candidate = ClassGroup.objects.get(pk=group.pk)
        for name in FILED_CLASS_FIELDS:
            if name in values:
                setattr(candidate, name, values[name])
        candidate.full_clean(exclude=["institution"])
        entry = {
            name: stored(getattr(candidate, name))
            for name in FILED_CLASS_FIELDS
            if not proposals.same(ClassGroup, name, getattr(current, name), stored(getattr(candidate, name)))
        }
        if entry:
            classes[key] = entry
        else:
            classes.pop(key, None)
    return _save_proposal(actor=actor, filing=filing, proposal=proposal, items=[proposals.CLASS_ITEM + key])


def _next_new_key(classes: dict) -> str:
    numbers = [int(key.removeprefix(NEW_PREFIX)) for key in classes if key.startswith(NEW_PREFIX)]
    return f"{NEW_PREFIX}{max(numbers, default=0) + 1}"


@transaction.atomic
def change_withdraw_item(*, actor, filing: Filing, item: str) -> Filing:
    """Take one item (a field name, or ``class:<key>``) out of a draft or returned proposal."""
    policy.require_acts_for(actor, filing.institution.organisation, INSTITUTION_DUTY)
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.kind != Filing.Kind.CHANGE or filing.status not in EDITABLE:
        raise ApplicationError(_("Only a draft or a returned change filing can be edited."))
    proposal = proposals.copy_of(filing.proposal)
    if item.startswith(proposals.CLASS_ITEM):
        removed = proposal["classes"].pop(item.removeprefix(proposals.CLASS_ITEM), None)
    else:
        removed = proposal["fields"].pop(item, None)
    if removed is None:
        raise ApplicationError(_("This change is not part of the proposal."))
    return _save_proposal(actor=actor, filing=filing, proposal=proposal, items=[item])


def require_changes(filing: Filing) -> None:
    """A change filing is submitted with at least one proposed change."""
    if filing.kind == Filing.Kind.CHANGE and not proposals.has_changes(filing):
        raise ApplicationError(
            _("The change filing proposes no change: change the institution's record or its classes first."),
            fields={"proposal": [_("Required.")]},
        )


def change_apply(*, actor, filing: Filing) -> dict:
    """Write an accepted change filing's proposal to the registry, inside the acceptance's
    transaction, and keep the values it replaced on the filing. Refuses (and so undoes the
    acceptance) when the institution is no longer filed and operating, or a class the proposal
    names is gone."""
    institution = Institution.objects.select_for_update().get(pk=filing.institution_id)
    if not proposals.is_filed(institution) or institution.status != Institution.Status.OPERATING:
        raise ApplicationError(
            _("%(name)s is no longer a filed, operating institution (%(status)s): the change cannot be accepted.")
            % {"name": institution.name, "status": institution.get_status_display()}
        )
    _require_no_closure_filed(institution)
    proposal = filing.proposal or {}
    replaced = proposals.empty()
    fields = proposal.get("fields") or {}
    for name, kept in fields.items():
        replaced["fields"][name] = stored(getattr(institution, name))
        setattr(institution, name, proposals.value_of(Institution, name, kept))
    if fields:
        institution.full_clean()
        institution.save()
        if "name" in fields:
            Organisation.objects.filter(pk=institution.organisation_id).update(name=institution.name)
    groups = {str(group.pk): group for group in ClassGroup.objects.select_for_update().filter(institution=institution)}
    for key, entry in (proposal.get("classes") or {}).items():
        if key.startswith(NEW_PREFIX):
            values = {name: proposals.value_of(ClassGroup, name, kept) for name, kept in entry.items()}
            group = ClassGroup(institution=institution, **values)
            group.full_clean()
            group.save()
            replaced["classes"][key] = {"created": group.pk}
            continue
        group = groups.get(key)
        if group is None:
            raise ApplicationError(_("A class this change names no longer exists: return the change for correction."))
        replaced["classes"][key] = {name: stored(getattr(group, name)) for name in FILED_CLASS_FIELDS}
        if entry.get(REMOVE):
            group.delete()
            continue
        for name, kept in entry.items():
            setattr(group, name, proposals.value_of(ClassGroup, name, kept))
        group.full_clean()
        group.save()
    Filing.objects.filter(pk=filing.pk).update(replaced=replaced)
    filing.replaced = replaced
    audit.record(
        actor=actor,
        event="institution.changed_by_filing",
        obj=institution,
        details={"filing": filing.pk, "before": replaced, "after": proposal},
    )
    return replaced


# --- One save of the institution's own pages ----------------------------------------------


@transaction.atomic
def institution_record_change(*, actor, institution: Institution, changes: dict) -> Filing | None:
    """The institution's edit form: before filing every change is saved; once filed, the
    contact phone and opening date are saved and the filed facts are proposed on the change
    filing, which is returned (None when nothing was proposed)."""
    filed = {name: value for name, value in changes.items() if name in FILED_FIELDS}
    free = {name: value for name, value in changes.items() if name not in filed}
    if not proposals.is_filed(institution):
        institution_services.institution_update(actor=actor, institution=institution, **changes)
        return None
    if free:
        institution_services.institution_update(actor=actor, institution=institution, **free)
    return change_propose(actor=actor, institution=institution, changes=filed) if filed else None


@transaction.atomic
def class_group_record_change(
    *, actor, institution: Institution, group: ClassGroup | None, values: dict
) -> tuple[ClassGroup | None, Filing | None]:
    """The class form: before filing the class is saved; once filed, a new class or a change
    of a class's name, age band or places is proposed on the change filing, while its
    enrolment and caregivers are saved at once. Returns the saved class (or None) and the
    change filing (or None)."""
    if not proposals.is_filed(institution):
        return institution_services.class_group_save(actor=actor, institution=institution, group=group, **values), None
    if group is None:
        return None, change_class_propose(actor=actor, institution=institution, **values)
    filed = {name: value for name, value in values.items() if name in FILED_CLASS_FIELDS}
    free = {name: value for name, value in values.items() if name not in filed}
    group = ClassGroup.objects.get(pk=group.pk)  # as recorded, not as a form may have set it
    saved = institution_services.class_group_save(actor=actor, institution=institution, group=group, **free)
    current = {name: getattr(saved, name) for name in FILED_CLASS_FIELDS}
    unchanged = all(filed.get(name, current[name]) == current[name] for name in FILED_CLASS_FIELDS)
    # Back to the registry's values: nothing to propose, unless that undoes an earlier proposal.
    if unchanged and not _proposed_for(institution, group):
        return saved, None
    return saved, change_class_propose(actor=actor, institution=institution, group=saved, **filed)


def _proposed_for(institution: Institution, group: ClassGroup) -> bool:
    open_change = Filing.objects.filter(institution=institution, kind=Filing.Kind.CHANGE, status__in=EDITABLE).first()
    return open_change is not None and str(group.pk) in (open_change.proposal or {}).get("classes", {})


@transaction.atomic
def class_group_record_removal(*, actor, group: ClassGroup) -> Filing | None:
    """Delete a class before filing; once filed, propose its removal."""
    institution = group.institution
    if not proposals.is_filed(institution):
        institution_services.class_group_delete(actor=actor, group=group)
        return None
    return change_class_propose(actor=actor, institution=institution, group=group, remove=True)
