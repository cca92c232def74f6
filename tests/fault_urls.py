"""A URL configuration for tests/test_fault_tolerance.py: views that meet a database outage."""

from django.db import InterfaceError, OperationalError
from django.urls import path


def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def connection_cut(request):
    raise InterfaceError("connection already closed")


def broken(request):
    raise ValueError("a fault of the page")


urlpatterns = [
    path("page/", database_down),
    path("cut/", connection_cut),
    path("broken/", broken),
    path("api/v1/things/", database_down),
]
handler500 = "accounts.views.error_500"
