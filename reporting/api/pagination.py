from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """100 items a page unless ``page_size`` asks otherwise; at most 1000.

    A ``page_size`` that is not a whole number above 0 is a 400 (DRF would
    quietly use the default); one above 1000 gets 1000.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise ValidationError(
                {self.page_size_query_param: [f"“{raw}” is not a whole number above 0."]}
            )
        return super().get_page_size(request)
