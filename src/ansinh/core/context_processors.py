"""Navigation built from the installed apps: a module that does not exist is not shown.

Each app lists its entries in `AppConfig.nav`. An entry may name a `group`; the entries of a
group become one dropdown menu (a group with a single visible entry stays a plain link), so the
bar stays on one line on an office screen however many modules are installed. Groups and their
order are fixed here; an entry without a group is a top-level link.
"""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.permissions import has_permission

# group code -> (label, icon), in the order the bar shows them.
GROUPS = {
    "registry": (_("Đối tượng"), "people-fill"),
    "support": (_("Hỗ trợ"), "gift"),
    "funds": (_("Quỹ"), "piggy-bank"),
    "plans": (_("Kế hoạch, báo cáo"), "journal-text"),
    "voice": (_("Giám sát, góp ý"), "clipboard-check"),
    "admin": (_("Quản trị"), "gear"),
}


def _active(request, url: str) -> bool:
    return request.path.startswith(url) and url != "/" or request.path == url


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menus": []}
    items, grouped = [], {code: [] for code in GROUPS}
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav", ()):
            if entry["perm"] and not has_permission(user, entry["perm"]):
                continue
            try:
                url = reverse(entry["url"])
            except NoReverseMatch:
                continue
            item = {
                "label": entry["label"],
                "url": url,
                "icon": entry.get("icon", ""),
                "active": _active(request, url),
            }
            grouped.get(entry.get("group"), items).append(item)
    menus = [{"item": item} for item in items]
    for code, (label, icon) in GROUPS.items():
        entries = grouped[code]
        if len(entries) == 1:
            menus.append({"item": entries[0]})
        elif entries:
            menus.append(
                {
                    "code": code,
                    "label": label,
                    "icon": icon,
                    "entries": entries,
                    "active": any(entry["active"] for entry in entries),
                }
            )
    every = items + [entry for entries in grouped.values() for entry in entries]
    return {"nav_items": every, "nav_menus": menus}
