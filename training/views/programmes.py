"""Training programme pages: the list (``training.lists``: filters, sort, Excel export), a new programme, and a
programme's page with its sessions and participants, where the organiser's officers change
its status, add sessions and participants, record attendance and assessments.

Programmes and sessions are facts every member sees (policy rule 24); participants are shown
only to those rule 25 names (``selectors.participant_list``). Running a programme is for the
organiser's officers (rule 30, ``rules.can_run``): anyone else who sees the
programme gets 403, asked before the input is judged. A participant out of sight is 404. A
refusal by a service is shown as its message, and nothing changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists
from accounts.errors import ApplicationError
from training import rules, selectors
from training.exports import programmes as exports
from training.forms.programmes import (
    AssessmentForm,
    AttendanceForm,
    ParticipantForm,
    ProgrammeForm,
    ProgrammeStatusForm,
    SessionForm,
)
from training.models import Participant, TrainingProgramme
from training.services import programmes as services

PAGE_SIZE = 25
RUN_DUTY = "training.run"
# The participant kind the form starts with, by the programme's kind.
STAFF_KINDS = {
    TrainingProgramme.Kind.PRE_JOB: Participant.Kind.STAFF,
    TrainingProgramme.Kind.IN_SERVICE: Participant.Kind.STAFF,
    TrainingProgramme.Kind.TRAINER_CITY: Participant.Kind.STAFF,
    TrainingProgramme.Kind.TRAINER_TOWNSHIP: Participant.Kind.STAFF,
    TrainingProgramme.Kind.VILLAGE_INSTRUCTOR: Participant.Kind.VILLAGE_INSTRUCTOR,
}


def _show_refusal(form, error: ApplicationError) -> None:
    """A service's refusal on the form: its message for the whole form (so the reason is
    read first), and the short notes on the fields it names."""
    form.add_error(None, error.message)
    for name, field_errors in error.fields.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, field_errors)


def _require_runner(actor, programme: TrainingProgramme) -> None:
    if not rules.can_run(actor, programme):
        raise PermissionDenied(RUN_DUTY)


# --- The list and its export -------------------------------------------------------------


@login_required
@require_GET
def programme_list(request):
    """The list (``accounts.lists``: one filter set for the page, its export and the API)."""
    context = lists.page_context(request, lists.spec_get("programmes"), page_size=PAGE_SIZE)
    context["can_create"] = bool(rules.runnable_kinds(request.user))
    return render(request, "training/programmes/list.html", context)


@login_required
@require_GET
def programme_export(request):
    """The programmes with their participants in sight (a second sheet), at once whatever the
    size; the list's filter set, so the same programmes as the page and its plain export."""
    filterset = lists.filtered(lists.spec_get("programmes"), actor=request.user, data=request.GET)
    if not filterset.is_valid():
        messages.error(request, _("The export was not made: please correct the filters."))
        for line in filterset.error_lines():
            messages.error(request, line)
        return HttpResponseRedirect(f"{reverse('programme_list')}?{request.GET.urlencode()}")
    programmes = list(filterset.qs)
    participants = selectors.participant_list(actor=request.user).filter(
        programme__in=[programme.pk for programme in programmes]
    )
    return exports.programmes_xlsx(programmes, participants)


# --- A new programme ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request):
    actor = request.user
    kinds = rules.runnable_kinds(actor)
    if not kinds:
        raise PermissionDenied(RUN_DUTY)
    regions = selectors.programme_area_choices(actor=actor)
    if request.method == "POST":
        form = ProgrammeForm(request.POST, kinds=kinds, regions=regions)
        if form.is_valid():
            try:
                programme = services.programme_create(actor=actor, **form.cleaned_data)
            except ApplicationError as error:
                _show_refusal(form, error)
            else:
                messages.success(request, _("Programme %(title)s created.") % {"title": programme.title})
                return redirect("programme_detail", pk=programme.pk)
    else:
        areas = list(regions[:2])
        form = ProgrammeForm(
            initial={"region": areas[0].code if len(areas) == 1 else None}, kinds=kinds, regions=regions
        )
    return render(request, "training/programmes/form.html", {"form": form})


# --- A programme's page ------------------------------------------------------------------


def _participant_form(actor, programme: TrainingProgramme, data=None) -> ParticipantForm:
    """The staff picker lists only rosters the runner may see (rule 23), within the
    programme's area; a runner who sees no roster is offered instructors and the public."""
    township = "" if programme.region.level == "city" else programme.region.code[:9]
    staff = (
        selectors.staff_list(actor=actor, township=township)
        .prefetch_related(None)
        .select_related(None)
        .select_related("institution")
        .order_by("institution__name", "name", "pk")
    )
    if not staff.exists():
        staff = None
    kind = STAFF_KINDS.get(programme.kind, Participant.Kind.PUBLIC)
    if kind == Participant.Kind.STAFF and staff is None:
        kind = Participant.Kind.PUBLIC
    return ParticipantForm(
        data,
        initial={"kind": kind},
        staff=staff,
        villages=selectors.programme_villages(actor=actor, programme=programme),
    )


