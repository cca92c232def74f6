"""Gathers the ``urlpatterns`` of each page module in ``dashboard/views/``."""

from accounts.hooks import gather_urlpatterns
from dashboard import views

urlpatterns = gather_urlpatterns(views)
