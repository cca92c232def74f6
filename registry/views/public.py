"""The public registry: parents search filed, operating institutions without logging in.

The pages read through the public selectors, which hold public fields only (a family care
point shows its township, never its address); an institution that is not filed is 404."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

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
    return render(request, "registry/public/search.html", {"form": form, "page": page})


@require_GET
def public_institution_detail(request, pk: int):
    institution = selectors.public_institution_get(pk)
    return render(request, "registry/public/detail.html", {"institution": institution})


urlpatterns = [
    path("public/", public_search, name="public_search"),
    path("public/<int:pk>/", public_institution_detail, name="public_institution_detail"),
]
