"""Gathers the ``urlpatterns`` of each API module in ``supervision/api/``."""

from accounts.hooks import gather_urlpatterns
from supervision import api

urlpatterns = gather_urlpatterns(api)
