from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request):
    """The dashboard of the user's scope: her units with their counts, and her roles."""
    from ansinh.org.selectors import user_home_units, user_roles

    roles = user_roles(user=request.user)
    return render(
        request,
        "core/home.html",
        {"roles": roles, "home_units": user_home_units(user=request.user, roles=roles)},
    )
