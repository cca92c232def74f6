"""Gathers the ``urlpatterns`` of each API module in ``registry/api/``."""

from accounts.hooks import gather_urlpatterns
from registry import api

urlpatterns = gather_urlpatterns(api)
