"""The API's views: fetch, authorise, call a service, answer.

Reads go through the Figure queryset; writes through
``reporting.services`` and the import pipeline, so the API follows the same
validation, locking and history as the admin and the importer.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.decorators import method_decorator
from django.utils.http import quote_etag
from django.utils.translation import ngettext
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, routers, status, viewsets
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from reporting import filters, services
from reporting.api import serializers as s
from reporting.api.errors import status_for_problems
from reporting.api.parsers import ExactJSONParser
from reporting.api.permissions import HasRole, UpsertPermissions
from reporting.api.schema import BulkRejectionSerializer, BulkResultSerializer
from reporting.caching import PAGE_SECONDS, page_key
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import run_import
from reporting.models import Figure, FiscalYear, ImportBatch, Release, ReportingPeriod
from reporting.provenance import api_source
from reporting.releases import summary_of
from reporting.summary import build_summary
from units.models import Metric, Region, Unit, assigned_unit_ids

BULK_FILE_NAME = "API request"

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="Optional: the ETag a GET of the figure gave. When sent, the change is "
    "refused with 412 if the figure changed since; “*” matches any figure on record.",
)


class APIRootView(routers.APIRootView):
    """The API's version 1: one link per list."""

    permission_classes = [HasRole]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar, its script and style in files (no inline code)."""

    template_name = "api/swagger_ui.html"


def _path_example(name: str, value, description: str):
    return extend_schema(
        parameters=[
            OpenApiParameter(
                name,
                type(value),
                OpenApiParameter.PATH,
                description=description,
                examples=[OpenApiExample(str(value), value=value)],
            )
        ]
    )


@extend_schema_view(retrieve=_path_example("code", "ICE", "The unit's code."))
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """ALERT's units, in report order."""

    queryset = Unit.objects.all()
    serializer_class = s.UnitSerializer
    filterset_class = filters.UnitFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """The metrics each unit reports."""

    queryset = Metric.objects.select_related("unit")
    serializer_class = s.MetricSerializer
    lookup_value_regex = "[^/]+"
    filterset_class = filters.MetricFilter


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer
    lookup_value_regex = "[^/]+"
    filterset_class = filters.RegionFilter


@extend_schema_view(retrieve=_path_example("label", "2023-24", "The year's label."))
class FiscalYearViewSet(viewsets.ReadOnlyModelViewSet):
    """Fiscal years (1 April to 31 March), newest first, with their status."""

    queryset = FiscalYear.objects.select_related("locked_by")
    serializer_class = s.FiscalYearSerializer
    filterset_class = filters.FiscalYearFilter
    lookup_field = "label"
    lookup_value_regex = "[^/]+"


class ReportingPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """The four quarters and the full year of each fiscal year."""

    queryset = ReportingPeriod.objects.select_related("fiscal_year")
    serializer_class = s.ReportingPeriodSerializer
    lookup_value_regex = "[^/]+"
    filterset_class = filters.ReportingPeriodFilter


