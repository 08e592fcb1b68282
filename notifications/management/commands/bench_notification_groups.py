"""make bench-notify-groups: a notifications page whose groups are big (a viral video's likes).

Seeds, in a throwaway database, one recipient with a page of notification groups: `--big` of
them hold `--people` people each (the same accounts liked every one of those videos), the rest
one to three. Then times GET /api/notifications?limit=30 through Django's whole request stack
(what the page loads), and `notification_payloads` of one big group alone (what every delivered
like to that group does again for the live push). Prints a table and writes
var/bench/notification_groups.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client

from feed.evaluation.report import latency_table, percentiles_ms
from feed.evaluation.throwaway import throwaway_environment
from notifications.models import Notification, NotificationActor, NotificationKind
from notifications.selectors import notification_payloads
from profiles.models import User
from tiktok.command_output import report_path_check
from tiktok.db.sql import table

PAGE = 30
BATCH = 5_000


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=50_000, help="people in a big group")
        parser.add_argument("--big", type=int, default=5, help="big groups on the page")
        parser.add_argument("--requests", type=int, default=200, help="per measurement")
        parser.add_argument(
            "--out",
            type=Path,
            default=Path(settings.VAR_DIR) / "bench" / "notification_groups.json",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["people"] < 10 or not 1 <= options["big"] <= PAGE or options["requests"] < 1:
            raise CommandError(f"need --people >= 10, 1 <= --big <= {PAGE} and --requests >= 1")
        out = report_path_check(options["out"])
        started = time.monotonic()
        with throwaway_environment(prefix="benchnotify") as environment:
            self.stdout.write(f"throwaway database {environment.database_name}")
            recipient, big_group = self._seed(options["people"], options["big"])
            seeded_s = time.monotonic() - started
            self.stdout.write(f"seeded in {seeded_s:.0f} s; measuring")
            rows = self._measure(recipient, big_group, options["requests"])
        result = {
            **rows,
            "people_per_big_group": options["people"],
            "big_groups": options["big"],
            "page_size": PAGE,
            "seeded_s": round(seeded_s, 1),
            "seconds": round(time.monotonic() - started, 1),
        }
        out.write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(
            f"\n{options['big']} groups of {options['people']} people on a page of {PAGE}, "
            f"{options['requests']} requests each"
        )
        self.stdout.write(latency_table(rows))
        self.stdout.write(f"wrote {out}")

    def _seed(self, people: int, big: int) -> tuple[User, Notification]:
        recipient = User.objects.create_user(username="bench_notify_recipient", password="x" * 16)
        fans = User.objects.bulk_create(
            [User(username=f"bench_fan_{i}", password="!") for i in range(people)],
            batch_size=BATCH,
        )
        groups = Notification.objects.bulk_create(
            Notification(
                recipient=recipient,
                kind=NotificationKind.LIKE,
                actor=fans[number % people],
                actor_count=people if number < big else 1 + number % 3,
                group_key=f"bench:{number}",
            )
            for number in range(PAGE)
        )
        with connection.cursor() as cursor:
            # Every fan in each big group, a second apart; the small groups' few people.
            cursor.execute(
                f"INSERT INTO {table(NotificationActor)} (notification_id, actor_id, created_at) "
                "SELECT g.id, f.id, now() - make_interval(secs => f.id) "
                "FROM unnest(%s::bigint[]) AS g(id), unnest(%s::bigint[]) AS f(id)",
                [[g.pk for g in groups[:big]], [f.pk for f in fans]],
            )
            for number, group in enumerate(groups[big:], start=big):
                cursor.execute(
                    f"INSERT INTO {table(NotificationActor)} "
                    "(notification_id, actor_id, created_at) "
                    "SELECT %s, f.id, now() FROM unnest(%s::bigint[]) AS f(id)",
                    [group.pk, [f.pk for f in fans[: 1 + number % 3]]],
                )
            cursor.execute(f"ANALYZE {table(NotificationActor)}")
            cursor.execute(f"ANALYZE {table(User)}")
        return recipient, groups[0]

    def _measure(
        self, recipient: User, big_group: Notification, requests: int
    ) -> dict[str, dict[str, float]]:
        client = Client(HTTP_HOST="localhost")
        client.force_login(recipient)
        page_s = []
        for _ in range(requests):
            began = time.perf_counter()
            response = client.get(f"/api/notifications?limit={PAGE}")
            page_s.append(time.perf_counter() - began)
            if response.status_code != 200 or len(response.json()["results"]) != PAGE:
                raise CommandError(f"the notifications page answered {response.status_code}")
        push_s = []
        for _ in range(requests):
            began = time.perf_counter()
            payload = notification_payloads(notifications=[big_group], viewer=recipient)
            push_s.append(time.perf_counter() - began)
            if len(payload[0]["actors"]) != 2:
                raise CommandError("a big group's payload did not name its two latest people")
        return {"page": percentiles_ms(page_s), "one big group": percentiles_ms(push_s)}
