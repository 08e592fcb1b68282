from django.apps import AppConfig


class StudioConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "studio"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from profiles import events as profile_events
        from profiles.models import User
        from studio import receivers

        pre_delete.connect(
            receivers.on_account_deleting,
            sender=User,
            dispatch_uid="studio.follows_end_with_accounts",
        )
        profile_events.follow_created.connect(
            receivers.on_follow_created, dispatch_uid="studio.follow_created"
        )
        profile_events.follow_removed.connect(
            receivers.on_follow_removed, dispatch_uid="studio.follow_removed"
        )
        profile_events.account_suspended.connect(
            receivers.on_account_suspended, dispatch_uid="studio.account_suspended"
        )
        profile_events.account_reinstated.connect(
            receivers.on_account_reinstated, dispatch_uid="studio.account_reinstated"
        )
