"""Gathers the ``urlpatterns`` of each page module in ``inspections/views/``."""

from accounts.hooks import gather_urlpatterns
from inspections import views

urlpatterns = gather_urlpatterns(views)
