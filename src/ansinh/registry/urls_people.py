"""Pages of households and people (names in the `registry:` namespace, under /doi-tuong/)."""

from django.urls import path

from . import views_people as views

urlpatterns = [
    path("ho/dang-ky/", views.household_create, name="household_create"),
    path("ho/<int:pk>/", views.household_detail, name="household_detail"),
    path("ho/<int:pk>/sua/", views.household_update, name="household_update"),
    path("ho/<int:pk>/them-thanh-vien/", views.household_member_add, name="household_member_add"),
    path("nguoi/<int:pk>/", views.person_detail, name="person_detail"),
    path("nguoi/<int:pk>/sua/", views.person_update, name="person_update"),
    path("nguoi/<int:pk>/tinh-trang/", views.person_status, name="person_status"),
    path("nguoi/<int:pk>/dien/them/", views.vulnerability_add, name="vulnerability_add"),
    path("dien/<int:pk>/ket-thuc/", views.vulnerability_close, name="vulnerability_close"),
    path("nguoi/<int:pk>/nhu-cau/them/", views.need_open, name="need_open"),
    path("nhu-cau/<int:pk>/dap-ung/", views.need_meet, name="need_meet"),
    path("nguoi/<int:pk>/dong-y/them/", views.consent_record, name="consent_record"),
    path("dong-y/<int:pk>/rut-lai/", views.consent_withdraw, name="consent_withdraw"),
    path("nguoi/<int:pk>/yeu-cau/", views.person_requests, name="person_requests"),
    path("nguoi/<int:pk>/yeu-cau/xuat/", views.person_export, name="person_export"),
    path("nguoi/<int:pk>/yeu-cau/chinh-sua/", views.person_correct, name="person_correct"),
    path(
        "nguoi/<int:pk>/yeu-cau/khu-dinh-danh/",
        views.person_deidentify,
        name="person_deidentify",
    ),
]
