"""The public registry: parents search filed, operating institutions without logging in.

The pages read through the public selectors, which hold public fields only (a family care
point shows its township, never its address); an institution that is not filed is 404."""

import dataclasses

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts.hooks import call_app_hooks
from registry import selectors
from registry.forms.institutions import PublicSearchForm

PAGE_SIZE = 25


@require_GET
def public_search(request):
    form = PublicSearchForm(request.GET or None, townships=selectors.public_township_choices())
    if form.is_bound and not form.is_valid():
        rows = []  # a bad filter lists nothing, with the form saying why
    else:
        rows = selectors.public_institution_list(**(form.filters() if form.is_bound else {}))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_results(list(page.object_list))
    # Apps above the registry add what a parent may do beyond the search (complain, follow it).
    notes = call_app_hooks("public_search_note", request=request).values()
    return render(request, "registry/public/search.html", {"form": form, "page": page, "notes": notes})


@require_GET
def public_institution_detail(request, pk: int):
    institution = _with_results([selectors.public_institution_get(pk)])[0]
    # Apps above the registry add what they publish (the review history, complaints).
    panels = call_app_hooks("public_panel", institution=institution, request=request).values()
    return render(request, "registry/public/detail.html", {"institution": institution, "panels": panels})


def _with_results(institutions: list) -> list:
    """The last annual review result of each, from the app that keeps the reviews' public side
    (the ``public_results`` hook; the registry knows no review)."""
    results = {}
    for found in call_app_hooks("public_results", institution_ids=[i.pk for i in institutions]).values():
        results.update(found)
    return [dataclasses.replace(i, last_review_result=results.get(i.pk)) for i in institutions]


urlpatterns = [
    path("public/", public_search, name="public_search"),
    path("public/<int:pk>/", public_institution_detail, name="public_institution_detail"),
]
