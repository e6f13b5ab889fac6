from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "ALERT results records"
admin.site.site_title = "ALERT results records"
admin.site.index_title = "Records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("reporting.api.urls")),
    path("reports/", include("reporting.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
