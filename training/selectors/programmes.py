"""Training: programmes, their sessions and participants."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts import policy
from accounts.models import Region, User
from training import rules
from training.models import Participant, TrainingProgramme, TrainingSession


def programme_list(*, actor: User, kind: str = "", organiser: int | None = None, township: str = "") -> QuerySet:
    queryset = (
        TrainingProgramme.objects.visible_to(actor)
        .select_related("organiser", "region")
        .annotate(
            participant_count=Count("participants", distinct=True),
            completed_count=Count("participants", filter=Q(participants__completed_on__isnull=False), distinct=True),
            session_count=Count("sessions", distinct=True),
        )
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if organiser:
        queryset = queryset.filter(organiser_id=organiser)
    if township:
        queryset = queryset.filter(region__code__startswith=township)
    return queryset


def programme_get(*, actor: User, pk: int) -> TrainingProgramme:
    queryset = TrainingProgramme.objects.select_related("organiser__jurisdiction", "region").prefetch_related(
        "sessions"
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def participant_list(*, actor: User, programme: TrainingProgramme | None = None) -> QuerySet:
    queryset = (
        Participant.objects.visible_to(actor)
        .select_related("programme", "staff__institution", "village", "township")
        .prefetch_related("sessions_attended")
    )
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    return queryset


def participant_get(*, actor: User, pk: int) -> Participant:
    queryset = Participant.objects.select_related("programme__organiser", "staff__institution", "village")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def session_get(*, actor: User, pk: int) -> TrainingSession:
    queryset = TrainingSession.objects.select_related("programme__organiser")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def trained(kinds, *, since: date | None = None, region_code: str = "") -> QuerySet:
    """Participants who completed a programme of these kinds (people counted once by the
    caller as it needs): trainers trained, village instructors trained."""
    queryset = Participant.objects.filter(programme__kind__in=kinds, completed_on__isnull=False)
    if since is not None:
        queryset = queryset.filter(completed_on__gte=since)
    if region_code:
        queryset = queryset.filter(
            Q(township__code__startswith=region_code) | Q(programme__region__code__startswith=region_code)
        )
    return queryset


def programme_sessions(*, actor: User, programme: TrainingProgramme) -> QuerySet:
    """The programme's sessions with how many attended each: a count, not who (rule 24)."""
    return (
        TrainingSession.objects.visible_to(actor)
        .filter(programme=programme)
        .annotate(attendance=Count("attendees"))
        .order_by("held_on", "pk")
    )


def programme_organisers(*, actor: User) -> QuerySet:
    """The organisations that organise a programme the actor sees (the list's filter)."""
    organisers = TrainingProgramme.objects.visible_to(actor).values("organiser")
    return policy.organisations_visible_to(actor).filter(pk__in=organisers).order_by("name")


def programme_township_choices() -> QuerySet:
    """Every township: programmes are facts every member sees, and so are the areas they serve."""
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")


def programme_area_choices(*, actor: User) -> QuerySet:
    """The areas a new programme of the actor may serve: the jurisdiction of each organisation
    through which the actor runs a kind of programme, and the townships inside it (so a
    township government offers its own township only). The service judges the one chosen."""
    codes = {rules.running_organisation(actor, kind).jurisdiction.code for kind in rules.runnable_kinds(actor)}
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(code=code) | Q(code__startswith=code, level=Region.Level.TOWNSHIP)
    return Region.objects.filter(condition).order_by("code")


def programme_villages(*, actor: User, programme: TrainingProgramme) -> QuerySet:
    """Villages and communities inside the programme's area and the actor's sight (a village
    health instructor's village)."""
    villages = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=programme.region.code)
    return policy.regions_visible_to(actor, villages).select_related("parent").order_by("code")
