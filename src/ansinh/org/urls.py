from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/them-chi-hoi/", views.branch_create, name="branch_create"),
    path("<int:pk>/them-don-vi-truc-thuoc/", views.affiliated_create, name="affiliated_create"),
    path("chi-hoi/<int:pk>/sua/", views.branch_update, name="branch_update"),
    path("chi-hoi/<int:pk>/ngung/", views.branch_close, name="branch_close"),
    path("sap-nhap-2025/", views.merger, name="merger"),
    path("ban/", views.department_list, name="department_list"),
]
