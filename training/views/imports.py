"""Pages of the workforce imports from Excel: staff and certificates (an institution's own
officers, into their own roster) and the participants of a programme (its runners), with the
blank templates. The rules are in ``training.imports``; an upload is kept and imported by a
Celery task (``training.services.imports``), all or nothing, and its page shows the progress,
then the count or the report of a refused file (row, column, problem). A job is its
uploader's only.

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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import lists, policy
from accounts.errors import ApplicationError
from accounts.forms import StyledForm
from paperwork import jobs
from paperwork.spreadsheets import XLSX
from registry import selectors as registry_selectors
from training import imports, rules, selectors
from training.models import WorkforceImportJob
from training.services import imports as import_services

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


def _page(request, *, kind: str, heading: str, template_url: str, back: tuple[str, str] | None, target: dict):
    """GET shows the form; POST keeps the upload and queues its import (``target``: the
    institution or programme), then shows the job's page."""
    form = WorkbookForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            job = import_services.import_job_create(
                actor=request.user, kind=kind, uploaded=form.cleaned_data["file"], **target
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("%(name)s is uploaded; its rows are checked before anything is saved.")
                             % {"name": job.original_name})  # fmt: skip
            return redirect("training_import_detail", pk=job.pk)
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
    heading = _("Import staff of %(institution)s") % {"institution": institution.name}
    return _page(request, kind=imports.STAFF, heading=heading, template_url=_template_url(imports.STAFF),
                 back=None, target={"institution": institution})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def certificate_import(request):
    institution = _own_institution(request.user)
    heading = _("Import certificates of the staff of %(institution)s") % {"institution": institution.name}
    return _page(request, kind=imports.CERTIFICATES, heading=heading,
                 template_url=_template_url(imports.CERTIFICATES), back=None,
                 target={"institution": institution})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def participant_import(request, pk: int):
    programme = selectors.programme_get(actor=request.user, pk=pk)
    if not rules.can_run(request.user, programme):
        raise PermissionDenied(RUN_DUTY)
    heading = _("Import participants of %(title)s") % {"title": programme.title}
    back = (reverse("programme_detail", kwargs={"pk": programme.pk}), programme.title)
    return _page(request, kind=imports.PARTICIPANTS, heading=heading,
                 template_url=_template_url(imports.PARTICIPANTS, programme=programme.pk), back=back,
                 target={"programme": programme})  # fmt: skip


def _job_page_links(job: WorkforceImportJob) -> dict:
    if job.kind == WorkforceImportJob.Kind.PARTICIPANTS:
        programme = {"pk": job.programme_id}
        return {"upload_url": reverse("participant_import", kwargs=programme),
                "back": (reverse("programme_detail", kwargs=programme), job.programme.title)}  # fmt: skip
    name = "staff_import" if job.kind == WorkforceImportJob.Kind.STAFF else "certificate_import"
    return {"upload_url": reverse(name), "back": None}


@login_required
@require_GET
def training_import_list(request):
    """The user's own workforce imports (``training.lists``: one filter set for the list and its
    export); each row leads to its page and report."""
    context = lists.page_context(request, lists.spec_get("training_imports"))
    return render(request, "training/imports/list.html", context)


@login_required
@require_GET
def training_import_detail(request, pk: int):
    """A workforce import's progress, then its count or its report (its uploader only)."""
    job = import_services.import_job_refresh(selectors.import_job_get(actor=request.user, pk=pk))
    return render(request, "training/imports/detail.html", {"job": job, **_job_page_links(job)})


@login_required
@require_GET
def training_import_status(request, pk: int):
    job = import_services.import_job_refresh(selectors.import_job_get(actor=request.user, pk=pk))
    return jobs.status_response(job)


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
    path("imports/jobs/", training_import_list, name="training_import_list"),
    path("imports/jobs/<int:pk>/", training_import_detail, name="training_import_detail"),
    path("imports/jobs/<int:pk>/status/", training_import_status, name="training_import_status"),
]
