from django.apps import AppConfig


class SoundsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sounds"
