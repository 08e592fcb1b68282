from django.apps import AppConfig


class TakeoutConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "takeout"
    verbose_name = "Data archives"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from takeout import receivers
        from takeout.models import DataExport

        post_delete.connect(
            receivers.on_export_deleted, sender=DataExport, dispatch_uid="takeout.export_deleted"
        )
