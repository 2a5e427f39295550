"""Import pages (upload → preview → commit) and the template download."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("nhap-tu-tep/", views_import.import_upload, name="import_upload"),
    path("nhap-tu-tep/mau.xlsx", views_import.import_template, name="import_template"),
    path("nhap-tu-tep/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("nhap-tu-tep/<int:pk>/ghi/", views_import.import_commit, name="import_commit"),
]
