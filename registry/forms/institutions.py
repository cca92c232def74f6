"""Input shapes of the institution pages, exports, API filters and the public search.

Business rules stay in ``registry.services.institutions`` and ``registry.standards``; these
forms only say what a well-formed request looks like and which words explain a bad one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import style
from registry.models import ClassGroup, Institution
from registry.services.institutions import SELF_EDITABLE

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no_field(label):
    return forms.TypedChoiceField(
        label=label, required=False, choices=YES_NO, coerce=lambda value: value == "yes", empty_value=None
    )


class PublicSearchForm(forms.Form):
    """The parents' search of the public registry."""

    township = forms.ChoiceField(label=_("Township"), required=False)
    provider_type = forms.ChoiceField(
        label=_("Provider type"), required=False, choices=[("", _("All"))] + Institution.ProviderType.choices
    )
    age_band = forms.ChoiceField(
        label=_("Age of the child"), required=False, choices=[("", _("All"))] + ClassGroup.AgeBand.choices
    )
    inclusive = _yes_no_field(_("Inclusive (普惠)"))
    text = forms.CharField(label=_("Name"), required=False, max_length=50)

    def __init__(self, data=None, *, townships):
        super().__init__(data)
        self.fields["township"].choices = [("", _("All townships"))] + [(t.code, t.name) for t in townships]
        style(self)

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.public_institution_list`` (call after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "township": data["township"],
            "provider_type": data["provider_type"],
            "age_band": data["age_band"],
            "inclusive": data["inclusive"],
            "text": data["text"],
        }


class InstitutionForm(forms.ModelForm):
    """The fields an institution keeps itself (``SELF_EDITABLE``); the legal form and credit
    code change only through the registration authority."""

    contact_phone = forms.CharField(label=_("contact phone"), required=False, max_length=20)

    class Meta:
        model = Institution
        fields = SELF_EDITABLE
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def changes(self) -> dict:
        """Only the fields the user changed, for ``institution_update``."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ChangeProposalForm(InstitutionForm):
    """A filed institution's record: the same fields and, among the filed facts, its inclusive
    status; the filed facts changed here are proposed in a change filing
    (``registry.services.changes``)."""

    class Meta(InstitutionForm.Meta):
        fields = [*SELF_EDITABLE, "inclusive"]


class ClassGroupForm(forms.ModelForm):
    class Meta:
        model = ClassGroup
        fields = ["name", "age_band", "places", "enrolled", "caregivers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
