from django.urls import path

from . import views, views_audit, views_jobs

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("cong-viec/", views_jobs.job_list, name="job_list"),
    path("cong-viec/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("cong-viec/<int:pk>/tien-do/", views_jobs.job_progress, name="job_progress"),
    path("nhat-ky/", views_audit.audit_list, name="audit_list"),
    path("nhat-ky/<int:pk>/", views_audit.audit_detail, name="audit_detail"),
]
