"""Every input is bounded where it is declared (issue 16): each field of the business forms
and serializers meets the edge values an attacker or a careless user types, and either
refuses them with a message or yields a value the database and later sums can hold."""

import ast
import importlib
import inspect
import pkgutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from tests.helpers import english, error_of, errors_of, post_json, workbook
from tests.training.test_imports import post  # noqa: F401 - the upload fixture

BUSINESS_APPS = ("registry", "inspections", "training", "supervision", "dashboard")
EDGES = [
    "2147483648", 2147483648, "-1", -1, str(10**20), 10**20, "NaN", "Infinity", "-Infinity", "-0",
    "0001-01-01", "9999-12-31", "", "   ", "x" * 10_000,
]  # fmt: skip
TEXT_EDGES = [edge for edge in EDGES if isinstance(edge, str)]  # what a posted form holds
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # ids are 64-bit; counts take 32-bit limits from their model
TEXT_MAX = 4000  # the longest text field the portal keeps


def _modules(package: str):
    try:
        root = importlib.import_module(package)
    except ModuleNotFoundError:
        return
    yield root
    for info in pkgutil.iter_modules(getattr(root, "__path__", [])):
        yield importlib.import_module(f"{package}.{info.name}")


def _classes(base, packages):
    found = {}
    for package in packages:
        for module in _modules(package):
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, base) and cls.__module__.split(".")[0] in BUSINESS_APPS:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


FORMS = _classes(forms.BaseForm, [f"{app}.forms" for app in BUSINESS_APPS])
# Checked elsewhere, with the reason.
FORMS.pop("registry.forms.parameters.ParameterForm")  # each parameter's own range, in the service
ALL_SERIALIZERS = _classes(
    serializers.Serializer, [f"{app}.api" for app in BUSINESS_APPS] + ["training.api.serializers"]
)
ROOT = Path(__file__).resolve().parent.parent


def _input_serializer_names() -> set[str]:
    """The serializers an API view reads a request with: ``X(data=...)`` in an api module."""
    names = set()
    for app in BUSINESS_APPS:
        for path in (ROOT / app / "api").glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                reads = isinstance(node, ast.Call) and any(keyword.arg == "data" for keyword in node.keywords)
                if reads and isinstance(node.func, ast.Name):
                    names.add(node.func.id)
    return names


INPUT_NAMES = _input_serializer_names()
SERIALIZERS = {name: cls for name, cls in ALL_SERIALIZERS.items() if cls.__name__ in INPUT_NAMES}


def out_of_bounds(value) -> str | None:
    """Why a cleaned value could not be stored or summed safely, or None."""
    today = timezone.localdate()
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        return f"integer {value} outside the 64-bit range"
    if isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= 10**12):
        return f"decimal {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date) and not date(1950, 1, 1) <= value <= date(today.year + 50, 12, 31):
        return f"date {value}"
    if isinstance(value, str) and len(value) > TEXT_MAX:
        return f"text of {len(value)} characters"
    return None


def _form_problems(name, cls):
    problems = []
    if issubclass(cls, forms.ModelForm):  # the model's own validators run in the form's clean
        for field_name in cls.base_fields:
            for edge in TEXT_EDGES:
                form = cls(data={field_name: edge})
                form.is_valid()
                if field_name not in form.errors and field_name in form.cleaned_data:
                    problem = out_of_bounds(form.cleaned_data[field_name])
                    if problem:
                        problems.append(f"{name}.{field_name} = {edge!r}: {problem}")
        return problems
    for field_name, field in cls.base_fields.items():
        if isinstance(field, forms.FileField | forms.ModelChoiceField):
            continue
        for edge in TEXT_EDGES:
            try:
                value = field.clean(edge)
            except DjangoValidationError:
                continue
            except Exception as error:  # noqa: BLE001 - a page would answer 500
                problems.append(f"{name}.{field_name} = {edge!r}: raised {error!r}")
                continue
            problem = out_of_bounds(value)
            if problem:
                problems.append(f"{name}.{field_name} = {edge!r}: {problem}")
    return problems


def _serializer_problems(name, cls):
    try:
        fields = cls(context={}).fields
    except Exception:  # a serializer that needs its view (context) to build its fields
        return []
    return _fields_problems(name, fields)


def _fields_problems(name, fields):
    problems = []
    for field_name, field in fields.items():
        if field.read_only or isinstance(field, serializers.FileField | serializers.RelatedField):
            continue
        if isinstance(field, serializers.Serializer):  # nested: walk its own fields
            problems += _fields_problems(f"{name}.{field_name}", field.fields)
            continue
        if isinstance(field, serializers.ListField):  # each element meets the edges too
            problems += _fields_problems(f"{name}.{field_name}[]", {"child": field.child})
        for edge in EDGES:
            try:
                value = field.run_validation(edge)
            except (ValidationError, DjangoValidationError):
                continue
            except Exception as error:  # noqa: BLE001 - the API would answer 500
                problems.append(f"{name}.{field_name} = {edge!r}: raised {error!r}")
                continue
            problem = out_of_bounds(value)
            if problem:
                problems.append(f"{name}.{field_name} = {edge!r}: {problem}")
    return problems


def test_the_walk_finds_the_portal_s_forms_and_serializers():
    assert len(FORMS) > 40 and len(SERIALIZERS) > 25
    assert "registry.forms.institutions.ClassGroupForm" in FORMS
    assert "training.api.serializers.StaffCreateSerializer" in SERIALIZERS


