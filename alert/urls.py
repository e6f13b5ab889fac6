from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from alert.accounts import PasswordLinkView
from alert.accounts import urlpatterns as password_link_urls
from alert.views import favicon, health
from reporting.summary import views as summary_views

handler500 = "alert.views.server_error"

admin.site.site_header = "ALERT results records"
admin.site.site_title = "ALERT results records"
admin.site.index_title = "Records"

urlpatterns = [
    # Named for the admin's sign-in page, which links "Forgotten your password?" to it.
    path(
        settings.ADMIN_URL + "password-reset/",
        PasswordLinkView.as_view(),
        name="admin_password_reset",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(password_link_urls)),
    path("api/", include("reporting.api.urls")),
    path("reports/", include("reporting.urls")),
    path("metrics/", include("reporting.series_urls")),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API).
    path("favicon.ico", favicon, name="favicon"),
    # The home page is the newest year's annual summary.
    path("", summary_views.latest_summary, name="home"),
]
