"""Gathers the ``urlpatterns`` of each API module in ``dashboard/api/``."""

from accounts.hooks import gather_urlpatterns
from dashboard import api

urlpatterns = gather_urlpatterns(api)
