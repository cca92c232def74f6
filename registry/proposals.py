"""What a change filing proposes, read without writing: the filed facts, how a proposal keeps
their values (JSON), the registry as it would be with a proposal applied, and the before → after
rows its pages show. Both the change services and the selectors use it (neither imports the
other), like ``registry.standards``.

A proposal is ``{"fields": {field: value}, "classes": {key: entry}}``; a class's key is its id
(an entry of changed filed facts, or ``{"remove": true}``) or ``new-<n>`` for a new class (all
of ``NEW_CLASS_FIELDS``). An accepted filing's ``replaced`` has the same shape, with the
values the registry held before."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from registry.models import ClassGroup, Filing, Institution

# What was filed: a filed institution changes these only through a change filing. The contact
# phone and the opening date stay the institution's own to keep.
FILED_FIELDS = [
    "name", "provider_type", "address", "legal_representative", "person_in_charge", "full_day", "half_day",
    "hourly", "temporary", "inclusive", "indoor_area", "outdoor_area", "meals_served",
]  # fmt: skip
# A class's filed facts; its enrolment and caregivers change day by day and stay free.
FILED_CLASS_FIELDS = ["name", "age_band", "places"]
NEW_CLASS_FIELDS = [*FILED_CLASS_FIELDS, "enrolled", "caregivers"]
REMOVE = "remove"
NEW_PREFIX = "new-"
CLASS_ITEM = "class:"


def is_filed(institution: Institution) -> bool:
    return institution.filing_status == Institution.FilingStatus.FILED


def stored(value):
    """A field's value as a proposal keeps it (JSON): decimals as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def value_of(model, name: str, kept):
    return model._meta.get_field(name).to_python(kept)


def same(model, name: str, current, kept) -> bool:
    return stored(value_of(model, name, kept)) == stored(current)


def empty() -> dict:
    return {"fields": {}, "classes": {}}


def copy_of(proposal: dict | None) -> dict:
    proposal = proposal or {}
    return {"fields": dict(proposal.get("fields") or {}), "classes": dict(proposal.get("classes") or {})}


def has_changes(filing: Filing) -> bool:
    proposal = filing.proposal or {}
    return bool(proposal.get("fields") or proposal.get("classes"))


def institution_after(institution: Institution, proposal: dict) -> Institution:
    """A copy of the institution with the proposal's fields applied, never to be saved."""
    after = Institution(**{f.attname: getattr(institution, f.attname) for f in Institution._meta.concrete_fields})
    after._state.adding = False  # the same row: its unique checks exclude itself
    for name, kept in (proposal.get("fields") or {}).items():
        setattr(after, name, value_of(Institution, name, kept))
    return after


def class_groups_after(groups: list[ClassGroup], proposal: dict, *, institution_id: int) -> list[ClassGroup]:
    """The institution's classes as they would be with the proposal applied (unsaved copies),
    for the standards warnings the reviewer reads before deciding."""
    classes = (proposal or {}).get("classes") or {}
    after = []
    for group in groups:
        entry = classes.get(str(group.pk))
        if entry and entry.get(REMOVE):
            continue
        copy = ClassGroup(**{f.attname: getattr(group, f.attname) for f in ClassGroup._meta.concrete_fields})
        for name, kept in (entry or {}).items():
            setattr(copy, name, value_of(ClassGroup, name, kept))
        after.append(copy)
    for key, entry in classes.items():
        if key.startswith(NEW_PREFIX):
            values = {name: value_of(ClassGroup, name, kept) for name, kept in entry.items()}
            after.append(ClassGroup(institution_id=institution_id, **values))
    return after


# --- Before → after, as the pages show it --------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    item: str  # a field name or ``class:<key>``: what ``change_withdraw_item`` takes
    label: str
    before: str
    after: str


def _display(model, name: str, value) -> str:
    field = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(stored(value))


def _class_text(values: dict) -> str:
    band = _display(ClassGroup, "age_band", values.get("age_band"))
    return _("%(name)s · %(band)s · %(places)s places") % {
        "name": values.get("name", "—"),
        "band": band,
        "places": values.get("places", "—"),
    }


def change_rows(filing: Filing, institution: Institution, groups: list[ClassGroup]) -> list[ChangeRow]:
    """Field by field, what the change filing proposes. Before an acceptance the "before" is
    the registry's current value; after it, the value the change replaced (kept on the filing)."""
    proposal = filing.proposal or {}
    replaced = filing.replaced or {}
    accepted = filing.status == Filing.Status.ACCEPTED and bool(replaced)
    rows = []
    for name, kept in (proposal.get("fields") or {}).items():
        before = (replaced.get("fields") or {}).get(name) if accepted else getattr(institution, name)
        rows.append(
            ChangeRow(
                item=name,
                label=str(Institution._meta.get_field(name).verbose_name),
                before=_display(Institution, name, value_of(Institution, name, before)),
                after=_display(Institution, name, value_of(Institution, name, kept)),
            )
        )
    current = {str(group.pk): group for group in groups}
    for key, entry in (proposal.get("classes") or {}).items():
        if key.startswith(NEW_PREFIX):
            rows.append(ChangeRow(CLASS_ITEM + key, _("New class"), "—", _class_text(entry)))
            continue
        if accepted:
            old = (replaced.get("classes") or {}).get(key) or {}
        else:
            group = current.get(key)
            old = {name: getattr(group, name) for name in FILED_CLASS_FIELDS} if group else {}
        after = "—" if entry.get(REMOVE) else _class_text({**old, **entry})
        label = _("Class removed") if entry.get(REMOVE) else _("Class changed")
        rows.append(ChangeRow(CLASS_ITEM + key, label, _class_text(old) if old else "—", after))
    return rows


def slots(groups: list[ClassGroup]) -> int:
    return sum(group.places for group in groups)


def filed_fields_in(changes) -> list[str]:
    return [name for name in changes if name in FILED_FIELDS]
