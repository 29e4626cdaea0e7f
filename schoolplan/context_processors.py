from .models import District, Role
from .permissions import MANAGE_DISTRICT, VIEW_SCHOOL, scope_for


def navigation(request):
    """What the navigation offers this user, from the same scope the permission layer uses."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "nav": {
            "schools": scope.is_superuser
            or bool(scope.district_ids(VIEW_SCHOOL) or scope.school_ids(VIEW_SCHOOL)),
            "districts": District.objects.visible_to(user).only("id", "name"),
            "manages_district": bool(scope.district_ids(MANAGE_DISTRICT)),
            "roles": sorted(Role(r).label for r in scope.roles),
            "admin": user.is_staff,
        }
    }


def single_sign_on(request):
    """The sign-in page's "Sign in with <provider>" button, when single sign-on is set up."""
    from . import sso

    return {"sso_provider_name": sso.provider_name()} if sso.enabled() else {}
