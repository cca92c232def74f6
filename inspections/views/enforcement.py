"""Enforcement pages: rectification orders (answer with evidence, verification, ad-hoc
issue), revocation referrals and the authority's decision, cases against unregistered or
unsafe providers, the lifetime ban list and its check for staff entry.

Each page parses the request, calls one selector or service and renders. Sight comes from the
policy through ``inspections.selectors`` (out of sight: 404); who may act is asked before the
input is judged (in sight but not allowed: 403, logged). A refusal by a service is shown as its
message and changes nothing.

ID numbers on the ban list are shown masked only, and a page never echoes one back: the forms
that take an ID number render empty after a post.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, lists, policy
from accounts.errors import ApplicationError
from accounts.hooks import call_app_hooks
from inspections import rules, selectors
from inspections.forms.enforcement import (
    BanAddForm,
    BanCheckForm,
    CaseCloseForm,
    CaseOrderForm,
    CaseRecordForm,
    EvidenceUploadForm,
    OrderAnswerForm,
    OrderCloseUnmetForm,
    OrderIssueForm,
    OrderVerifyForm,
    ReferralDecideForm,
)
from inspections.models import Area, Case, RectificationOrder, RevocationReferral
from inspections.services import decisions, enforcement
from paperwork import files

PAGE_SIZE = 25
SELF_DUTY = "institution.self"
ORDER_DUTY = "rectification.order"
DECIDE_DUTY = "referral.decide"
CASE_DUTY = "case.manage"
BAN_DUTY = "banlist.manage"
# An institution may check this many ID numbers an hour: enough to enter its staff, too few
# to probe the list. Holders of the list are not limited.
BAN_CHECKS_PER_HOUR = getattr(settings, "BAN_CHECKS_PER_HOUR", 60)


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _add_errors(form, error: Exception) -> None:
    """An ApplicationError or a model ValidationError from a service, shown on the form."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        for name, field_errors in error.fields.items():
            if name in form.fields:
                form.add_error(name, field_errors)
        return
    for name, field_errors in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(name if name in form.fields else None, field_errors)


def area_label(area: str) -> str:
    return str(Area(area).label) if area in Area.values else area


# --- Rectification orders ----------------------------------------------------------------


