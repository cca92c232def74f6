"""Forms of the training programme pages: input shape and messages only; the rules (who runs
what, the programme's dates, a village instructor's village, a fail never completes) are in
``training.services.programmes``, which says why in its own words. So a field the service
requires is often optional here."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import StyledForm
from accounts.widgets import DateInput
from paperwork import bounds
from training.models import Participant, TrainingProgramme, TrainingSession

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class RegionChoiceField(forms.ModelChoiceField):
    """A region by its statistical code, shown with its township when it is a village."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        if obj.level == "village" and obj.parent_id:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member as "institution · name · role"; never the ID number."""

    def label_from_instance(self, obj):
        return f"{obj.institution.name} · {obj.name} · {obj.get_role_display()}"


class ProgrammeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of programme"))
    title = forms.CharField(label=_("Title"), max_length=128)
    region = RegionChoiceField(
        label=_("Area served"),
        queryset=None,
        empty_label=_("Choose…"),
        help_text=_("The whole city or one township of your jurisdiction."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=DateInput(), validators=bounds.of(TrainingProgramme, "starts_on")
    )
    ends_on = forms.DateField(
        label=_("Ends on"), widget=DateInput(), validators=bounds.of(TrainingProgramme, "ends_on")
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, kinds, regions, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(TrainingProgramme.Kind.choices)
        self.fields["kind"].choices = [("", _("Choose…"))] + [(kind, labels[kind]) for kind in kinds]
        self.fields["region"].queryset = regions


class ProgrammeStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=TrainingProgramme.Status.choices)


class SessionForm(StyledForm):
    held_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=bounds.of(TrainingSession, "held_on"))
    place = forms.CharField(label=_("Place"), max_length=128)
    # The service judges the range (more than 0, at most 24) and says so.
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=5, decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5"})
    )
    trainer = forms.CharField(label=_("Trainer"), max_length=64)
    topic = forms.CharField(label=_("Topic"), max_length=128, required=False)


class ParticipantForm(StyledForm):
    """A staff member chosen from the rosters the runner may see, or a village health
    instructor or member of the public by name, village and mobile. Which combination is
    complete is the service's to say."""

    kind = forms.ChoiceField(label=_("Participant kind"))
    staff = StaffChoiceField(
        label=_("Staff member"),
        queryset=None,
        required=False,
        empty_label=_("Choose…"),
        help_text=_("Only staff on rosters you may see are listed."),
    )
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64, required=False)
    village = RegionChoiceField(label=_("Village or community"), queryset=None, required=False, empty_label="—")
    phone = forms.CharField(label=_("Mobile"), max_length=11, required=False)

    def __init__(self, *args, staff, villages, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Participant.Kind.choices
        if staff is None:
            # The runner sees no roster: staff cannot be chosen, so they are not offered.
            del self.fields["staff"]
            kinds = [(value, label) for value, label in kinds if value != Participant.Kind.STAFF]
        else:
            self.fields["staff"].queryset = staff
        self.fields["kind"].choices = [("", _("Choose…")), *kinds]
        self.fields["village"].queryset = villages

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not MOBILE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mobile number beginning with 1."))
        return phone

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "staff": data.get("staff"),
            "name": data["name"],
            "village": data["village"],
            "phone": data["phone"],
        }


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("attendance", "Present"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = participants


class AssessmentForm(StyledForm):
    assessment = forms.ChoiceField(label=_("Assessment"), choices=Participant.Assessment.choices)
    # The service judges the range (0 to 100) and says so.
    score = forms.DecimalField(label=_("Score"), max_digits=5, decimal_places=1, required=False)
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Only a participant who passed completes the programme."),
        validators=bounds.of(Participant, "completed_on"),
    )
    certificate_number = forms.CharField(label=_("Certificate issued"), max_length=64, required=False)


class CoverageFilterForm(StyledForm):
    township = forms.ChoiceField(label=_("Township"), required=False)

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("All townships"))] + [(t.code, t.name) for t in townships]
