"""Lists that filter, sort, export and agree: one filter set per list for its page, its Excel
export and its API (django-filter), so the three give the same rows by construction.

An app declares its lists on its AppConfig (``lists = "<app>.lists.LISTS"``, a list of
``ListSpec``). A spec names:

- ``base(actor)``: the rows the actor may see (the app's scoped selector), in the list's default
  order, which is an indexed key for long lists;
- ``filterset``: a ``ListFilterSet`` (township, status, type, date range… and ``sort``);
- ``columns``: the export's (fixed Chinese header, width, value of one row).

A filter value outside its set is an error, never an empty or unfiltered list: the page shows the
message in the user's language and lists nothing; the API answers 400 in the one error shape
(``accounts.api_errors``, via DRF's ``ValidationError``); the export is not made.

An export of at most one page is built at once; a larger one is built in the background by the
app that provides ``list_export_starter`` (the dashboard's export jobs: progress and a
notification), with the same spec, filters and the requester's sight as it is when it runs.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

import django_filters
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import DateRangeField, RangeField
from django_filters.widgets import DateRangeWidget

from accounts.hooks import app_hooks
from paperwork.bounds import DateWindow
from paperwork.spreadsheets import workbook_response

PAGE_SIZE = 25
TRUE_WORDS = ("1", "on", "true", "yes")
FALSE_WORDS = ("0", "off", "false", "no")


class FlagField(forms.CharField):
    """A yes/no filter: ``1``/``yes``/``true``/``on`` or ``0``/``no``/``false``/``off``; empty
    means "either"; anything else is an error (a checkbox widget would read "0" as checked)."""

    def to_python(self, value):
        value = (super().to_python(value) or "").strip().lower()
        if not value:
            return None
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise forms.ValidationError(gettext_lazy("Choose yes or no."), code="invalid_choice")


class FlagFilter(django_filters.BooleanFilter):
    """A yes/no filter; on the page a select of "any" or "yes" (an "only …" filter), unless the
    filter set gives its own widget (yes/no for a property that is either)."""

    field_class = FlagField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.Select(choices=[("", gettext_lazy("Any")), ("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))]),
        )
        super().__init__(*args, **kwargs)


# A filter's dates: plausible ones only (an aware 0001-01-01 cannot be turned into UTC).
FILTER_DATES = DateWindow(1900, 100)


class BoundedDateRangeField(DateRangeField):
    def __init__(self, *args, **kwargs):
        fields = (forms.DateField(validators=[FILTER_DATES]), forms.DateField(validators=[FILTER_DATES]))
        RangeField.__init__(self, fields, *args, **kwargs)


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """``?<name>_after=YYYY-MM-DD&<name>_before=YYYY-MM-DD`` (both days included; for a moment,
    from the start of the first day to the end of the last, local time)."""

    field_class = BoundedDateRangeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateRangeWidget(attrs={"type": "date"}))
        super().__init__(*args, **kwargs)


class SortFilter(django_filters.OrderingFilter):
    """``?sort=<column>`` or ``-<column>``; the primary key breaks ties, so pages do not overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class ListFilterSet(django_filters.FilterSet):
    """A list's filters. ``actor`` is the requesting user (the page's, the API's or, for a
    background export, the requester's); subclasses narrow choices to the actor's sight in
    ``narrow`` (for example the townships it may see, so a foreign township is a bad value)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.actor = getattr(request, "user", None)
        self.narrow()
        self.form.auto_id = self.auto_id
        for form_field in self.form.fields.values():
            widget = form_field.widget
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widgets = getattr(widget, "widgets", [widget])
            for part in widgets:
                part.attrs.setdefault("class", css)
            if len(widgets) == 2:  # a range: one label for two inputs, so each input names its end
                label = form_field.label or ""
                widgets[0].attrs.setdefault("aria-label", _("%(field)s, from") % {"field": label})
                widgets[1].attrs.setdefault("aria-label", _("%(field)s, to") % {"field": label})

    # Filters the page does not offer (they would narrow nothing for this actor); the API and the
    # export still judge them, so a value outside the actor's sight is still an error.
    hidden: frozenset = frozenset({"sort"})
    auto_id = "id_%s"  # the fields' HTML ids

    def narrow(self) -> None:
        """Set choices that depend on the actor (override)."""

    @property
    def shown(self) -> list:
        """The bound fields the page's filter form offers."""
        return [bound for bound in self.form if bound.name not in self.hidden]

    @property
    def kept(self) -> list[tuple[str, str]]:
        """(name, value) of the filters the form does not show but the URL holds (the sort, a
        level chosen above the table): kept as hidden inputs when the form is sent."""
        return [(name, self.data[name]) for name in sorted(self.hidden) if self.data and self.data.get(name)]

    def set_choices(self, name: str, choices, *, empty_label) -> None:
        self.filters[name].extra["choices"] = list(choices)
        self.filters[name].extra["empty_label"] = empty_label

    def error_lines(self) -> list[str]:
        """``label: message`` lines for the page (in the user's language)."""
        lines = []
        for name, errors in self.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else ""
            lines += [f"{label}: {error}" if label else str(error) for error in errors]
        return lines


