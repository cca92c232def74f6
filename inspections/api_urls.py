"""Gathers the ``urlpatterns`` of each API module in ``inspections/api/``."""

from accounts.hooks import gather_urlpatterns
from inspections import api

urlpatterns = gather_urlpatterns(api)
