from zhongxinzu.org.access import principal_of


def navigation(request):
    """The signed-in user's roles, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"principal": principal_of(user)}
