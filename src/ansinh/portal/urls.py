"""Public transparency pages (no login): /minh-bach/."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("kiem-tra-so-cai/", views.verify_guide, name="verify_guide"),
    path("<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("<slug:slug>/tra-cuu/", views.donation_search, name="donation_search"),
    path("<slug:slug>/tra-cuu.csv", views.donation_csv, name="donation_csv"),
]
