"""Registry URLs, gathered from the feature modules (people, search, import, dedupe)."""

from . import urls_dedupe, urls_import, urls_people, urls_search

app_name = "registry"
urlpatterns = [
    *urls_people.urlpatterns,
    *urls_search.urlpatterns,
    *urls_import.urlpatterns,
    *urls_dedupe.urlpatterns,
]
