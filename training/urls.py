"""Gathers the ``urlpatterns`` of each page module in ``training/views/``."""

from accounts.hooks import gather_urlpatterns
from training import views

urlpatterns = gather_urlpatterns(views)
