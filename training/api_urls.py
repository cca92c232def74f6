"""Gathers the ``urlpatterns`` of each API module in ``training/api/``."""

from accounts.hooks import gather_urlpatterns
from training import api

urlpatterns = gather_urlpatterns(api)
