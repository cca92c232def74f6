"""Staff pages: the roster(s) in sight with their Excel export, a staff member's record, adding,
changing and ending an employment, revealing a full ID number, and the health bureau's list of
people active at more than one institution.

Sight comes from the policy through ``training.selectors`` (out of sight: 404); who may act is
asked before the input is judged (in sight but not allowed: 403, logged). A refusal by a
service is shown as its message and changes nothing.

ID numbers are shown masked everywhere (first 6, last 4). The full number appears on one page
only: the answer to a reveal by a holder of ``staff.reveal``, with a reason, logged and not
cached. A typed ID number is never written back into a form; after a ban-list match the name
is not either, and the page says only whom to contact.
"""

from datetime import timedelta
from itertools import groupby
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lists, second_factor
from accounts.errors import ApplicationError
from registry import parameters
from registry import selectors as registry_selectors
from training import rules, selectors
from training.forms.workforce import LeaveForm, RevealForm, StaffForm, add_service_errors
from training.models import Certificate
from training.services import staff as services

PAGE_SIZE = 25


def warning_horizon():
    """Today and the last day of the expiry warning period (the bureau's parameter)."""
    today = timezone.localdate()
    return today, today + timedelta(days=int(parameters.get("certificate.warning_days", 60)))


def _own_institution(request):
    """The institution whose roster the user keeps (its officers and heads), or None."""
    institution = registry_selectors.institution_for_member(actor=request.user)
    if institution is not None and rules.may_keep_roster(request.user, institution):
        return institution
    return None


def _require_keeper(request, member) -> None:
    if not rules.may_keep_roster(request.user, member.institution):
        raise PermissionDenied(rules.SELF_DUTY)


@login_required
@require_GET
def staff_list(request):
    context = lists.page_context(request, lists.spec_get("staff"))
    today, warn_until = warning_horizon()
    context |= {
        "today": today,
        "warn_until": warn_until,
        "show_duplicates": rules.may_see_duplicates(request.user),
        "own_institution": _own_institution(request),
    }
    return render(request, "training/staff/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_export(request):
    """The roster's export (``accounts.lists.export``): at once up to a page, else in the background."""
    return lists.export(request, lists.spec_get("staff"))


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    """An institution's officers add a person to their own roster; nobody else adds staff."""
    institution = _own_institution(request)
    if institution is None:
        raise PermissionDenied(rules.SELF_DUTY)
    if request.method == "POST":
        form = StaffForm(request.POST, institution=institution, with_id_number=True)
        if form.is_valid():
            try:
                member = services.staff_create(
                    actor=request.user, institution=institution, request=request, **form.cleaned_data
                )
            except ApplicationError as error:
                well_formed = not services.id_number_error(form.cleaned_data["id_number"])
                add_service_errors(form, error)
                if "id_number" in error.fields and well_formed:
                    # A well-formed number was refused (the ban list, or already on the staff):
                    # the page shows nobody's details, not even the name that was typed.
                    form.forget("name")
            else:
                messages.success(request, _("%(name)s was added to the staff.") % {"name": member.name})
                return redirect("staff_detail", pk=member.pk)
        form.forget("id_number")
    else:
        form = StaffForm(institution=institution, with_id_number=True)
    context = {"form": form, "institution": institution}
    return render(request, "training/staff/form.html", context)


@login_required
@require_GET
def staff_detail(request, pk: int):
    member = selectors.staff_get(actor=request.user, pk=pk)
    may_keep = rules.may_keep_roster(request.user, member.institution)
    today, warn_until = warning_horizon()
    context = {
        "member": member,
        "certificates": list(member.certificates.all()),
        "may_keep": may_keep,
        "is_active": member.left_on is None,
        "may_reveal": rules.may_reveal(request.user),
        "may_verify": rules.may_verify(request.user),
        "show_duplicates": rules.may_see_duplicates(request.user),
        "verified": Certificate.Status.VERIFIED,
        "pending": Certificate.Status.PENDING,
        "today": today,
        "warn_until": warn_until,
    }
    return render(request, "training/staff/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    member = selectors.staff_get(actor=request.user, pk=pk)
    _require_keeper(request, member)
    initial = StaffForm.initial_of(member)
    if request.method == "POST":
        form = StaffForm(request.POST, institution=member.institution, with_id_number=False, initial=initial)
        if form.is_valid():
            changes = form.changes(member)
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("staff_detail", pk=member.pk)
            try:
                services.staff_update(actor=request.user, member=member, **changes)
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The record of %(name)s was saved.") % {"name": member.name})
                return redirect("staff_detail", pk=member.pk)
    else:
        form = StaffForm(institution=member.institution, with_id_number=False, initial=initial)
    context = {"form": form, "member": member, "institution": member.institution}
    return render(request, "training/staff/form.html", context)


@login_required
@require_POST
def staff_leave(request, pk: int):
    member = selectors.staff_get(actor=request.user, pk=pk)
    _require_keeper(request, member)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the leaving date."))
        return redirect("staff_detail", pk=member.pk)
    try:
        services.staff_leave(actor=request.user, member=member, left_on=form.cleaned_data["left_on"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s has left the staff.") % {"name": member.name})
    return redirect("staff_detail", pk=member.pk)


@login_required
@require_POST
def staff_reveal(request, pk: int):
    """The full ID number, once, for a holder of ``staff.reveal`` who says why (logged)."""
    member = selectors.staff_get(actor=request.user, pk=pk)
    if not rules.may_reveal(request.user):
        raise PermissionDenied(rules.REVEAL_DUTY)
    if not second_factor.fresh(request):
        # The last code is too old for personal data: ask again, then back to the person's page.
        messages.info(request, _("Give a fresh code of your authenticator app to see the full ID number."))
        back = quote(reverse("staff_detail", args=[member.pk]))
        return redirect(f"{reverse('second_factor_verify')}?next={back}")
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        number = services.staff_reveal(actor=request.user, member=member, reason=reason, request=request)
    except ApplicationError as error:
        context = {"member": member, "error": error.message, "form": form}
        response = render(request, "training/staff/reveal.html", context, status=400)
    else:
        context = {"member": member, "number": number, "reason": reason.strip()}
        response = render(request, "training/staff/reveal.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def staff_duplicates(request):
    """People active at more than one institution, one group per person (health bureau only)."""
    if not rules.may_see_duplicates(request.user):
        raise PermissionDenied(rules.OVERSEE_DUTY)
    members = selectors.duplicate_employment_list(actor=request.user)
    groups = [list(group) for _digest, group in groupby(members, key=lambda member: member.id_hash)]
    return render(request, "training/staff/duplicates.html", {"groups": groups})


urlpatterns = [
    path("staff/", staff_list, name="staff_list"),
    path("staff/export/", staff_export, name="staff_export"),
    path("staff/new/", staff_create, name="staff_create"),
    path("staff/duplicates/", staff_duplicates, name="staff_duplicates"),
    path("staff/<int:pk>/", staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", staff_edit, name="staff_edit"),
    path("staff/<int:pk>/leave/", staff_leave, name="staff_leave"),
    path("staff/<int:pk>/reveal/", staff_reveal, name="staff_reveal"),
]
