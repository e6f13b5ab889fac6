from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from alert.views import health

handler500 = "alert.views.server_error"

admin.site.site_header = "ALERT results records"
admin.site.site_title = "ALERT results records"
admin.site.index_title = "Records"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("reporting.api.urls")),
    path("reports/", include("reporting.urls")),
    path("health/", health, name="health"),
    path("", RedirectView.as_view(url=reverse_lazy("admin:index"), permanent=False)),
]
