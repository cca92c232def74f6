"""The second-factor pages: enrolment (QR code, first code, recovery codes shown once) and the
code asked at sign-in or before a reveal (``accounts.second_factor``)."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import second_factor


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Verification code"),
        regex=r"^\s*\d[\d ]{5,9}\s*$",
        max_length=12,
        error_messages={"invalid": gettext_lazy("Enter the 6-digit code, or an 8-digit recovery code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control"}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Enrol: scan the QR code, confirm with the first code, note the recovery codes."""
    device = second_factor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_enrolment(request, device, form.cleaned_data["code"])
        if codes is not None:
            messages.success(request, _("The second factor is set up."))
            return render(request, "accounts/second_factor_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _("The code does not match. Check the phone's time and try the next code."))
    context = {
        "form": form,
        # segno draws the SVG from the device's own otpauth URL: no user input reaches it.
        "qr": mark_safe(second_factor.qr_svg(device)),  # noqa: S308
        "secret": second_factor.base32_secret(device),
        "next": _next(request),
        "already": second_factor.enrolled(request.user),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    if not second_factor.enrolled(request.user):
        return redirect(f"{reverse('second_factor_setup')}?next={quote(_next(request))}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", _("The code does not match, or was given too often: wait a moment and try again."))
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request)})
