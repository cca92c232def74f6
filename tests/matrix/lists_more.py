"""Permission matrix of the exports of the lists brought onto ``accounts.lists`` after the first
seven: certificates, annual reviews, complaints, incidents and residential areas. As with
``lists_exports``: an export shows each user the rows of its list's page (its own sight; the
rows are checked in ``tests/test_lists_more.py``), and a page that asks for a duty asks it of
its export too.
"""

from tests.matrix.registry_planning import AREA_READERS
from tests.matrix.supervision_complaints import HANDLERS as COMPLAINT_HANDLERS
from tests.matrix.supervision_incidents import LIST_READERS as INCIDENT_READERS
from tests.permission_matrix import LOGGED_IN, Case


def _list(name):
    return lambda username: {"name": name}


TARGETS = {
    "certificates_list": _list("certificates"),
    "reviews_list": _list("reviews"),
    "complaints_list": _list("complaints"),
    "incidents_list": _list("incidents"),
    "residential_areas_list": _list("residential_areas"),
}

CASES = [
    Case("list_export", LOGGED_IN, target="certificates_list"),
    Case("list_export", LOGGED_IN, target="reviews_list"),
    # As their pages: complaints for the departments and townships they are routed to.
    Case("list_export", COMPLAINT_HANDLERS, target="complaints_list", denied=403),
    # Incidents for the institutions, the townships and the health bureau.
    Case("list_export", INCIDENT_READERS, target="incidents_list", denied=403),
    # Residential areas for the townships, the health bureau and the leading group.
    Case("list_export", AREA_READERS, target="residential_areas_list", denied=403),
]
