"""API modules of daily supervision; each defines ``urlpatterns`` (gathered by ``api_urls.py``)."""