@login_required
@require_GET
def order_list(request):
    context = lists.page_context(request, lists.spec_get("orders"))
    for order in context["page"]:
        order.area_labels = [area_label(area) for area in order.areas]
    context["can_issue"] = rules.can_issue_orders(request.user)
    return render(request, "inspections/enforcement/order_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_export(request):
    """The list's export (``accounts.lists.export``): at once up to a page, else in the background."""
    return lists.export(request, lists.spec_get("orders"))


def _order_items(order: RectificationOrder) -> list[dict]:
    return [{**item, "area_label": area_label(item.get("area", ""))} for item in order.items]


@login_required
@require_GET
def order_detail(request, pk: int):
    order = selectors.order_get(actor=request.user, pk=pk)
    is_writer = rules.is_order_writer(request.user, order)
    answered = order.status == RectificationOrder.Status.ANSWERED
    context = {
        "order": order,
        "institution": order.institution,
        "items": _order_items(order),
        "evidence": list(order.evidence.all()),
        "can_answer": rules.can_answer_order(request.user, order),
        "can_verify": answered and rules.can_verify_order(request.user, order),
        "can_close_unmet": rules.can_close_order_unmet(request.user, order),
        "is_own": is_writer,
    }
    return render(request, "inspections/enforcement/order_detail.html", context)


def _to_order(order_pk: int):
    return redirect("order_detail", pk=order_pk)


@login_required
@require_POST
def order_answer(request, pk: int):
    order = selectors.order_get(actor=request.user, pk=pk)
    policy.require_acts_for(request.user, order.institution.organisation, SELF_DUTY)
    form = OrderAnswerForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_order(order.pk)
    try:
        decisions.order_answer(actor=request.user, order=order, response=form.cleaned_data["response"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Answer sent. The inspecting department will verify the rectification."))
    return _to_order(order.pk)


@login_required
@require_POST
def order_evidence_upload(request, pk: int):
    order = selectors.order_get(actor=request.user, pk=pk)
    policy.require_acts_for(request.user, order.institution.organisation, SELF_DUTY)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_order(order.pk)
    try:
        evidence = decisions.order_evidence_add(actor=request.user, order=order, uploaded=form.cleaned_data["file"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s added as evidence.") % {"name": evidence.stored.original_name})
    return _to_order(order.pk)


@login_required
@require_GET
def order_evidence_download(request, pk: int):
    """Files live outside the web root and leave only here, after the policy, as a download
    the browser must not sniff or render."""
    evidence = selectors.order_evidence_get(actor=request.user, pk=pk)
    response = files.response(evidence.stored)
    audit.file_opened(request, model="inspections.inspectionfile", pk=evidence.pk, order=evidence.order_id)
    return response


@login_required
@require_POST
def order_verify(request, pk: int):
    order = selectors.order_get(actor=request.user, pk=pk)
    if not rules.can_verify_order(request.user, order):
        raise PermissionDenied(ORDER_DUTY)
    form = OrderVerifyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_order(order.pk)
    try:
        order = decisions.order_verify(
            actor=request.user, order=order, rectified=form.rectified, note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Verification recorded: %(status)s.") % {"status": order.get_status_display()})
    return _to_order(order.pk)


@login_required
@require_POST
def order_close_unmet(request, pk: int):
    """The health bureau closes an overdue or not rectified order as 整改不合格."""
    order = selectors.order_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, ORDER_DUTY)
    form = OrderCloseUnmetForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _to_order(order.pk)
    try:
        order = decisions.order_close_unmet(actor=request.user, order=order, note=form.cleaned_data["note"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Order %(number)s closed as rectification failed: the year counts as failed.") % {"number": order.number},
        )
    return _to_order(order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def order_issue(request):
    """An ad-hoc order after an inspection outside the annual review; the institution comes
    from ``?institution=<pk>`` (the link on its record) or is chosen on the form."""
    policy.require_duty(request.user, ORDER_DUTY)
    institutions = selectors.order_issue_institutions(actor=request.user)
    chosen = request.GET.get("institution", "")
    if request.method == "POST":
        data = request.POST.copy()
        if not data.get("institution") and chosen:
            data["institution"] = chosen
        form = OrderIssueForm(data, institutions=institutions)
        if form.is_valid():
            try:
                order = decisions.order_issue(
                    actor=request.user,
                    institution=form.cleaned_data["institution"],
                    items=form.items(),
                    deadline=form.cleaned_data["deadline"],
                )
            except ApplicationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Rectification order %(number)s issued.") % {"number": order.number})
                return _to_order(order.pk)
    else:
        form = OrderIssueForm(initial={"institution": chosen}, institutions=institutions)
    context = {"form": form, "areas": Area.choices, "today": timezone.localdate()}
    return render(request, "inspections/enforcement/order_issue.html", context)


# --- Revocation referrals ----------------------------------------------------------------


@login_required
@require_GET
def referral_list(request):
    context = lists.page_context(request, lists.spec_get("referrals"))
    return render(request, "inspections/enforcement/referral_list.html", context)


@login_required
@require_GET
def referral_detail(request, pk: int):
    referral = selectors.referral_get(actor=request.user, pk=pk)
    can_decide = rules.can_decide_referral(request.user, referral)
    context = {
        "referral": referral,
        "institution": referral.institution,
        "failed_reviews": list(referral.failed_reviews.all()),
        "can_decide": can_decide,
    }
    return render(request, "inspections/enforcement/referral_detail.html", context)


@login_required
@require_POST
def referral_decide(request, pk: int):
    referral = selectors.referral_get(actor=request.user, pk=pk)
    policy.require_acts_for(request.user, referral.authority, DECIDE_DUTY)
    form = ReferralDecideForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("referral_detail", pk=referral.pk)
    try:
        referral = decisions.referral_decide(
            actor=request.user, referral=referral, withdraw=form.withdraw, note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if referral.status == RevocationReferral.Status.WITHDRAWN:
            messages.success(request, _("Registration withdrawn; the institution is off the public registry."))
        else:
            messages.success(request, _("Decision recorded: the registration is kept."))
    return redirect("referral_detail", pk=referral.pk)


# --- Cases against unregistered or unsafe providers --------------------------------------


def _require_case_sight(request) -> None:
    """Cases are for holders of ``case.manage`` (rule 21); anyone else gets 403, logged."""
    if not rules.can_see_cases(request.user):
        raise PermissionDenied(CASE_DUTY)


@login_required
@require_GET
def case_list(request):
    """The cases in the user's jurisdiction (``inspections.lists``: the same filter set as the
    export and the API)."""
    _require_case_sight(request)
    context = lists.page_context(request, lists.spec_get("cases"))
    context["can_record"] = rules.can_manage_cases(request.user)
    return render(request, "inspections/enforcement/case_list.html", context)


@login_required
@require_GET
def case_export(request):
    """The page's old export link: the list's export (``list_export``) with the same filters."""
    _require_case_sight(request)
    return HttpResponseRedirect(f"{reverse('list_export', args=['cases'])}?{request.GET.urlencode()}")


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    policy.require_duty(request.user, CASE_DUTY)
    townships = selectors.case_townships(actor=request.user)
    if request.method == "POST":
        form = CaseRecordForm(request.POST, townships=selectors.township_all())
        if form.is_valid():
            try:
                case = enforcement.case_record(actor=request.user, **form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Case recorded."))
                return redirect("case_detail", pk=case.pk)
    else:
        own = list(townships[:2])
        initial = {"found_on": timezone.localdate(), "township": own[0].code if len(own) == 1 else ""}
        form = CaseRecordForm(initial=initial, townships=selectors.township_all())
    return render(request, "inspections/enforcement/case_form.html", {"form": form, "townships": townships})


@login_required
@require_GET
def case_detail(request, pk: int):
    user = request.user
    case = selectors.case_get(actor=user, pk=pk)
    is_open = case.status not in Case.CLOSED_STATUSES
    may_act = rules.can_manage_cases(request.user)
    context = {
        "case": case,
        "can_order": may_act and case.status == Case.Status.OPEN,
        "can_close": may_act and is_open,
        "outcomes": CaseCloseForm.base_fields["outcome"].choices,
        "departments": selectors.case_deciding_departments(),
        "deadline_passed": case.status == Case.Status.ORDERED
        and case.deadline is not None
        and case.deadline < timezone.localdate(),
        "today": timezone.localdate(),
        # The apps above (supervision): the party's objection to the decision, and its answer.
        "panels": list(call_app_hooks("case_panel", actor=user, case=case, request=request).values()),
    }
    return render(request, "inspections/enforcement/case_detail.html", context)


@login_required
@require_POST
def case_order(request, pk: int):
    case = selectors.case_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, CASE_DUTY)
    form = CaseOrderForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("case_detail", pk=case.pk)
    try:
        enforcement.case_order(actor=request.user, case=case, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The provider is ordered to rectify."))
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_close(request, pk: int):
    case = selectors.case_get(actor=request.user, pk=pk)
    policy.require_duty(request.user, CASE_DUTY)
    form = CaseCloseForm(request.POST, request.FILES, departments=selectors.case_deciding_departments())
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("case_detail", pk=case.pk)
    data = form.cleaned_data
    try:
        case = enforcement.case_close(
            actor=request.user,
            case=case,
            outcome=data["outcome"],
            note=data["note"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            decision_department=data["decision_department"],
            scan=data["scan"],
            immediate_reason=data["immediate_reason"],
            facts=data["decision_facts"],
            basis=data["decision_basis"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        for field_errors in error.fields.values():
            for field_error in field_errors:
                if field_error != error.message:
                    messages.error(request, field_error)
    else:
        messages.success(request, _("Case closed: %(status)s.") % {"status": case.get_status_display()})
    return redirect("case_detail", pk=case.pk)


@login_required
@require_GET
def case_decision_download(request, pk: int):
    """The scan of the penalty or ban decision, for those who see the case (rule 21)."""
    case = selectors.case_get(actor=request.user, pk=pk)
    if case.decision_scan is None:
        raise Http404
    response = files.response(case.decision_scan)
    audit.file_opened(request, model="inspections.case", pk=case.pk, field="decision_scan")
    return response


# --- The lifetime ban list ---------------------------------------------------------------


@login_required
@require_GET
def ban_list(request):
    if not policy.holds(request.user, BAN_DUTY):
        raise PermissionDenied(BAN_DUTY)
    page = Paginator(selectors.ban_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "can_add": rules.can_keep_ban_list(request.user)}
    return render(request, "inspections/enforcement/ban_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ban_create(request):
    policy.require_duty(request.user, BAN_DUTY)
    if request.method == "POST":
        form = BanAddForm(request.POST)
        if form.is_valid():
            try:
                enforcement.ban_add(actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The person is on the lifetime ban list."))
                return redirect("ban_list")
    else:
        form = BanAddForm()
    return render(request, "inspections/enforcement/ban_form.html", {"form": form})


def require_ban_checker(user) -> None:
    """Institutions check the people they are about to employ; the keepers of the list too."""
    if not rules.can_check_ban_list(user):
        raise PermissionDenied(SELF_DUTY)


def ban_check_within_limit(user) -> bool:
    """Count one check; False once the user has used up the hour's allowance."""
    if policy.has_duty(user, BAN_DUTY):
        return True
    key = f"ban-check:{user.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        used = 1
    return used <= BAN_CHECKS_PER_HOUR


def ban_answer(barred: bool) -> str:
    """The only thing a check tells: barred (with whom to contact) or not on the list."""
    if barred:
        return _(
            "This person is on the lifetime ban list and may not work in childcare. "
            "Contact the health bureau (市卫生健康局)."
        )
    return _("Not on the lifetime ban list.")


@login_required
@require_http_methods(["GET", "POST"])
def ban_check(request):
    require_ban_checker(request.user)
    result = None
    form = BanCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ban_check_within_limit(request.user):
            messages.error(request, _("Too many checks this hour; try again later."))
        else:
            barred = enforcement.ban_check(
                actor=request.user, id_number=form.cleaned_data["id_number"], request=request
            )
            result = {"barred": barred, "message": ban_answer(barred)}
    context = {"form": form, "result": result}
    return render(request, "inspections/enforcement/ban_check.html", context)


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/export/", order_export, name="order_export"),
    path("orders/new/", order_issue, name="order_issue"),
    path("orders/evidence/<int:pk>/", order_evidence_download, name="order_evidence_download"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/answer/", order_answer, name="order_answer"),
    path("orders/<int:pk>/evidence/", order_evidence_upload, name="order_evidence_upload"),
    path("orders/<int:pk>/verify/", order_verify, name="order_verify"),
    path("orders/<int:pk>/close-unmet/", order_close_unmet, name="order_close_unmet"),
    path("referrals/", referral_list, name="referral_list"),
    path("referrals/<int:pk>/", referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/decide/", referral_decide, name="referral_decide"),
    path("cases/", case_list, name="case_list"),
    path("cases/export/", case_export, name="case_export"),
    path("cases/new/", case_create, name="case_create"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/order/", case_order, name="case_order"),
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/decision/", case_decision_download, name="case_decision_download"),
    path("bans/", ban_list, name="ban_list"),
    path("bans/new/", ban_create, name="ban_create"),
    path("bans/check/", ban_check, name="ban_check"),
]
