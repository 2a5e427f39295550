"""Navigation built from the installed apps: a module that does not exist is not shown.

Entries with `"group": "admin"` (jobs, audit log, users) go under one "Quản trị" menu so the
bar stays on one line on an office screen.
"""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from ansinh.accounts.permissions import has_permission


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_admin_items": []}
    items, admin_items = [], []
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav", ()):
            if entry["perm"] and not has_permission(user, entry["perm"]):
                continue
            try:
                url = reverse(entry["url"])
            except NoReverseMatch:
                continue
            (admin_items if entry.get("group") == "admin" else items).append(
                {
                    "label": entry["label"],
                    "url": url,
                    "icon": entry.get("icon", ""),
                    "active": request.path.startswith(url) and url != "/" or request.path == url,
                }
            )
    return {
        "nav_items": items,
        "nav_admin_items": admin_items,
        "nav_admin_active": any(item["active"] for item in admin_items),
    }
