from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.submission_list, name="submission_list"),
    path("mo/", views.submission_open, name="submission_open"),
    path("<int:pk>/", views.submission_detail, name="submission_detail"),
    path("<int:pk>/duyet/", views.submission_review, name="submission_review"),
    path("<int:pk>/mo-khoa/", views.submission_unlock, name="submission_unlock"),
    path("<int:pk>/tai/<str:fmt>/", views.submission_download, name="submission_download"),
    path("thanh-pho/", views.city_report, name="city_report"),
    path("thanh-pho/ky/", views.period_manage, name="period_manage"),
    path("bieu-do/", views.dashboard, name="dashboard"),
    path("chi-tieu/", views.indicator_list, name="indicator_list"),
]
