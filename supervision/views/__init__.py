"""Page modules of daily supervision; each defines ``urlpatterns`` (gathered by ``urls.py``)."""
