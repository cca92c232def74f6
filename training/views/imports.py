"""Pages of the workforce imports from Excel: staff and certificates (an institution's own
officers, into their own roster) and the participants of a programme (its runners), with the
blank templates. The rules are in ``training.imports``; a file is checked and saved in the
request, all or nothing, and a refused file shows its report (row, column, problem).

Who may open what is asked before the file is read: someone who may not import gets 403 on
the page (the programme itself is 404 only if out of sight, and every member sees programmes).
"""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts import policy
from accounts.errors import ApplicationError
from accounts.forms import StyledForm
from paperwork.spreadsheets import XLSX
from registry import selectors as registry_selectors
from training import imports, rules, selectors

RUN_DUTY = "training.run"


class WorkbookForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


def _own_institution(actor):
    """The institution whose roster the actor keeps (403 for anyone else)."""
    institution = registry_selectors.institution_for_member(actor=actor)
    if institution is None or not rules.may_keep_roster(actor, institution):
        raise PermissionDenied(rules.SELF_DUTY)
    return institution


def _page(request, *, kind: str, heading: str, template_url: str, back: tuple[str, str] | None, run):
    """GET shows the form; POST checks the upload and runs the import (``run(file)`` returns
    (rows imported, report)): the report on this page, or a redirect with the count."""
    form = WorkbookForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            imports.check_file(uploaded)
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            imported, problems = run(uploaded)
            if not problems:
                messages.success(request, ngettext("%(n)d row imported.", "%(n)d rows imported.", imported)
                                 % {"n": imported})  # fmt: skip
                return redirect(request.path)
            report = problems.as_list()
    context = {
        "form": form,
        "kind": kind,
        "heading": heading,
        "template_url": template_url,
        "back": back,
        "columns": [
            {"header": column.header, "required": column.required, "help": imports.column_help(column)}
            for column in imports.COLUMNS[kind]
        ],
        "report": report,
        "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_BYTES // (1024 * 1024),
    }
    return render(request, "training/imports/import.html", context)


def _template_url(kind: str, **query) -> str:
    url = reverse("training_import_template", kwargs={"kind": kind})
    return url + "".join(f"?{name}={value}" for name, value in query.items())


@login_required
@require_http_methods(["GET", "POST"])
def staff_import(request):
    institution = _own_institution(request.user)

    def run(uploaded):
        return imports.staff_import(actor=request.user, institution=institution, file=uploaded, request=request)

    heading = _("Import staff of %(institution)s") % {"institution": institution.name}
    return _page(request, kind=imports.STAFF, heading=heading, template_url=_template_url(imports.STAFF),
                 back=None, run=run)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def certificate_import(request):
    institution = _own_institution(request.user)

    def run(uploaded):
        return imports.certificate_import(actor=request.user, institution=institution, file=uploaded)

    heading = _("Import certificates of the staff of %(institution)s") % {"institution": institution.name}
    return _page(request, kind=imports.CERTIFICATES, heading=heading,
                 template_url=_template_url(imports.CERTIFICATES), back=None, run=run)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def participant_import(request, pk: int):
    programme = selectors.programme_get(actor=request.user, pk=pk)
    if not rules.can_run(request.user, programme):
        raise PermissionDenied(RUN_DUTY)

    def run(uploaded):
        return imports.participant_import(actor=request.user, programme=programme, file=uploaded)

    heading = _("Import participants of %(title)s") % {"title": programme.title}
    back = (reverse("programme_detail", kwargs={"pk": programme.pk}), programme.title)
    return _page(request, kind=imports.PARTICIPANTS, heading=heading,
                 template_url=_template_url(imports.PARTICIPANTS, programme=programme.pk), back=back,
                 run=run)  # fmt: skip


@login_required
@require_GET
def training_import_template(request, kind: str):
    """The blank template of a kind, for any member of an organisation. ``?programme=<pk>``
    narrows the participant template's village codes to that programme's area."""
    if kind not in imports.KINDS:
        raise Http404
    if not policy.organisations_of(request.user):
        raise PermissionDenied("training.import_template")
    programme = None
    if kind == imports.PARTICIPANTS and request.GET.get("programme", "").isdigit():
        programme = selectors.programme_get(actor=request.user, pk=int(request.GET["programme"]))
    filename, content = imports.template_for(actor=request.user, kind=kind, programme=programme)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX)


urlpatterns = [
    path("staff/import/", staff_import, name="staff_import"),
    path("certificates/import/", certificate_import, name="certificate_import"),
    path("programmes/<int:pk>/participants/import/", participant_import, name="participant_import"),
    path("imports/<str:kind>/template.xlsx", training_import_template, name="training_import_template"),
]
