from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("tao/", views.campaign_create, name="campaign_create"),
    path("khoan-ung-ho/", views.donation_list, name="donation_list"),
    path("khoan-ung-ho/<int:pk>/bien-nhan/", views.donation_receipt, name="donation_receipt"),
    path("khoan-ung-ho/<int:pk>/xac-dinh/", views.review_resolve, name="review_resolve"),
    path("so-cai/", views.ledger_page, name="ledger"),
    path("so-cai/xuat.jsonl", views.ledger_export, name="ledger_export"),
    path("<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("<slug:slug>/sao-ke/", views.statement_upload, name="statement_upload"),
    path("<slug:slug>/ghi-nhan/", views.donation_create, name="donation_create"),
    path("<slug:slug>/cho-xac-dinh/", views.review_queue, name="review_queue"),
    path("<slug:slug>/phan-bo/", views.allocation_create, name="allocation_create"),
    path("<slug:slug>/cong-khai/", views.disclosure, name="disclosure"),
]
