from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "alert.uploads"
    label = "uploads"
    verbose_name = "Held uploads"
