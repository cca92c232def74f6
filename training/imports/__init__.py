"""Workforce imports from Excel: an institution's staff and their certificates, and the
participants of a training programme. The upload is kept and imported by a Celery task
(``training.services.imports``, the job's life in ``paperwork.jobs``) with progress, this row
report and a notification, as the registry's imports are.

The file format
---------------
That of the registry's imports (``registry.imports``, read by ``paperwork.spreadsheets``): an
``.xlsx`` workbook (judged by its content, at most ``MAX_BYTES``) whose data sheet
(``导入数据``, or else the first sheet) has the fixed Chinese headers (``columns``) on row 1
(a ``*`` marks a required column and is ignored when reading, as are spaces and the width of
brackets; their order does not matter) and one row per person or certificate from row 2, at
most ``MAX_ROWS`` rows. Row numbers in the report are the sheet's own. Choice columns take the
fixed Chinese names (``columns``), a few synonyms, the interface's labels in Chinese or
English, or the codes. Dates are read as the registry reads them. The template has no example
row (a fictional ID number must never reach a roster): the instructions sheet gives one instead.

Who imports what
----------------
- **staff** and **certificates**: the officers and heads of an institution (``institution.self``),
  into their own institution's roster only.
- **participants**: the officers of the programme's organiser who may run it
  (``training.rules.can_run``).

All or nothing
--------------
1. Every row is checked before anything is written. Staff rows are also *screened* one by one
   (``services.staff.staff_screen``: a valid ID number, not on the ban list) before the data
   transaction, so that the security log keeps a ban-list match even though nothing is saved;
   a barred person's row says only to contact the health bureau.
2. If any row is wrong, the report lists every problem (row, column header, message) and nothing
   is saved.
3. Otherwise every row is saved in one transaction through the same services as the pages (so
   the audit trail records each addition); a refusal by a service at this stage is reported the
   same way and rolls everything back.

Row checks
----------
- staff: required cells; the ID number is valid, not twice in the file, not already on the
  institution's current staff, and the person is not barred; gender, role and education are
  known names; the class is one of the institution's classes (by name); the hiring and
  background-check dates are not in the future.
- certificates: the ID number belongs to a person on the institution's current staff (matched
  by keyed hash; "not on your staff" says nothing about other institutions); the kind is a
  certificate kind in use, the level one of its levels; the issue date is not in the future and
  the expiry not before it; a kind and number are not twice in the file nor already recorded.
- participants: staff are matched by ID number against the current staff the organiser may see
  (``selectors.staff_list``) within the programme's area, once per programme; a village
  instructor needs the 12-digit code of a village or community inside the programme's area
  (any other participant may give one); names are required except for staff, whose name
  follows the roster (a different name in the file is reported); mobiles have 11 digits.

The package, by subject: ``columns`` (the file format), ``reading`` (the uploaded file, the
checks of each cell, saving all or nothing), one module per import kind (``staff``,
``certificates``, ``participants``) and ``templates``.
"""

from paperwork.spreadsheets import MAX_ROWS
from training.imports.certificates import certificate_import
from training.imports.columns import CERTIFICATES, COLUMNS, KINDS, PARTICIPANTS, STAFF, column_help
from training.imports.participants import participant_import
from training.imports.reading import MAX_BYTES, check_file
from training.imports.staff import staff_import
from training.imports.templates import template_for

__all__ = [
    "CERTIFICATES", "COLUMNS", "KINDS", "MAX_BYTES", "MAX_ROWS", "PARTICIPANTS", "STAFF", "certificate_import",
    "check_file", "column_help", "participant_import", "staff_import", "template_for",
]  # fmt: skip
