from django.urls import path

from . import views, views_livelihood, views_sponsorship

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
    path("trao/", views.delivery_list, name="delivery_list"),
    path("<int:pk>/sua/", views.programme_update, name="programme_update"),
    path("vay-von/", views_livelihood.loan_list, name="loan_list"),
    path("vay-von/them/", views_livelihood.loan_create, name="loan_create"),
    path("vay-von/<int:pk>/", views_livelihood.loan_detail, name="loan_detail"),
    path("vay-von/<int:pk>/sua/", views_livelihood.loan_update, name="loan_update"),
    path("hoc-nghe/", views_livelihood.course_list, name="course_list"),
    path("hoc-nghe/them/", views_livelihood.course_create, name="course_create"),
    path("hoc-nghe/<int:pk>/", views_livelihood.course_detail, name="course_detail"),
    path("hoc-nghe/<int:pk>/sua/", views_livelihood.course_update, name="course_update"),
    path("hoc-nghe/<int:pk>/ghi-danh/", views_livelihood.enrolment_create, name="enrolment_create"),
    path("hoc-vien/<int:pk>/", views_livelihood.enrolment_update, name="enrolment_update"),
    path("viec-lam/", views_livelihood.referral_list, name="referral_list"),
    path("viec-lam/them/", views_livelihood.referral_create, name="referral_create"),
    path("viec-lam/<int:pk>/", views_livelihood.referral_detail, name="referral_detail"),
    path("viec-lam/<int:pk>/sua/", views_livelihood.referral_update, name="referral_update"),
    path("me-do-dau/", views_sponsorship.sponsorship_list, name="sponsorship_list"),
    path("me-do-dau/them/", views_sponsorship.sponsorship_create, name="sponsorship_create"),
    path("me-do-dau/<int:pk>/", views_sponsorship.sponsorship_detail, name="sponsorship_detail"),
]