@extend_schema(
    parameters=[
        OpenApiParameter(
            "region",
            str,
            description="Region name (case-insensitive), or “none” for unit-wide figures.",
        ),
    ]
)
class FigureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The figures, with their natural keys. A figure not on record was not reported."""

    queryset = Figure.objects.with_keys().select_related("updated_by")
    serializer_class = s.FigureSerializer
    filterset_class = filters.FigureFilter
    lookup_value_regex = "[^/]+"  # "2.5" is a JSON 404 from the view, not an HTML page

    def get_queryset(self):
        # A clerk assigned to units sees and changes only theirs, as in the admin.
        return super().get_queryset().visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        # A page is the same for everyone who sees the same units until the
        # records change: kept in the shared cache under the records version,
        # which is also its ETag (reporting/caching.py). Who reads is checked
        # before, on every request.
        units = assigned_unit_ids(request.user)
        scope = "all" if units is None else ",".join(map(str, sorted(units)))
        key = page_key(scope, request.build_absolute_uri())
        tag = quote_etag(key)
        not_modified = get_conditional_response(request, etag=tag)
        if not_modified is not None:
            not_modified["ETag"] = tag  # a 304 names what it confirms
            return not_modified
        body = cache.get_or_set(
            key, lambda: JSONRenderer().render(self._page(request).data), PAGE_SECONDS
        )
        return HttpResponse(body, content_type="application/json", headers={"ETag": tag})

    def _page(self, request) -> Response:
        # Rows from values(), not model instances: a page of 1,000 figures would
        # otherwise build 6,000 objects. The same serializer shapes each row.
        serializer = s.FigureSerializer(context=self.get_serializer_context())
        rows = self.filter_queryset(self.get_queryset()).values_list(*serializer.row_columns)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([serializer.row(columns) for columns in page])

    def get_serializer_class(self):
        if self.action == "create":
            return s.FigureCreateSerializer
        if self.action in ("update", "partial_update"):
            return s.FigureUpdateSerializer
        return s.FigureSerializer

    def _answer(self, figure, code):
        figure = self.get_queryset().get(pk=figure.pk)
        data = s.FigureSerializer(figure, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": etag(figure)})

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object(), status.HTTP_200_OK)

    # create and update read their answer in the write's own transaction: once
    # it commits nothing is left that can fail, so a client told 503 (the
    # database went away) can rely on nothing having been written.
    @extend_schema(request=s.FigureCreateSerializer, responses={201: s.FigureSerializer})
    @method_decorator(transaction.atomic)
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        figure = services.create_figure(
            row=LongFormRow(number=1, **serializer.validated_data),
            user=request.user,
            source=api_source(request),
        )
        return self._answer(figure, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.FigureUpdateSerializer, responses=s.FigureSerializer, parameters=[IF_MATCH]
    )
    @method_decorator(transaction.atomic)
    def update(self, request, *args, **kwargs):
        figure = self.get_object()
        expected_version = version_in_if_match(request, figure)
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        figure = services.record_figure(
            metric=figure.metric,
            period=figure.period,
            region=figure.region,
            value=data.get("value", figure.value),
            note=data.get("note"),
            public_note=data.get("public_note"),
            user=request.user,
            source=api_source(request),
            expected_version=expected_version,
        )
        return self._answer(figure, status.HTTP_200_OK)

    @extend_schema(
        request=s.FigureUpdateSerializer, responses=s.FigureSerializer, parameters=[IF_MATCH]
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.delete_figure(
            figure=instance,
            user=self.request.user,
            source=api_source(self.request),
            expected_version=version_in_if_match(self.request, instance),
        )


def etag(figure: Figure) -> str:
    """A figure's ETag: its version, which every write bumps."""
    return f'"{figure.version}"'