@dataclass(frozen=True)
class ListSpec:
    name: str  # the URL key of its export: /lists/<name>/export/
    title: str  # the export's fixed Chinese title (the file and its sheet)
    list_url: str  # the page's URL name
    base: object  # callable(actor) -> the scoped queryset in its default order
    filterset: type[ListFilterSet]
    columns: object = field(default_factory=list)  # (header, width, getter), or callable(actor) -> them

    def columns_for(self, actor) -> list:
        return self.columns(actor) if callable(self.columns) else self.columns


def all_specs() -> dict[str, ListSpec]:
    specs = {}
    for _label, path in app_hooks("lists"):
        for spec in import_string(path):
            specs[spec.name] = spec
    return specs


def spec_get(name: str) -> ListSpec | None:
    return all_specs().get(name)


def filtered(spec: ListSpec, *, actor, data) -> ListFilterSet:
    """The spec's filter set over the actor's rows; ``.qs`` once ``is_valid()``."""
    return spec.filterset(data, spec.base(actor), request=SimpleNamespace(user=actor))


def rows(filterset: ListFilterSet):
    """The filtered rows, or none at all when a filter is not valid."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def query_without(request, *names: str, data=None) -> str:
    query = (request.GET if data is None else data).copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()


def page_context(request, spec: ListSpec, *, page_size: int = PAGE_SIZE, defaults: dict | None = None) -> dict:
    """What a list page needs: the filter set (its form and errors), the page of rows, the
    query string without the page (the filters kept in the URL, for the pager and the export)
    and without the sort (for the column headers' sort links).

    ``defaults``: filters the page applies when the URL does not name them (a queue opening on
    its waiting rows); they join the query strings, so the export and the sort links keep them."""
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        if name not in data:
            data[name] = value
    filterset = filtered(spec, actor=request.user, data=data)
    page = Paginator(rows(filterset), page_size).get_page(request.GET.get("page"))
    return {
        "filter": filterset,
        "page": page,
        "query": query_without(request, data=data),
        "query_unsorted": query_without(request, "sort", data=data),
        "sort": data.get("sort", ""),
        "list_spec": spec,
    }


def export_filename(spec: ListSpec, moment=None) -> str:
    return f"{spec.title}-{timezone.localtime(moment).strftime('%Y%m%d-%H%M')}.xlsx"


def write_rows(spec: ListSpec, queryset, *, progress=None):
    """The rows of an export, reporting progress every 200 rows to ``progress(done)``."""
    for done, row in enumerate(queryset.iterator(chunk_size=200), start=1):
        if progress is not None and done % 200 == 0:
            progress(done)
        yield row


def export(request, spec: ListSpec) -> HttpResponse:
    """The list's Excel export with the page's scope and filters. At most one page: the file at
    once. More: GET asks to confirm, POST starts the background export and leads to its page."""
    data = request.POST if request.method == "POST" else request.GET
    filterset = filtered(spec, actor=request.user, data=request.GET)
    list_url = f"{reverse(spec.list_url)}?{request.GET.urlencode()}"
    if not filterset.is_valid():
        messages.error(request, _("The export was not made: please correct the filters."))
        for line in filterset.error_lines():
            messages.error(request, line)
        return HttpResponseRedirect(list_url)
    queryset = filterset.qs
    count = queryset.count()
    if count <= PAGE_SIZE:
        return workbook_response(
            filename=export_filename(spec),
            title=spec.title,
            columns=spec.columns_for(request.user),
            rows=write_rows(spec, queryset),
        )
    if request.method != "POST" or data.get("confirm") != "1":
        return render(
            request,
            "lists/export_confirm.html",
            {"spec": spec, "count": count, "query": request.GET.urlencode(), "list_url": list_url},
        )
    starters = [path for _label, path in app_hooks("list_export_starter")]
    job = import_string(starters[0])(actor=request.user, spec=spec, query=request.GET.urlencode())
    messages.info(request, _("The export is being prepared; you will get a message when it is ready."))
    return HttpResponseRedirect(reverse("export_job_download", args=[job.pk]))


def schema_rows(model) -> QuerySet:
    """What an API list answers the schema generator, which calls it with no user to learn its
    model (for the filters' types): the model, no rows."""
    return model.objects.none()
