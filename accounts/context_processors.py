from accounts import navigation, policy, selectors


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menu": navigation.menu(user=user, duties=policy.duties(user), path=request.path),
        "unread_count": selectors.notification_unread_count(actor=user),
        "my_organisations": policy.organisations_of(user),
    }
