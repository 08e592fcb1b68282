from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from moderation import events as moderation_events
        from notifications import receivers
        from profiles import events as profile_events
        from profiles.models import User
        from videos import events as video_events

        pre_delete.connect(
            receivers.on_account_deleting,
            sender=User,
            dispatch_uid="notifications.groups_leave_deleted_accounts",
        )

        for signal, receiver in (
            (video_events.engagement_recorded, receivers.on_engagement_recorded),
            (video_events.comment_posted, receivers.on_comment_posted),
            (video_events.video_published, receivers.on_video_published),
            (video_events.video_failed, receivers.on_video_failed),
            (video_events.shared_to_user, receivers.on_shared_to_user),
            (profile_events.follow_created, receivers.on_follow_created),
            (profile_events.follow_requested, receivers.on_follow_requested),
            (profile_events.follow_request_approved, receivers.on_follow_request_approved),
            (moderation_events.case_resolved, receivers.on_case_resolved),
        ):
            signal.connect(receiver, dispatch_uid=f"notifications.{receiver.__name__}")
