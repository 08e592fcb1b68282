from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from profiles.models import User
        from profiles.receivers import on_user_deleted

        post_delete.connect(on_user_deleted, sender=User, dispatch_uid="profiles.avatar_files")
