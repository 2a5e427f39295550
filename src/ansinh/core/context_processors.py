"""Navigation built from the installed apps: a module that does not exist is not shown."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from ansinh.accounts.permissions import has_permission


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav", ()):
            if entry["perm"] and not has_permission(user, entry["perm"]):
                continue
            try:
                url = reverse(entry["url"])
            except NoReverseMatch:
                continue
            items.append(
                {
                    "label": entry["label"],
                    "url": url,
                    "icon": entry.get("icon", ""),
                    "active": request.path.startswith(url) and url != "/" or request.path == url,
                }
            )
    return {"nav_items": items}
