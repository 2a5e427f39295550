"""/api/v1/: each app registers its viewsets on the one router (`register(router)`)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ansinh.accounts import api as accounts_api
from ansinh.funds import api as funds_api
from ansinh.geo import api as geo_api
from ansinh.org import api as org_api
from ansinh.outreach import api as outreach_api
from ansinh.oversight import api as oversight_api
from ansinh.plans import api as plans_api
from ansinh.portal import api as portal_api
from ansinh.programmes import api as programmes_api
from ansinh.registry import api as registry_api
from ansinh.reports import api as reports_api

router = DefaultRouter()
for module in (
    geo_api,
    org_api,
    accounts_api,
    plans_api,
    registry_api,
    programmes_api,
    funds_api,
    portal_api,
    reports_api,
    oversight_api,
    outreach_api,
):
    module.register(router)

urlpatterns = [path("", include(router.urls)), *accounts_api.extra_urls]
