"""A metric's whole series, at /metrics/<unit>/<metric>/."""

from django.urls import path

from reporting.summary import series_views

app_name = "series"

urlpatterns = [
    path("<str:unit>/<slug:metric>/", series_views.metric_series, name="metric"),
    path("<str:unit>/<slug:metric>/series.csv", series_views.metric_series_csv, name="csv"),
]
