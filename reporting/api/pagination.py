from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """100 items a page unless ``page_size`` asks otherwise; at most 1000."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
