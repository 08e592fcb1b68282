"""What the moderation app stores about a person, for their data archive: the reports they
made and what became of them. Reports others made about them stay with the moderators (the
reporters are not named to the reported)."""

from __future__ import annotations

from typing import Any

from moderation.models import Report
from tiktok.personal_data import Section, records


def personal_data(user: Any) -> list[Section]:
    return [
        Section(
            "reports",
            "the reports you made: what you reported, why, and the case's outcome",
            records(
                Report.objects.filter(reporter=user).order_by("created_at", "pk"),
                item="case__kind",
                what_it_said="case__snapshot",
                reason="reason",
                detail="detail",
                at="created_at",
                case_status="case__status",
                resolved_at="case__resolved_at",
            ),
        ),
    ]
