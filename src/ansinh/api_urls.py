"""/api/v1/: each app registers its viewsets on the one router (`register(router)`)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ansinh.accounts import api as accounts_api
from ansinh.geo import api as geo_api
from ansinh.org import api as org_api
from ansinh.plans import api as plans_api
from ansinh.programmes import api as programmes_api
from ansinh.registry import api as registry_api

router = DefaultRouter()
for module in (geo_api, org_api, accounts_api, plans_api, registry_api, programmes_api):
    module.register(router)

urlpatterns = [path("", include(router.urls)), *accounts_api.extra_urls]
