"""Forms of residential areas, the guidance network, fees and pricing guidance: input shape
and messages only; the rules are in ``registry.services.planning``."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from paperwork import bounds
from registry.models import ClassGroup, FeeSchedule, GuidanceActivity, GuidanceSite, PricingGuidance, ResidentialArea

MAX_AMOUNT = Decimal("9999999.99")  # the fee fields hold nine digits with two decimals


class RegionChoiceField(forms.ModelChoiceField):
    """A region shown with its township, so that villages of the same name are told apart."""

    def label_from_instance(self, obj):
        if obj.parent_id and obj.level == "village":
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class RegionMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class ResidentialAreaForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResidentialArea.Kind.choices)
    village = RegionChoiceField(label=_("Village or community"), queryset=None, empty_label=_("Choose…"))
    population = forms.IntegerField(
        label=_("Population"), min_value=0, max_value=2_000_000, validators=bounds.of(ResidentialArea, "population")
    )
    planned_slots = forms.IntegerField(
        label=_("Planned care slots"),
        min_value=0,
        max_value=100_000,
        initial=0,
        validators=bounds.of(ResidentialArea, "planned_slots"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class GuidanceSiteForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=128)
    level = forms.ChoiceField(label=_("Level"))
    region = RegionChoiceField(
        label=_("Where it is"),
        queryset=None,
        empty_label=_("Choose…"),
        help_text=_("The city for the city centre, a township for a station, a village or community for a point."),
    )
    address = forms.CharField(label=_("Site address"), max_length=200, required=False)
    covered_villages = RegionMultipleChoiceField(
        label=_("Villages and communities covered"),
        queryset=None,
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    opened_on = forms.DateField(
        label=_("Opening date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=bounds.of(GuidanceSite, "opened_on"),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)

    def __init__(self, *args, levels, regions, villages, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(GuidanceSite.Level.choices)
        self.fields["level"].choices = [(level, labels[level]) for level in levels]
        self.fields["region"].queryset = regions
        self.fields["covered_villages"].queryset = villages
        self.fields["covered_villages"].widget.attrs["size"] = 10


class GuidanceSiteCloseForm(StyledForm):
    closed_on = forms.DateField(
        label=_("Closing date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=bounds.of(GuidanceSite, "closed_on"),
    )
    reason = forms.CharField(label=_("Reason for closing"), max_length=200)


class GuidanceActivityForm(StyledForm):
    held_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=bounds.of(GuidanceActivity, "held_on"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=GuidanceActivity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=128)
    participants = forms.IntegerField(
        label=_("Number of participants"),
        min_value=0,
        max_value=99999,
        initial=0,
        validators=bounds.of(GuidanceActivity, "participants"),
    )


class FeeForm(StyledForm):
    service_mode = forms.ChoiceField(label=_("Service"), choices=FeeSchedule.ServiceMode.choices)
    age_band = forms.ChoiceField(
        label=_("Age band"), required=False, choices=[("", _("All ages"))] + ClassGroup.AgeBand.choices
    )
    amount = forms.DecimalField(
        label=_("Fee (yuan)"), min_value=Decimal("0"), max_value=MAX_AMOUNT, max_digits=9, decimal_places=2
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=FeeSchedule.Unit.choices, initial=FeeSchedule.Unit.MONTH)
    meal_fee = forms.DecimalField(
        label=_("Meal fee (yuan per month)"),
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        max_digits=9,
        decimal_places=2,
        required=False,
        initial=Decimal("0"),
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=bounds.of(FeeSchedule, "effective_from"),
    )

    def clean_meal_fee(self):
        return self.cleaned_data.get("meal_fee") or Decimal("0")


class PricingGuidanceForm(StyledForm):
    service_mode = forms.ChoiceField(label=_("Service"), choices=FeeSchedule.ServiceMode.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=FeeSchedule.Unit.choices, initial=FeeSchedule.Unit.MONTH)
    max_amount = forms.DecimalField(
        label=_("Guide price, at most (yuan)"),
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        max_digits=9,
        decimal_places=2,
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=bounds.of(PricingGuidance, "effective_from"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
