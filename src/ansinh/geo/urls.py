from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("nap/", views.unit_load, name="unit_load"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
]
