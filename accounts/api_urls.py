from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.me, name="api_me"),
    path("regions/", api.RegionList.as_view(), name="api_region_list"),
    path("regions/<str:code>/", api.RegionDetail.as_view(), name="api_region_detail"),
    path("organisations/", api.OrganisationList.as_view(), name="api_organisation_list"),
    path("organisations/<int:pk>/", api.OrganisationDetail.as_view(), name="api_organisation_detail"),
    path("notifications/", api.NotificationList.as_view(), name="api_notification_list"),
    path("notifications/<int:pk>/read/", api.NotificationRead.as_view(), name="api_notification_read"),
    path("audit/events/", api.AuditEventList.as_view(), name="api_audit_event_list"),
    path("audit/security-events/", api.SecurityEventList.as_view(), name="api_security_event_list"),
]
