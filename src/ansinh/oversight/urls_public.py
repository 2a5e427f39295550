"""Public pages of the oversight app (no login): the feedback form /gop-y/ and /gop-y/tra-cuu/."""

from django.urls import path  # noqa: F401

app_name = "feedback_public"

urlpatterns: list = []
