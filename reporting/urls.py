"""The leadership pages (the annual summary)."""

from django.urls import path, re_path

from reporting.summary import open_data, views

app_name = "reporting"

FISCAL_YEAR = r"(?P<fiscal_year>\d{4}-\d{2})"
RELEASE = r"release-(?P<number>[1-9][0-9]*)"

urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("latest/", views.latest_summary, name="latest"),
    path("year/", views.pick_year, name="pick_year"),
    re_path(rf"^{FISCAL_YEAR}/$", views.summary, name="summary"),
    re_path(rf"^{FISCAL_YEAR}/draft/$", views.draft, name="draft"),
    re_path(
        rf"^{FISCAL_YEAR}/draft/print\.css$",
        views.print_running_header,
        {"draft": True},
        name="draft_print_running_header",
    ),
    re_path(rf"^{FISCAL_YEAR}/{RELEASE}/$", views.release_page, name="release_page"),
    re_path(
        rf"^{FISCAL_YEAR}/{RELEASE}\.json$",
        views.download_release_content,
        name="download_release_content",
    ),
    re_path(
        rf"^{FISCAL_YEAR}/{RELEASE}\.json\.sha256$",
        views.download_release_digest,
        name="download_release_digest",
    ),
    re_path(rf"^{FISCAL_YEAR}/figures\.csv$", views.download_csv, name="download_csv"),
    re_path(rf"^{FISCAL_YEAR}/report\.xlsx$", views.download_xlsx, name="download_xlsx"),
    re_path(
        rf"^{FISCAL_YEAR}/print\.css$", views.print_running_header, name="print_running_header"
    ),
    re_path(
        rf"^{FISCAL_YEAR}/{RELEASE}\.csv$",
        views.download_release,
        name="download_release",
    ),
    re_path(
        rf"^{FISCAL_YEAR}/release-(?P<number>[1-9][0-9]*)/datapackage\.json$",
        open_data.release_datapackage,
        name="release_datapackage",
    ),
    re_path(
        rf"^{FISCAL_YEAR}/release-(?P<number>[1-9][0-9]*)/figures\.csv$",
        open_data.release_figures_csv,
        name="release_figures_csv",
    ),
    path("feed.atom", open_data.release_feed, name="feed"),
]