def test_model_serializers_only_answer_so_every_input_serializer_is_walked():
    """No API view reads a request with a ModelSerializer (they shape answers); one that
    starts to would join the walk above, being called with ``data=``."""
    readers = [name for name, cls in SERIALIZERS.items() if issubclass(cls, serializers.ModelSerializer)]
    assert readers == []


@pytest.mark.django_db
def test_no_form_field_accepts_an_edge_value_it_could_not_store():
    problems = [problem for name, cls in sorted(FORMS.items()) for problem in _form_problems(name, cls)]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_no_serializer_field_accepts_an_edge_value_it_could_not_store():
    problems = [problem for name, cls in sorted(SERIALIZERS.items()) for problem in _serializer_problems(name, cls)]
    assert not problems, "\n".join(problems)


# --- The reproductions, end to end ------------------------------------------------------------

NURSERY1 = "demo-simen-xingxing"


@pytest.mark.parametrize("places", ["2147483648", "1000", str(10**20), "-1", "NaN", "   "])
def test_class_places_beyond_a_plausible_class_are_refused_and_the_slot_figure_stays(client_as, places):
    from registry.models import ClassGroup, Institution

    institution = Institution.objects.get(organisation__code=NURSERY1)
    client = client_as("nursery1")
    slots = client.get(f"/api/v1/institutions/{institution.pk}/").json()["slots"]
    data = {"name": "超大班", "age_band": "toddler", "places": places, "enrolled": "0", "caregivers": "1"}
    response = client.post(f"/registry/institutions/{institution.pk}/classes/", data)
    assert response.status_code == 400 and errors_of(response), response.status_code
    group = institution.class_groups.first()
    response = client.post(f"/registry/classes/{group.pk}/edit/", {**data, "name": group.name})
    assert response.status_code == 400 and errors_of(response)
    assert not ClassGroup.objects.filter(places__gt=999).exists()
    assert client.get(f"/api/v1/institutions/{institution.pk}/").json()["slots"] == slots


def test_a_class_of_999_places_is_still_accepted(client_as):
    from registry.models import Institution

    institution = Institution.objects.get(organisation__code=NURSERY1)
    data = {"name": "大班", "age_band": "older", "places": "999", "enrolled": "0", "caregivers": "1"}
    assert client_as("nursery1").post(f"/registry/institutions/{institution.pk}/classes/", data).status_code == 302


@pytest.mark.parametrize("hired_on", ["0001-01-01", "9999-12-31", "1949-12-31", f"{date.today().year + 2}-01-01"])
def test_an_implausible_hire_date_is_refused_by_the_api_and_the_page(client_as, hired_on):
    from training.models import StaffMember

    before = StaffMember.objects.count()
    body = {
        "name": "日期测试", "id_number": "330281199001011237", "gender": "female", "role": "caregiver",
        "education": "college", "hired_on": hired_on,
    }  # fmt: skip
    response = post_json(english(client_as("nursery1")), "/api/v1/training/staff/", body)
    assert "hired_on" in error_of(response, 400)["fields"]
    page = client_as("nursery1").post("/training/staff/new/", body)
    assert page.status_code == 200 and any("1950-01-01" in error for error in errors_of(page))
    assert StaffMember.objects.count() == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_pushed_registration_with_an_implausible_date_answers_400_and_records_nothing(cast, day):
    from rest_framework.test import APIClient

    from registry.models import Registration
    from tests.factories import api_key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(cast['mca'])}")
    before = Registration.objects.count()
    body = {
        "credit_code": "52330281MA2R000112", "name": "【测试】日期", "legal_form": "nonprofit",
        "provider_type": "standalone", "village": "330281103001", "address": "测试路1号",
        "certificate_number": "测试证00011", "registered_on": day,
    }  # fmt: skip
    response = client.post("/api/v1/registrations/", body, format="json")
    assert response.status_code == 400 and "registered_on" in response.json()["error"]["fields"]
    assert Registration.objects.count() == before


def test_a_certificate_cannot_expire_before_it_was_issued(client_as, cast):
    from training.models import StaffMember

    member = StaffMember.objects.filter(institution__organisation__code=NURSERY1, left_on=None).first()
    body = {
        "staff": member.pk, "kind": "infant-carer", "level": "四级", "number": "日期证书0001",
        "issuer": "浙江省人力资源和社会保障厅", "issued_on": "2025-06-01", "expires_on": "2025-05-31",
    }  # fmt: skip
    response = post_json(english(client_as("nursery1")), "/api/v1/training/certificates/", body)
    assert "expires_on" in error_of(response, 400)["fields"]


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"hired_on": date(1, 1, 1)}, "入职日期"),
        ({"hired_on": "1949-12-31"}, "入职日期"),
        ({"health_certificate_expires": "9999-12-31"}, "健康证有效期至"),
        ({"background_checked_on": "0001-01-01"}, "背景审查日期"),
    ],
)
def test_a_staff_import_with_an_implausible_date_reports_the_cell_and_imports_nothing(post, changes, column):  # noqa: F811
    from tests.training.test_imports import STAFF_HEADERS, STAFF_URL, problems, staff_row
    from training.models import StaffMember

    before = StaffMember.objects.count()
    response = post("nursery1", STAFF_URL, workbook(STAFF_HEADERS, [staff_row(31), staff_row(32, **changes)]))
    assert response.status_code == 200
    [(row, header, text)] = problems(response)
    assert (row, header) == (3, column) and "Enter a date from" in text
    assert StaffMember.objects.count() == before
