"""The REST API, mounted at /api/: version 1 under /api/v1/, its schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from reporting.api import views

app_name = "api"

router = DefaultRouter()
router.APIRootView = views.APIRootView
router.register("units", views.UnitViewSet, basename="unit")
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("regions", views.RegionViewSet, basename="region")
router.register("fiscal-years", views.FiscalYearViewSet, basename="fiscalyear")
router.register("periods", views.ReportingPeriodViewSet, basename="reportingperiod")
router.register("figures", views.FigureViewSet, basename="figure")

urlpatterns = [
    # Before the router, so that "bulk" is not read as a figure's id.
    path("v1/figures/bulk/", views.BulkUpsertView.as_view(), name="figure-bulk"),
    path("v1/summary/<str:label>/", views.SummaryView.as_view(), name="summary"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
]
