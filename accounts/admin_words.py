"""Texts of Django's admin and of django-axes that their own Simplified Chinese catalogues lack
(Django's zh_Hans has no "Model name" yet; axes ships no Chinese at all). Listed here so that
``makemessages`` keeps them in the portal's catalogue, which Django reads before the apps' own."""

from django.utils.translation import gettext_noop

WORDS = [
    # django/contrib/admin/templates/admin/app_list.html (column headers for screen readers)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django/contrib/admin/templates/admin/auth/user/add_form.html (its catalogue has the older
    # wording with a straight apostrophe)
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # axes/models.py
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Logout Time"),
    gettext_noop("Expires At"),
    gettext_noop("Access lock out"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
]
