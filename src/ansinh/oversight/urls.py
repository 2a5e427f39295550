from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("them/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("tai-lieu/<int:pk>/", views.document_download, name="document_download"),
    path("kien-nghi/", views.recommendation_list, name="recommendation_list"),
    path(
        "kien-nghi/<int:pk>/tra-loi/", views.recommendation_respond, name="recommendation_respond"
    ),
    path("kien-nghi/<int:pk>/ket-qua/", views.recommendation_decide, name="recommendation_decide"),
    path("don-vi/<int:pk>/", views.unit_follow_up, name="unit_follow_up"),
    path("gop-y/", views.feedback_list, name="feedback_list"),
    path("gop-y/them/", views.feedback_create, name="feedback_create"),
    path("gop-y/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("gop-y/thong-ke/", views.feedback_counts, name="feedback_counts"),
]
