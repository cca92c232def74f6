"""Training programmes: an organisation holding a duty the programme's kind names runs it
(``TrainingProgramme.RUNNING_DUTIES``); its own officers add sessions and participants,
record attendance, the assessment, completion and the certificate issued."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.errors import ApplicationError
from accounts.models import Organisation, Region
from training import rules
from training.models import Participant, StaffMember, TrainingProgramme, TrainingSession


def require_runner(actor, programme: TrainingProgramme) -> None:
    if not rules.can_run(actor, programme):
        raise PermissionDenied("training.run")


def _check_region(organiser: Organisation, region: Region, kind: str) -> None:
    if not region.code.startswith(organiser.jurisdiction.code):
        raise ApplicationError(
            _("Choose an area within %(area)s.") % {"area": organiser.jurisdiction.name},
            fields={"region": [_("Outside your jurisdiction.")]},
        )
    if kind == TrainingProgramme.Kind.TRAINER_TOWNSHIP and region.level == Region.Level.CITY:
        raise ApplicationError(
            _("Township-level trainer training serves one township."), fields={"region": [_("Choose a township.")]}
        )


@transaction.atomic
def programme_create(
    *, actor, kind: str, title: str, region: Region, starts_on: date, ends_on: date, description: str = ""
) -> TrainingProgramme:
    if kind not in TrainingProgramme.Kind.values:
        raise ApplicationError(_("Choose the kind of programme."), fields={"kind": [_("Unknown kind.")]})
    organiser = rules.running_organisation(actor, kind)
    if organiser is None:
        raise PermissionDenied("training.run")
    _check_region(organiser, region, kind)
    if ends_on < starts_on:
        raise ApplicationError(
            _("A programme cannot end before it starts."), fields={"ends_on": [_("Before the start.")]}
        )
    programme = TrainingProgramme.objects.create(
        kind=kind, title=title.strip(), organiser=organiser, region=region, starts_on=starts_on, ends_on=ends_on,
        description=description,
    )  # fmt: skip
    audit.record(actor=actor, event="programme.created", obj=programme, details={"kind": kind})
    return programme


@transaction.atomic
def programme_set_status(*, actor, programme: TrainingProgramme, status: str) -> TrainingProgramme:
    require_runner(actor, programme)
    if status not in TrainingProgramme.Status.values:
        raise ApplicationError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    if programme.status != status:
        programme.status = status
        programme.save(update_fields=["status"])
        audit.record(actor=actor, event="programme.status", obj=programme, details={"status": status})
    return programme


@transaction.atomic
def session_add(
    *, actor, programme: TrainingProgramme, held_on: date, place: str, hours: Decimal, trainer: str, topic: str = ""
) -> TrainingSession:
    require_runner(actor, programme)
    if hours is None or hours <= 0 or hours > 24:
        raise ApplicationError(_("Hours must be more than 0 and at most 24."), fields={"hours": [_("0 to 24.")]})
    if not programme.starts_on <= held_on <= programme.ends_on:
        raise ApplicationError(
            _("The session must fall between %(start)s and %(end)s.")
            % {"start": programme.starts_on, "end": programme.ends_on},
            fields={"held_on": [_("Outside the programme's dates.")]},
        )
    session = TrainingSession.objects.create(
        programme=programme, held_on=held_on, place=place.strip(), hours=hours, trainer=trainer.strip(), topic=topic
    )
    audit.record(actor=actor, event="session.added", obj=session)
    return session


@transaction.atomic
def participant_add(
    *,
    actor,
    programme: TrainingProgramme,
    kind: str,
    name: str = "",
    staff: StaffMember | None = None,
    village: Region | None = None,
    phone: str = "",
) -> Participant:
    """Staff join by their roster record; village instructors need their village; members of
    the public need a name. A participant's township follows from their village or employer."""
    require_runner(actor, programme)
    if kind not in Participant.Kind.values:
        raise ApplicationError(_("Choose the kind of participant."), fields={"kind": [_("Unknown kind.")]})
    township = None
    if kind == Participant.Kind.STAFF:
        if staff is None:
            raise ApplicationError(_("Choose the staff member."), fields={"staff": [_("Required.")]})
        if Participant.objects.filter(programme=programme, staff=staff).exists():
            raise ApplicationError(
                _("This staff member is already a participant."), fields={"staff": [_("Already in.")]}
            )
        name = staff.name
        township = staff.institution.township
    elif staff is not None:
        raise ApplicationError(
            _("Only staff participants are linked to a roster."), fields={"staff": [_("Leave empty.")]}
        )
    if kind == Participant.Kind.VILLAGE_INSTRUCTOR and (village is None or village.level != Region.Level.VILLAGE):
        raise ApplicationError(
            _("A village health instructor needs their village or community."),
            fields={"village": [_("Choose a village or community.")]},
        )
    if village is not None:
        if village.level != Region.Level.VILLAGE:
            raise ApplicationError(_("Choose a village or community."), fields={"village": [_("Not a village.")]})
        township = Region.objects.filter(code=village.code[:9]).first()
    if not name.strip():
        raise ApplicationError(_("Give the participant's name."), fields={"name": [_("Required.")]})
    participant = Participant.objects.create(
        programme=programme, kind=kind, staff=staff, name=name.strip(), phone=phone.strip(), village=village,
        township=township,
    )  # fmt: skip
    audit.record(actor=actor, event="participant.added", obj=participant, details={"kind": kind})
    return participant


@transaction.atomic
def attendance_record(*, actor, session: TrainingSession, present: list[Participant]) -> None:
    """Who attended a session (replaces the previous record for that session)."""
    require_runner(actor, session.programme)
    if any(participant.programme_id != session.programme_id for participant in present):
        raise ApplicationError(_("Only the programme's participants can attend its sessions."))
    session.attendees.set(present)
    audit.record(actor=actor, event="session.attendance", obj=session, details={"present": len(present)})


@transaction.atomic
def assessment_record(
    *,
    actor,
    participant: Participant,
    assessment: str,
    score: Decimal | None = None,
    completed_on: date | None = None,
    certificate_number: str = "",
) -> Participant:
    """The result: a pass may complete the programme and issue a certificate; a fail cannot."""
    require_runner(actor, participant.programme)
    if assessment not in Participant.Assessment.values:
        raise ApplicationError(_("Unknown assessment."), fields={"assessment": [_("Unknown.")]})
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        raise ApplicationError(_("A score is between 0 and 100."), fields={"score": [_("0 to 100.")]})
    if assessment != Participant.Assessment.PASSED and (completed_on or certificate_number):
        raise ApplicationError(_("Only a participant who passed completes the programme and gets a certificate."))
    if completed_on is not None and completed_on < participant.programme.starts_on:
        raise ApplicationError(
            _("Completion cannot be before the programme starts."), fields={"completed_on": [_("Too early.")]}
        )
    participant.assessment = assessment
    participant.score = score
    participant.completed_on = completed_on
    participant.certificate_number = certificate_number.strip()
    participant.save(update_fields=["assessment", "score", "completed_on", "certificate_number"])
    audit.record(
        actor=actor, event="participant.assessed", obj=participant,
        details={"assessment": assessment, "completed": completed_on is not None},
    )  # fmt: skip
    return participant
