from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """100 items a page unless ``page_size`` asks otherwise, from 1 to 1000.

    A ``page_size`` that is not a whole number from 1 to 1000, or a ``page``
    that is not a whole number of 1 or more, is a 400 (DRF would quietly use
    the default, the maximum or the first page); the schema states the same
    bounds, so that what it promises is what the server does.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        self._check_whole_number(request, self.page_size_query_param, self.max_page_size)
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        # DRF reads an empty ``page`` as page 1 and "last" as the last page;
        # the schema promises a whole number from 1, so anything else is a 400.
        self._check_whole_number(request, self.page_query_param)
        return super().get_page_number(request, paginator)

    @staticmethod
    def _check_whole_number(request, name: str, highest: int | None = None) -> None:
        raw = request.query_params.get(name)
        if raw is None:
            return
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= (highest or int(raw)):
            return
        bounds = f"from 1 to {highest}" if highest else "of 1 or more"
        raise ValidationError({name: [f"“{raw}” is not a whole number {bounds}."]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
