"""Input shapes of the checklist, finding, supervision-visit and photo pages. Business rules
stay in ``inspections.services.findings`` and ``inspections.services.checklists``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from inspections.models import Area, ChecklistItem, Finding, FindingItem
from inspections.services.checklists import TEXT_MAX, TITLE_MAX, YEAR_MAX, YEAR_MIN
from paperwork import bounds
from registry.forms.pickers import InstitutionPickerField

NOTES_MAX = 4000
NOTE_MAX = FindingItem._meta.get_field("note").max_length
SUPERVISION_LABEL = _("Local supervision visit")


def area_label(area: str) -> str:
    return str(Area(area).label) if area in Area.values else str(SUPERVISION_LABEL)


# --- Checklists ---------------------------------------------------------------------------


class ChecklistFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False, choices=[("", _("All areas")), *Area.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)


class ChecklistForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class ChecklistItemForm(forms.Form):
    """One row of the checklist: an existing item (``id``) or, in an empty row, a new one."""

    id = forms.IntegerField(required=False, min_value=1, max_value=bounds.ID_MAX, widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code"), required=False, max_length=16)
    text = forms.CharField(label=_("Check"), required=False, max_length=TEXT_MAX)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=ChecklistItem.Severity.choices, initial=ChecklistItem.Severity.MINOR
    )
    order = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=9999)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("remove"):
            if not (data.get("code") or "").strip():
                self.add_error("code", _("Each item needs a code."))
            if not (data.get("text") or "").strip():
                self.add_error("text", _("Each item needs the text of the check."))
        return data


class BaseChecklistItemFormSet(forms.BaseFormSet):
    def changes(self) -> tuple[list[dict], list[int]]:
        """(items to keep, update or add; ids to remove), for ``checklist_save``."""
        items, remove = [], []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue  # an empty new row
            if data.get("remove"):
                if data.get("id") is not None:
                    remove.append(data["id"])
                continue
            items.append(
                {
                    "id": data.get("id"),
                    "code": data["code"],
                    "text": data["text"],
                    "severity": data["severity"],
                    "order": data.get("order"),
                }
            )
        return items, remove


ChecklistItemFormSet = forms.formset_factory(
    ChecklistItemForm, formset=BaseChecklistItemFormSet, extra=3, max_num=200, validate_max=True
)


class ChecklistCopyForm(forms.Form):
    year = forms.IntegerField(label=_("Copy to year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


# --- Findings -----------------------------------------------------------------------------


class FindingTargetForm(forms.Form):
    """What is inspected: an annual review, or an institution (an ad-hoc inspection), and the
    area; read from the query string, or from the form's hidden fields when it is posted."""

    review = forms.IntegerField(required=False, min_value=1, max_value=bounds.ID_MAX)
    institution = forms.IntegerField(required=False, min_value=1, max_value=bounds.ID_MAX)
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)

    def clean(self):
        data = super().clean()
        if not data.get("review") and not data.get("institution"):
            raise forms.ValidationError(_("Choose the annual review or the institution to inspect."))
        return data


class FindingRecordForm(forms.Form):
    """Every item of the checklist needs a result (meets, does not meet, not applicable)."""

    inspected_on = forms.DateField(
        label=_("Date of inspection"), widget=DateInput(), validators=bounds.of(Finding, "inspected_on")
    )
    notes = forms.CharField(
        label=_("Overall notes"), required=False, max_length=NOTES_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["inspected_on"].initial = timezone.localdate
        for item in self.items:
            self.fields[f"result_{item.code}"] = forms.ChoiceField(
                label=item.code,
                choices=FindingItem.Result.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a result for this item.")},
            )
            self.fields[f"note_{item.code}"] = forms.CharField(
                label=_("Note on %(code)s") % {"code": item.code}, required=False, max_length=NOTE_MAX
            )

    def rows(self) -> list[tuple]:
        """(item, result field, note field) in the checklist's order, for the template."""
        return [(item, self[f"result_{item.code}"], self[f"note_{item.code}"]) for item in self.items]

    def results(self) -> dict[str, tuple[str, str]]:
        return {
            item.code: (self.cleaned_data[f"result_{item.code}"], self.cleaned_data[f"note_{item.code}"].strip())
            for item in self.items
        }


class PhotoUploadForm(forms.Form):
    # Empty files pass here so that the service refuses them with its own message.
    file = forms.FileField(label=_("Photo"), allow_empty_file=True)


# --- Supervision visits -------------------------------------------------------------------


class SupervisionVisitForm(forms.Form):
    institution = InstitutionPickerField(label=_("Institution"), required=True, empty_label="—")
    visited_on = forms.DateField(
        label=_("Date of the visit"), widget=DateInput(), validators=bounds.of(Finding, "inspected_on")
    )
    # Required by the service, which says so in its own words.
    notes = forms.CharField(
        label=_("What the visit found"), required=False, max_length=NOTES_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["visited_on"].initial = timezone.localdate
