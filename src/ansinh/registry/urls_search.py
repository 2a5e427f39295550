"""The registry list/search page and the counts page."""

from django.urls import path

from . import views_search

urlpatterns = [
    path("", views_search.person_list, name="person_list"),
    path("so-lieu/", views_search.counts, name="counts"),
]
