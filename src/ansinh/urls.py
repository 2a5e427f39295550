from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ansinh.core import views as core_views

urlpatterns = [
    path("", include("ansinh.core.urls")),
    path("tai-khoan/", include("ansinh.accounts.urls")),
    path("don-vi-hanh-chinh/", include("ansinh.geo.urls")),
    path("to-chuc/", include("ansinh.org.urls")),
    path("doi-tuong/", include("ansinh.registry.urls")),
    path("ke-hoach/", include("ansinh.plans.urls")),
    path("chuong-trinh/", include("ansinh.programmes.urls")),
    path("quy/", include("ansinh.funds.urls")),
    path("minh-bach/", include("ansinh.portal.urls")),
    path("bao-cao/", include("ansinh.reports.urls")),
    path("giam-sat/", include("ansinh.oversight.urls")),
    path("gop-y/", include("ansinh.oversight.urls_public")),
    path("tuyen-truyen/", include("ansinh.outreach.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("ansinh.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", core_views.healthz, name="healthz"),
]
