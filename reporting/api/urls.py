"""The REST API, mounted at /api/."""

app_name = "api"

urlpatterns: list = []
