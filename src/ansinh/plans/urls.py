from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("nhiem-vu/", views.task_list, name="task_list"),
    path("nhiem-vu/tong-hop/", views.task_overview, name="task_overview"),
    path("nhiem-vu/qua-han/", views.task_overdue, name="task_overdue"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task_detail"),
    path("nhiem-vu/<int:pk>/sua/", views.task_edit, name="task_edit"),
    path("nhiem-vu/<int:pk>/tien-do/", views.task_progress_add, name="task_progress_add"),
    path("minh-chung/<int:pk>/", views.task_evidence, name="task_evidence"),
]
