from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("dot/", views.round_list, name="round_list"),
    path("dot/tao/", views.round_create, name="round_create"),
    path("dot/<int:pk>/", views.round_detail, name="round_detail"),
    path("dot/<int:pk>/lap-danh-sach/", views.round_generate, name="round_generate"),
    path("dot/<int:pk>/danh-sach/", views.candidate_list, name="candidate_list"),
    path("dot/<int:pk>/bo-sung/", views.entitlement_add, name="entitlement_add"),
    path("suat/<int:pk>/dua-ra/", views.entitlement_remove, name="entitlement_remove"),
    path("dot/<int:pk>/trinh/", views.round_submit, name="round_submit"),
    path("dot/<int:pk>/phe-duyet/", views.round_approve, name="round_approve"),
    path("dot/<int:pk>/ket-thuc/", views.round_close, name="round_close"),
    path("dot/<int:pk>/tong-ket/", views.round_summary, name="round_summary"),
    path("suat/<int:pk>/trao/", views.delivery_create, name="delivery_create"),
    path("trao/<int:pk>/minh-chung/", views.delivery_evidence, name="delivery_evidence"),
    path("ai-chua-duoc-ho-tro/", views.left_behind, name="left_behind"),
]
