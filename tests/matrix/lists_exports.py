"""Permission matrix of the lists' exports (``accounts.lists``), their background jobs and the
printable filing ledger.

A list's export shows each user the rows of the list's page (its own sight), so every member
gets an answer and nobody gets another's rows (the export tests check the rows); a list whose
page asks for a duty asks it of its export too (403); an unknown list is 404. A list's
background export belongs to its requester alone (rule 29).
"""

from accounts.models import User
from dashboard.models import ExportJob
from tests.permission_matrix import LOGGED_IN, MEMBERS, Case


def _list(name):
    return lambda username: {"name": name}


def _health_list_job(username):
    job = ExportJob.objects.create(list_name="institutions", query="", requested_by=User.objects.get(username="health"))
    return {"pk": job.pk}


TARGETS = {
    "filings_list": _list("filings"),
    "institutions_list": _list("institutions"),
    "staff_list": _list("staff"),
    "registrations_list": _list("registrations"),
    "unfiled_list": _list("unfiled"),
    "guidance_sites_list": _list("guidance_sites"),
    "orders_list": _list("orders"),
    "unknown_list": _list("nothing"),
    "health_list_export_job": _health_list_job,
}

CASES = [
    Case("list_export", LOGGED_IN, target="filings_list"),
    Case("list_export", LOGGED_IN, target="institutions_list"),
    Case("list_export", LOGGED_IN, target="staff_list"),
    # As their pages: registrations for members of an organisation, the unfiled queue for reviewers.
    Case("list_export", MEMBERS, target="registrations_list", denied=403),
    Case("list_export", frozenset({"health"}), target="unfiled_list", denied=403),
    Case("list_export", LOGGED_IN, target="guidance_sites_list"),
    Case("list_export", LOGGED_IN, target="orders_list"),
    Case("list_export", frozenset(), target="unknown_list"),
    Case("export_job_download", frozenset({"health"}), target="health_list_export_job"),
    Case("filing_ledger", LOGGED_IN),
]
