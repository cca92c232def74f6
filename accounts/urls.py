from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import identity, views, views_second_factor

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Unified identity (OpenID Connect): 404 unless configured (accounts.identity).
    path("accounts/identity/start/", identity.IdentityStartView.as_view(), name="oidc_authentication_init"),
    path("accounts/identity/callback/", identity.IdentityCallbackView.as_view(), name="oidc_authentication_callback"),
    path("accounts/second-factor/verify/", views_second_factor.second_factor_verify, name="second_factor_verify"),
    path("accounts/second-factor/setup/", views_second_factor.second_factor_setup, name="second_factor_setup"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/settings/resend/", views.email_verification_resend, name="email_verification_resend"),
    path("accounts/email/verify/<str:token>/", views.email_verify, name="email_verify"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("audit/", views.audit_event_list, name="audit_event_list"),
    path("audit/export/", views.audit_event_export, name="audit_event_export"),
    path("audit/security/export/", views.security_event_export, name="security_event_export"),
    path("security/memberships/", views.membership_assign, name="membership_assign"),
    path("operators/choices/users/", views.user_choices, name="user_choices"),
    path("operators/choices/organisations/", views.organisation_choices, name="organisation_choices"),
    path("security/tokens/", views.api_token_list, name="api_token_list"),
    path("security/tokens/<int:user_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("audit/security/", views.security_event_list, name="security_event_list"),
]
