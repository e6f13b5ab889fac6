"""The leadership pages (the annual summary)."""

app_name = "reporting"

urlpatterns: list = []
