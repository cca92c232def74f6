"""Pages of the Excel imports: upload, template download, progress and report. The rules are in
``registry.imports``; the import itself runs as a task (``registry.tasks.import_run_task``)."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import lists
from accounts.errors import ApplicationError
from paperwork import jobs
from paperwork.spreadsheets import XLSX
from registry import imports, rules, selectors
from registry.forms.registrations import ImportForm, add_application_error
from registry.models import ImportJob
from registry.services import imports as import_services

PAGE_SIZE = 20


def _list_page(request, form: ImportForm, kinds: list[str], status: int = 200):
    """The upload form over the organisation's imports (``registry.lists``: one filter set for
    the list and its export)."""
    context = lists.page_context(request, lists.spec_get("imports"), page_size=PAGE_SIZE)
    context |= {
        "form": form,
        "kinds": [(value, label) for value, label in ImportJob.Kind.choices if value in kinds],
        "max_rows": imports.MAX_ROWS,
        "max_mb": import_services.IMPORT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "registry/imports/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """GET lists the organisation's imports with the upload form (``import_list``); POST uploads
    a workbook and queues its import (``import_create``)."""
    actor = request.user
    if not rules.may_see_imports(actor):
        raise PermissionDenied("import.list")
    kinds = rules.importable_kinds(actor)
    if request.method == "GET":
        return _list_page(request, ImportForm(kinds=kinds), kinds)
    kind = request.POST.get("kind", "")
    if not kinds or (kind in ImportJob.Kind.values and kind not in kinds):
        raise PermissionDenied("import.create")
    form = ImportForm(request.POST, request.FILES, kinds=kinds)
    if form.is_valid():
        try:
            job = import_services.import_job_create(
                actor=actor, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"]
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("%(name)s is uploaded; its rows are checked before anything is saved.")
                             % {"name": job.original_name})  # fmt: skip
            return redirect("import_detail", pk=job.pk)
    return _list_page(request, form, kinds)


@login_required
@require_GET
def import_template(request, kind: str):
    if kind not in ImportJob.Kind.values:
        raise Http404
    filename, content = imports.template_for(actor=request.user, kind=kind)  # 403 if not an importer of it
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def import_detail(request, pk: int):
    job = import_services.import_job_refresh(selectors.import_job_get(actor=request.user, pk=pk))
    return render(request, "registry/imports/detail.html", {"job": job})


@login_required
@require_GET
def import_status(request, pk: int):
    job = import_services.import_job_refresh(selectors.import_job_get(actor=request.user, pk=pk))
    return jobs.status_response(job)


urlpatterns = [
    path("imports/", import_page, name="import_list"),
    path("imports/", import_page, name="import_create"),
    path("imports/template/<str:kind>/", import_template, name="import_template"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", import_status, name="import_status"),
]
