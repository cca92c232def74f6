"""Gathers the ``urlpatterns`` of each page module in ``registry/views/``."""

from accounts.hooks import gather_urlpatterns
from registry import views

urlpatterns = gather_urlpatterns(views)