def _participant_rows(actor, programme: TrainingProgramme) -> list[Participant]:
    participants = list(selectors.participant_list(actor=actor, programme=programme))
    for participant in participants:
        participant.attended = len(participant.sessions_attended.all())
    return participants


def _detail(request, programme: TrainingProgramme, *, participant_form=None, session_form=None, status=200):
    actor = request.user
    can_run = rules.can_run(actor, programme)
    sessions = list(selectors.programme_sessions(actor=actor, programme=programme))
    context = {
        "programme": programme,
        "sessions": sessions,
        "participants": _participant_rows(actor, programme),
        "session_total": len(sessions),
        "can_run": can_run,
    }
    if can_run:
        context.update(
            status_form=ProgrammeStatusForm(initial={"status": programme.status}),
            session_form=session_form or SessionForm(initial={"held_on": programme.starts_on}),
            participant_form=participant_form or _participant_form(actor, programme),
        )
    return render(request, "training/programmes/detail.html", context, status=status)


@login_required
@require_GET
def programme_detail(request, pk: int):
    return _detail(request, selectors.programme_get(actor=request.user, pk=pk))


def _to_programme(pk: int):
    return redirect("programme_detail", pk=pk)


@login_required
@require_POST
def programme_status(request, pk: int):
    programme = selectors.programme_get(actor=request.user, pk=pk)
    _require_runner(request.user, programme)
    form = ProgrammeStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return _to_programme(programme.pk)
    try:
        programme = services.programme_set_status(actor=request.user, programme=programme, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Status: %(status)s.") % {"status": programme.get_status_display()})
    return _to_programme(programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk: int):
    actor = request.user
    programme = selectors.programme_get(actor=actor, pk=pk)
    _require_runner(actor, programme)
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session = services.session_add(actor=actor, programme=programme, **form.cleaned_data)
            except ApplicationError as error:
                _show_refusal(form, error)
            else:
                messages.success(request, _("Session of %(date)s added.") % {"date": session.held_on.isoformat()})
                return _to_programme(programme.pk)
    else:
        form = SessionForm(initial={"held_on": programme.starts_on})
    return render(request, "training/programmes/session_form.html", {"programme": programme, "form": form})


@login_required
@require_POST
def participant_create(request, pk: int):
    """Posted from the programme's page; a refusal shows the form again with its reasons."""
    actor = request.user
    programme = selectors.programme_get(actor=actor, pk=pk)
    _require_runner(actor, programme)
    form = _participant_form(actor, programme, request.POST)
    if form.is_valid():
        try:
            participant = services.participant_add(actor=actor, programme=programme, **form.service_arguments())
        except ApplicationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("%(name)s joined the programme.") % {"name": participant.name})
            return _to_programme(programme.pk)
    return render(request, "training/programmes/participant_form.html", {"programme": programme, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk: int):
    actor = request.user
    session = selectors.session_get(actor=actor, pk=pk)
    programme = session.programme
    _require_runner(actor, programme)
    participants = selectors.participant_list(actor=actor, programme=programme)
    form = AttendanceForm(request.POST if request.method == "POST" else None, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=actor, session=session, present=list(form.cleaned_data["present"]))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Attendance of %(date)s recorded: %(n)d present.")
                % {"date": session.held_on.isoformat(), "n": len(form.cleaned_data["present"])},
            )
            return _to_programme(programme.pk)
    rows = list(participants)
    if form.is_bound:
        chosen = {str(value) for value in form["present"].value() or []}
    else:
        chosen = {str(p.pk) for p in rows if any(s.pk == session.pk for s in p.sessions_attended.all())}
    for participant in rows:
        participant.present = str(participant.pk) in chosen
    context = {"programme": programme, "session": session, "form": form, "rows": rows}
    return render(request, "training/programmes/attendance.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participant_assess(request, pk: int):
    actor = request.user
    participant = selectors.participant_get(actor=actor, pk=pk)
    programme = participant.programme
    _require_runner(actor, programme)
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_record(actor=actor, participant=participant, **form.cleaned_data)
            except ApplicationError as error:
                _show_refusal(form, error)
            else:
                messages.success(request, _("Assessment of %(name)s recorded.") % {"name": participant.name})
                return _to_programme(programme.pk)
    else:
        form = AssessmentForm(
            initial={
                "assessment": participant.assessment,
                "score": participant.score,
                "completed_on": participant.completed_on,
                "certificate_number": participant.certificate_number,
            }
        )
    context = {"programme": programme, "participant": participant, "form": form}
    return render(request, "training/programmes/assess.html", context)


urlpatterns = [
    path("programmes/", programme_list, name="programme_list"),
    path("programmes/export/", programme_export, name="programme_export"),
    path("programmes/new/", programme_create, name="programme_create"),
    path("programmes/<int:pk>/", programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/status/", programme_status, name="programme_status"),
    path("programmes/<int:pk>/sessions/new/", session_create, name="session_create"),
    path("programmes/<int:pk>/participants/new/", participant_create, name="participant_create"),
    path("sessions/<int:pk>/attendance/", session_attendance, name="session_attendance"),
    path("participants/<int:pk>/assess/", participant_assess, name="participant_assess"),
]
