"""Open data for every release: its Data Package beside its CSV, and an Atom
feed of releases and revisions (Django's syndication framework)."""

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from reporting.access import readable_year, readable_years, summary_access
from reporting.exporting.datapackage import data_package_json, release_csv
from reporting.models import FiscalYear, Release
from reporting.summary.views import release_or_404
from tabular.writers import CONTENT_TYPES

FEED_LENGTH = 50


@require_safe
@readable_year
def release_datapackage(request: HttpRequest, year: FiscalYear, number: int) -> HttpResponse:
    release = release_or_404(year, number)
    response = HttpResponse(
        data_package_json(release, release_csv(release)), content_type="application/json"
    )
    response["Content-Disposition"] = content_disposition_header(False, "datapackage.json")
    return response


@require_safe
@readable_year
def release_figures_csv(request: HttpRequest, year: FiscalYear, number: int) -> HttpResponse:
    """The release's CSV beside its datapackage.json (the package names it by
    this relative path)."""
    release = release_or_404(year, number)
    response = HttpResponse(release_csv(release), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-figures-{year.label}-release-{number}.csv"
    )
    return response


class ReleaseFeed(Feed):
    """Every release a reader may read, newest first: a first publication or a
    revision (release 2 and later, a correction with its reason)."""

    feed_type = Atom1Feed
    title = "ALERT results records: releases"
    subtitle = "Each publication of a fiscal year's results, and each revision of it."
    description_template = None

    def get_object(self, request: HttpRequest, *args, **kwargs):
        return request.user

    def link(self) -> str:
        return reverse("reporting:year_list")

    def items(self, user):
        return (
            Release.objects.filter(fiscal_year__in=readable_years(user))
            .select_related("fiscal_year")
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, release: Release) -> str:
        kind = "first publication" if release.number == 1 else "revision"
        return f"{release.fiscal_year.label}, release {release.number} ({kind})"

    def item_description(self, release: Release) -> str:
        return release.reason

    def item_link(self, release: Release) -> str:
        """The release's own page: the year as that release published it."""
        return reverse("reporting:release_page", args=[release.fiscal_year.label, release.number])

    def item_guid(self, release: Release) -> str:
        return f"alert-release-{release.fiscal_year.label}-{release.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, release: Release):
        return release.published_at

    def item_updateddate(self, release: Release):
        return release.published_at

    def item_enclosures(self, release: Release) -> list[Enclosure]:
        args = [release.fiscal_year.label, release.number]
        return [
            Enclosure(reverse("reporting:release_datapackage", args=args), "0", "application/json"),
        ]


release_feed = require_safe(summary_access(ReleaseFeed()))
