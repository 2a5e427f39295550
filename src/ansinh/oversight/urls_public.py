"""Public pages of the oversight app (no login): the feedback form /gop-y/ and /gop-y/tra-cuu/."""

from django.urls import path

from . import views_public

app_name = "feedback_public"

urlpatterns = [
    path("", views_public.feedback_form, name="form"),
    path("tra-cuu/", views_public.feedback_track, name="track"),
]
