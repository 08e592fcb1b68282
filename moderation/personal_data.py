"""What the moderation app stores about a person, for their data archive: the reports they
made and what became of them, and the decisions moderators took about their account, videos,
comments and sounds. Who reported them is not named (the queue keeps that), nor what others'
reported items said."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from moderation.models import ACTION_REINSTATE, Case, CaseStatus, Report
from tiktok.personal_data import Section, records


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "reports",
            "the reports you made: what kind of item, why, and the case's outcome",
            records(
                Report.objects.filter(reporter=user).order_by("created_at", "pk"),
                item="case__kind",
                reason="reason",
                detail="detail",
                at="created_at",
                case_status="case__status",
                resolved_at="case__resolved_at",
            ),
        ),
        Section(
            "moderation_decisions",
            "what moderators did about your account, videos, comments and sounds after reports "
            "(hide_video, remove_comment, suspend_user, reinstate, ...), with what the item said",
            records(
                # By the case's target account, kept when the item goes (a removed comment,
                # a video deleted since): the item's own relations are gone by then.
                # Acted on, or reinstated while open (what reports hid pending review came
                # back: the case closes as dismissed with the action "reinstate").
                Case.objects.filter(
                    Q(status=CaseStatus.ACTIONED) | Q(action=ACTION_REINSTATE), target_user=user
                ).order_by("resolved_at", "pk"),
                item="kind",
                video_id="video_id",
                sound_id="sound_id",
                what_it_said="snapshot",
                action="action",
                decided_at="resolved_at",
                reinstated_at="reinstated_at",
            ),
        ),
    ]
