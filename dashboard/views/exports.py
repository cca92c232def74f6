"""Dashboard exports: a region's Excel file at once, or the full export in the background.

The same scope as the pages (``dashboard_region``: 403 without ``dashboard.view``, 404 out of
sight). A background export belongs to whoever asked for it: anyone else gets 404 (rule 29).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists
from dashboard import selectors
from dashboard.exports import dashboards as exports
from dashboard.exports import lists as list_exports
from dashboard.models import ExportJob
from yuyao_childcare.replica import replica_reads


@login_required
@require_GET
@replica_reads()
def dashboard_export(request, code: str):
    region = selectors.dashboard_region(actor=request.user, code=code)
    return exports.dashboard_xlsx(actor=request.user, region=region)


@login_required
@require_POST
def dashboard_export_start(request, code: str):
    region = selectors.dashboard_region(actor=request.user, code=code)
    job = exports.export_job_start(actor=request.user, region=region)
    messages.info(request, _("The export is being prepared; you will get a message when it is ready."))
    return redirect("export_job_download", pk=job.pk)


@login_required
@require_GET
def export_job_download(request, pk: int):
    """The file once it is ready; until then (or if it failed) a page that says so."""
    job = selectors.export_job_get(actor=request.user, pk=pk)
    if job.status == ExportJob.Status.DONE and job.file:
        name = list_exports.list_export_filename(job) if job.list_name else exports.export_job_filename(job)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)
    spec = lists.spec_get(job.list_name) if job.list_name else None
    return render(request, "dashboard/dashboards/export_job.html", {"job": job, "spec": spec})


@login_required
@require_http_methods(["GET", "POST"])
def list_export(request, name: str):
    """A list's Excel export with its page's filters (``accounts.lists.export``): at once up to
    a page, else in the background. The rows are the user's own sight (the list's selector)."""
    spec = lists.spec_get(name)
    if spec is None:
        raise Http404(name)
    return lists.export(request, spec)


urlpatterns = [
    re_path(r"^(?P<code>\d{6,12})/export\.xlsx$", dashboard_export, name="dashboard_export"),
    re_path(r"^(?P<code>\d{6,12})/export/$", dashboard_export_start, name="dashboard_export_start"),
    path("exports/<int:pk>/", export_job_download, name="export_job_download"),
    path("lists/<slug:name>/export/", list_export, name="list_export"),
]