def version_in_if_match(request, figure: Figure) -> int | None:
    """The version an ``If-Match`` header names, for record_figure's check.

    No header (or ``*``): None, no check (If-Match is optional, and honoured
    when sent). Several tags: the figure's own version if one of them is it,
    so the change goes ahead only while that is still so.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions = []
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise ParseError(
                f"If-Match: “{header}” is not an ETag of this API; send the ETag header "
                'that GET of the figure returned, for example "3".'
            )
        versions.append(int(tag))
    return figure.version if figure.version in versions else versions[0]


class BulkUpsertView(APIView):
    """Create or change many figures at once, all or nothing, through the import pipeline.

    The body is a JSON list of long-form rows. Row numbers in messages and
    results are positions in the list counting from 1 (the first item is
    row 1). Every request is recorded as an import (``batch``).
    """

    queryset = Figure.objects.all()  # for the permission check
    permission_classes = [UpsertPermissions]
    # A JSON list only: a form or multipart body is a 415, and the schema says so.
    parser_classes = [ExactJSONParser]
    throttle_scope = "bulk"

    def get_throttles(self):
        return [*super().get_throttles(), ScopedRateThrottle()]

    @extend_schema(
        operation_id="values_bulk_upsert",
        request=s.LongFormRowSerializer(many=True, max_length=settings.ALERT_API_BULK_MAX_ROWS),
        parameters=[
            OpenApiParameter(
                "dry_run",
                bool,
                description="Check and report what would happen, writing no figure.",
            )
        ],
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(BulkRejectionSerializer, "Rejected; nothing was written."),
            409: OpenApiResponse(
                BulkRejectionSerializer,
                "A fiscal year is locked or a unit's quarter submitted or approved; "
                "nothing was written.",
            ),
        },
    )
    def post(self, request):
        try:
            dry_run = _flag(request.query_params.get("dry_run"))
        except ValueError as exc:
            return _refused(str(exc))
        items = request.data
        if not isinstance(items, list):
            return _refused("Send a JSON list of long-form rows.")
        limit = settings.ALERT_API_BULK_MAX_ROWS
        if len(items) > limit:
            return _refused(f"Send at most {limit} rows a request; this one has {len(items)}.")
        serializer = s.LongFormRowSerializer(data=items, many=True)
        if not serializer.is_valid():
            return _rejected(
                None, _structural_errors(serializer.errors), status.HTTP_400_BAD_REQUEST
            )
        rows = [
            LongFormRow(number=number, **item)
            for number, item in enumerate(serializer.validated_data, start=1)
        ]
        outcome = run_import(
            rows,
            user=request.user,
            dry_run=dry_run,
            file_name=BULK_FILE_NAME,
            source=ImportBatch.Source.API,
        )
        if outcome.has_errors:
            problems = [
                (planned.row.number, problem)
                for planned in outcome.rows
                for problem in planned.problems
            ]
            errors = [
                {"row": number, "field": problem.column, "message": problem.message}
                for number, problem in problems
            ]
            code = status_for_problems(problem.code for _, problem in problems)
            return _rejected(outcome.batch.pk, errors, code)
        return Response(
            {
                "batch": outcome.batch.pk,
                "dry_run": dry_run,
                "written": outcome.written,
                "summary": outcome.summary(),
                "counts": outcome.counts,
                "rows": [
                    {"row": p.row.number, "action": p.action.value, "remark": p.remark}
                    for p in outcome.rows
                ],
            }
        )


def _flag(raw: str | None) -> bool:
    # As the schema states a boolean: true or false, or left out.
    if raw is None:
        return False
    if raw in {"true", "false"}:
        return raw == "true"
    raise ValueError(f"dry_run: “{raw}” is not true or false.")


def _structural_errors(errors) -> list[dict]:
    """DRF's list errors (a list, or a dict by 0-based position) as rows counted from 1.

    An item that is not an object at all (null, a number) is reported on the
    field "item".
    """
    by_position = errors.items() if isinstance(errors, dict) else enumerate(errors)
    found = []
    for position, item_errors in by_position:
        row = position + 1 if isinstance(position, int) else 0
        by_field = item_errors if isinstance(item_errors, dict) else {"item": item_errors}
        for field, messages in by_field.items():
            for message in messages if isinstance(messages, list) else [messages]:
                name = "item" if field == "non_field_errors" else field
                found.append({"row": row, "field": name, "message": str(message)})
    return sorted(found, key=lambda error: error["row"])


def _refused(detail: str) -> Response:
    return Response({"detail": detail, "batch": None, "errors": []}, status=400)


def _rejected(batch: int | None, errors: list[dict], code: int) -> Response:
    if code == status.HTTP_409_CONFLICT:
        what = ngettext("%(count)d refusal", "%(count)d refusals", len(errors))
    else:
        what = ngettext("%(count)d problem", "%(count)d problems", len(errors))
    detail = (
        f"Nothing was written: {what % {'count': len(errors)}}. "
        + "; ".join(f"row {e['row']}, field “{e['field']}”: {e['message']}" for e in errors[:5])
        + ("; …" if len(errors) > 5 else "")
    )
    return Response({"detail": detail, "batch": batch, "errors": errors}, status=code)


class SummaryView(APIView):
    """The annual summary of a fiscal year: the structure the summary page shows."""

    queryset = Figure.objects.all()  # for the permission check

    @extend_schema(
        responses=s.AnnualSummarySerializer,
        parameters=[
            OpenApiParameter(
                "label",
                str,
                OpenApiParameter.PATH,
                description="The fiscal year's label.",
                examples=[OpenApiExample("2023-24", value="2023-24")],
            )
        ],
    )
    def get(self, request, label: str):
        """A published year as its newest release has it; a draft from the records."""
        year = FiscalYear.objects.with_newest_release().filter(label=label).first()
        if year is None:
            raise NotFound(f"There is no fiscal year {label}.")
        if year.release_number is None:
            summary = build_summary(year)
        else:
            summary = summary_of(Release.objects.get(fiscal_year=year, number=year.release_number))
        summary.release, summary.release_sha256 = year.release_number, year.release_sha256
        return Response(s.AnnualSummarySerializer(summary).data)
