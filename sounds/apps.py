from django.apps import AppConfig


class SoundsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sounds"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, pre_delete

        from profiles.models import User
        from sounds.models import Sound
        from sounds.receivers import on_account_deleting, on_sound_deleted

        post_delete.connect(on_sound_deleted, sender=Sound, dispatch_uid="sounds.files_follow_rows")
        pre_delete.connect(
            on_account_deleting, sender=User, dispatch_uid="sounds.favorites_follow_accounts"
        )
