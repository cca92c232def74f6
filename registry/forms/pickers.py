"""A search-as-you-type institution field: the page renders only the chosen institution, and
``static/js/pickers.js`` asks ``institution_choices`` for matches as the user types (in the
user's sight only). The id sent back is judged against a scope the caller gives, so an id out of
sight is a form error, never a leak: the page's HTML no longer grows with the institutions."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class InstitutionPicker(forms.Select):
    """A select holding only the empty choice and the chosen institution (if in scope);
    ``data-picker-url`` tells the script where to search."""

    def __init__(self, *, empty_label, attrs=None):
        attrs = {"class": "picker form-select", "data-picker-url": reverse_lazy("institution_choices"), **(attrs or {})}
        super().__init__(attrs=attrs)
        self.empty_label = empty_label
        self.queryset = None

    def get_context(self, name, value, attrs):
        chosen = None
        raw = value[0] if isinstance(value, list | tuple) and value else value
        raw = getattr(raw, "pk", raw)
        if self.queryset is not None and str(raw or "").isdigit():
            chosen = self.queryset.filter(pk=int(raw)).first()
        self.choices = [("", self.empty_label)]
        if chosen is not None:
            self.choices.append((str(chosen.pk), f"{chosen.name} · {chosen.township.name}"))
        return super().get_context(name, value, attrs)


class InstitutionPickerField(forms.Field):
    """An institution id, cleaned to the institution if it is in ``queryset`` (the scope)."""

    default_error_messages = {"invalid_choice": _("Choose an institution from the list.")}

    def __init__(self, *, queryset=None, empty_label="", **kwargs):
        kwargs.setdefault("widget", InstitutionPicker(empty_label=empty_label))
        super().__init__(**kwargs)
        self.queryset = queryset

    @property
    def queryset(self):
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        self._queryset = queryset
        self.widget.queryset = queryset.select_related("township") if queryset is not None else None

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        # No scope given: no institution is in sight, so every id is refused.
        in_scope = self.queryset is not None and value.isdigit() and len(value) < 12
        chosen = self.queryset.filter(pk=int(value)).first() if in_scope else None
        if chosen is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return chosen
