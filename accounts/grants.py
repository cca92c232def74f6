"""The one helper around django-guardian.

Object permissions on scoped objects are granted to an organisation's group (never to single
users), stored in direct foreign-key permission models (``<Model>GroupObjectPermission``),
and read back here with the options django-guardian's docs ask to state explicitly.
City-wide duties are model-level permissions on the group instead of one row per object.
"""

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm


def grant(*, organisation, perm: str, obj) -> None:
    assign_perm(perm, organisation.group, obj)


def revoke(*, organisation, perm: str, obj) -> None:
    remove_perm(perm, organisation.group, obj)


def grant_model_permissions(*, organisation, perms: list[str]) -> None:
    """Give the organisation's group exactly these model-level permissions."""
    wanted = []
    for perm in perms:
        app_label, codename = perm.split(".")
        wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    organisation.group.permissions.set(wanted)


def objects_for(user, perm: str, queryset: QuerySet) -> QuerySet:
    """Objects of ``queryset`` on which one of the user's organisations holds ``perm``."""
    return get_objects_for_user(
        user,
        perm,
        klass=queryset,
        use_groups=True,
        any_perm=False,
        with_superuser=False,
        accept_global_perms=False,
    )
