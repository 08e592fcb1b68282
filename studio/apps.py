from django.apps import AppConfig


class StudioConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "studio"

    def ready(self) -> None:
        from profiles import events as profile_events
        from studio import receivers

        profile_events.follow_created.connect(
            receivers.on_follow_created, dispatch_uid="studio.follow_created"
        )
        profile_events.follow_removed.connect(
            receivers.on_follow_removed, dispatch_uid="studio.follow_removed"
        )
