"""The duplicate review queue (names in the `registry:` namespace)."""

from django.urls import path

from . import views_dedupe as views

urlpatterns = [
    path("nghi-trung/", views.duplicate_list, name="duplicate_list"),
    path("nghi-trung/chay/", views.duplicate_run, name="duplicate_run"),
    path("nghi-trung/<int:pk>/", views.duplicate_detail, name="duplicate_detail"),
]
