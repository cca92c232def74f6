"""The certificate import: every row checked and recorded for the institution's current staff, or none."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from accounts.crypto import keyed_hash
from paperwork.spreadsheets import Report, Row, fold, note_duplicates
from registry.models import Institution
from training import selectors
from training.imports.columns import CERTIFICATES, column_of
from training.imports.reading import read, save_all
from training.models import Certificate, CertificateKind
from training.services import certificates as certificate_services
from training.services import staff as staff_services


def _kind_lookup(kinds: Iterable[CertificateKind]) -> dict[str, CertificateKind]:
    lookup = {}
    for kind in kinds:
        for spelling in (kind.name, kind.code, kind.name_en):
            if spelling:
                lookup.setdefault(fold(spelling), kind)
    return lookup


def certificate_import(*, actor, institution: Institution, file, tracker=None) -> tuple[int, Report]:
    """Record every certificate of the file for the institution's current staff, or none."""
    staff_services.require_roster_keeper(actor, institution)
    kind = CERTIFICATES
    rows, report = read(file, kind, tracker=tracker)
    if not rows:
        return 0, report
    id_column, kind_column, level_column, number_column, expiry_column = (
        column_of(kind, key) for key in ("id_number", "kind", "level", "number", "expires_on")
    )
    kinds = list(selectors.certificate_kinds(actor=actor))
    by_spelling = _kind_lookup(kinds)
    hashes = {keyed_hash(row.values["id_number"]) for row in rows if row.values.get("id_number")}
    members = {
        member.id_hash: member
        for member in selectors.staff_list(actor=actor, institution=institution)
        .prefetch_related(None)
        .filter(id_hash__in=hashes)
    }
    for row in rows:
        values = row.values
        if values.get("id_number"):
            values["member"] = members.get(keyed_hash(values["id_number"]))
            if values["member"] is None:
                # Said the same whether or not the person works elsewhere.
                report.add(row.number, id_column, _("No one with this ID number is on your institution's current "
                                                    "staff: add the person to the staff first."))  # fmt: skip
        spelling = values.get("kind")
        if spelling:
            certificate_kind = by_spelling.get(fold(spelling))
            values["kind_object"] = certificate_kind
            if certificate_kind is None:
                message = _("Unknown kind of certificate “%(value)s”: write one of %(names)s.")
                names = "、".join(k.name for k in kinds)
                report.add(row.number, kind_column, message % {"value": spelling, "names": names})
            elif certificate_kind.levels:
                levels = {fold(level): level for level in certificate_kind.levels}
                level = levels.get(fold(values.get("level") or ""))
                if level is None:
                    message = _("%(kind)s has the levels %(levels)s: write one of them.")
                    levels_text = "、".join(certificate_kind.levels)
                    figures = {"kind": certificate_kind.name, "levels": levels_text}
                    report.add(row.number, level_column, message % figures)
                else:
                    values["level"] = level
        issued, expires = values.get("issued_on"), values.get("expires_on")
        if issued and expires and expires < issued:
            report.add(row.number, expiry_column, _("The certificate cannot expire before it was issued."))
    numbered = [row for row in rows if row.values.get("kind_object") and row.values.get("number")]
    note_duplicates(numbered, report, number_column,
                     lambda row: (row.values["kind_object"].pk, row.values["number"]),
                     _("The same certificate (kind and number) is on row %(row)d too."))  # fmt: skip
    recorded = selectors.certificate_numbers_recorded(
        kind_ids={row.values["kind_object"].pk for row in numbered},
        numbers={row.values["number"] for row in numbered},
    )
    for row in numbered:
        if (row.values["kind_object"].pk, row.values["number"]) in recorded:
            report.add(row.number, number_column, _("A certificate of this kind with this number is already recorded."))
    if report:
        return 0, report.sorted()

    def save(row: Row) -> Certificate:
        values = row.values
        return certificate_services.certificate_add(
            actor=actor,
            member=values["member"],
            kind=values["kind_object"],
            number=values["number"],
            issuer=values["issuer"],
            issued_on=values["issued_on"],
            level=values["level"] or "",
            expires_on=values["expires_on"],
        )

    report = save_all(kind, rows, save, actor=actor, obj=institution, event="certificates.imported", tracker=tracker)
    return (0 if report else len(rows)), report
