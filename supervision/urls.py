"""Gathers the ``urlpatterns`` of each page module in ``supervision/views/``."""

from accounts.hooks import gather_urlpatterns
from supervision import views

urlpatterns = gather_urlpatterns(views)
