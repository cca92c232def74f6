"""The standards page's one-value form: input shape and messages only; each parameter's own
range is checked by ``registry.services.reference.parameter_set``."""

from django import forms


class ParameterForm(forms.Form):
    key = forms.CharField(max_length=64)
    # A number (NaN and Infinity are refused here); its range and decimals are the parameter's.
    value = forms.DecimalField(required=False)

    def first_error(self) -> str:
        return next(str(error) for errors in self.errors.values() for error in errors)
