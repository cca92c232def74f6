from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.api import SchemaView

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz/", account_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("accounts.urls")),
    path("registry/", include("registry.urls")),
    path("inspections/", include("inspections.urls")),
    path("training/", include("training.urls")),
    path("supervision/", include("supervision.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("registry.api_urls")),
    path("api/v1/", include("inspections.api_urls")),
    path("api/v1/", include("training.api_urls")),
    path("api/v1/", include("supervision.api_urls")),
    path("api/v1/", include("dashboard.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

handler403 = "accounts.views.error_403"
handler404 = "accounts.views.error_404"
handler500 = "accounts.views.error_500"
