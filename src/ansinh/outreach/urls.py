from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("hoat-dong/", views.activity_list, name="activity_list"),
    path("hoat-dong/them/", views.activity_create, name="activity_create"),
    path("hoat-dong/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("hoat-dong/<int:pk>/sua/", views.activity_update, name="activity_update"),
    path("tai-lieu/<int:pk>/", views.material_download, name="material_download"),
    path("tong-hop/", views.totals, name="totals"),
    path("mo-hinh/", views.model_list, name="model_list"),
    path("mo-hinh/them/", views.model_create, name="model_create"),
    path("mo-hinh/<int:pk>/", views.model_detail, name="model_detail"),
    path("mo-hinh/<int:pk>/sua/", views.model_update, name="model_update"),
    path("anh/<int:pk>/", views.photo_download, name="photo_download"),
    path("khen-thuong/", views.commendation_list, name="commendation_list"),
    path("khen-thuong/them/", views.commendation_create, name="commendation_create"),
    path("khen-thuong/<int:pk>/", views.commendation_detail, name="commendation_detail"),
    path("danh-muc/", views.lists, name="lists"),
    path("khen-thuong/<int:pk>/sua/", views.commendation_update, name="commendation_update"),
]
