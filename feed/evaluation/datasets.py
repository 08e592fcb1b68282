"""Loading and validating evaluation CSVs, and the leave-last-out split (no Django)."""

from __future__ import annotations

import csv
import difflib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feed.event_input import EPOCH_MS_THRESHOLD

ITEM_COLUMNS_REQUIRED = ("item_id", "title", "tags")
INTERACTION_COLUMNS_REQUIRED = ("user_id", "item_id", "timestamp")
INTERACTION_COLUMNS_OPTIONAL = ("watch_ratio",)
TAG_SEPARATOR = "|"
MAX_ITEM_ID_CHARS = 200


class DatasetError(ValueError):
    """A problem in an input file, located to the line: str() is `file:line: problem`."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Item:
    item_id: str
    title: str
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        """What gets embedded: the title followed by the tags."""
        return " ".join([self.title, *self.tags]).strip()


@dataclass(frozen=True)
class Interaction:
    user_id: str
    item_id: str
    ts: float  # unix seconds, UTC
    watch_ratio: float | None
    line: int


@dataclass
class Dataset:
    items: list[Item]
    interactions: list[Interaction]
    item_index: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was read but not used (see _open_csv)

    def __post_init__(self) -> None:
        if not self.item_index:
            self.item_index = {item.item_id: i for i, item in enumerate(self.items)}


def _open_csv(  # noqa: ANN202
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    notes: list[str] | None = None,
):
    """(handle, reader, header) after checking the header. Columns the format does not name are
    ignored (third-party exports carry ratings, durations, URLs...) and listed in `notes`; one
    that looks like a misspelt optional column is an error, since ignoring it would change
    what every row means."""
    if not path.exists():
        raise DatasetError(path, None, "file not found")
    if not path.is_file():
        raise DatasetError(path, None, "not a regular file")
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise DatasetError(path, 1, "empty file (expected a header row)") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        handle.close()
        raise DatasetError(path, 1, f"unreadable header: {exc}") from None
    header = [name.strip() for name in header]
    problem = None
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required and name not in optional]
    known = (*required, *optional)
    counts = Counter(header)
    duplicated = sorted(name for name in known if counts[name] > 1)
    if missing:
        problem = f"missing column(s) {', '.join(missing)} (expected {', '.join(required)})"
    elif duplicated:
        problem = f"duplicated column(s) {', '.join(duplicated)}"
    else:
        absent = [name for name in optional if name not in header]
        for name in unknown:
            close = difflib.get_close_matches(name.lower(), absent, n=1, cutoff=0.75)
            if close:
                problem = f"unknown column {name!r}: did you mean {close[0]!r}?"
                break
    if problem:
        handle.close()
        raise DatasetError(path, 1, problem)
    if unknown and notes is not None:
        names = ", ".join(repr(name) for name in dict.fromkeys(unknown))
        notes.append(f"{path}: ignoring column(s) {names}")
    return handle, reader, header


# A quoted field may hold line breaks; one running over more lines than this is a stray quote
# (an unclosed `"` took every following row into one title, silently).
MAX_LINES_PER_RECORD = 10


def _rows(path: Path, reader, header: list[str]):  # noqa: ANN001, ANN202
    """(line number, {column: value}) for each non-blank row, checking the field count; a row is
    numbered by the line it starts on."""
    try:
        end = reader.line_num
        for row in reader:
            line, end = end + 1, reader.line_num
            spans = f" (a quoted field opened here runs to line {end})" if end > line else ""
            if end - line + 1 > MAX_LINES_PER_RECORD:
                raise DatasetError(path, line, f"a quoted field runs to line {end}: a stray '\"'?")
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise DatasetError(
                    path, line, f"expected {len(header)} fields, found {len(row)}{spans}"
                )
            for name, cell in zip(header, row, strict=True):
                if "\x00" in cell:
                    # PostgreSQL stores no NUL: it failed the run after minutes of embedding.
                    raise DatasetError(path, line, f"a NUL character in {name}")
            yield line, dict(zip(header, (cell.strip() for cell in row), strict=True))
    except csv.Error as exc:
        raise DatasetError(path, reader.line_num, f"malformed CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(path, _undecodable_line(path), f"not UTF-8: {exc.reason}") from None


def _undecodable_line(path: Path) -> int | None:
    """The line of the file's first byte that is not UTF-8 (the reader decodes 8 KB ahead of the
    row it is on, so its line number is not it)."""
    # Lines end as the reader ends them: at "\n", "\r\n" or a lone "\r" (old Mac files).
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


def _check_id(path: Path, line: int, column: str, value: str) -> str:
    if not value:
        raise DatasetError(path, line, f"empty {column}")
    if len(value) > MAX_ITEM_ID_CHARS:
        raise DatasetError(path, line, f"{column} longer than {MAX_ITEM_ID_CHARS} characters")
    return value


def load_items(path: Path | str, notes: list[str] | None = None) -> list[Item]:
    """ITEMS.csv: item_id,title,tags (tags `|`-separated, may be empty); other columns are
    ignored and named in `notes`."""
    path = Path(path)
    handle, reader, header = _open_csv(path, ITEM_COLUMNS_REQUIRED, notes=notes)
    items: list[Item] = []
    seen: dict[str, int] = {}
    with handle:
        for line, row in _rows(path, reader, header):
            item_id = _check_id(path, line, "item_id", row["item_id"])
            if item_id in seen:
                raise DatasetError(
                    path, line, f"duplicate item_id {item_id!r} (first on line {seen[item_id]})"
                )
            seen[item_id] = line
            tags = tuple(
                dict.fromkeys(t.strip() for t in row["tags"].split(TAG_SEPARATOR) if t.strip())
            )
            if not row["title"] and not tags:
                raise DatasetError(path, line, f"item {item_id!r} has neither title nor tags")
            items.append(Item(item_id=item_id, title=row["title"], tags=tags))
    if not items:
        raise DatasetError(path, None, "no items")
    return items


# Unix time past these is in milliseconds / microseconds (as many logs write it): 1e11 seconds
# is the year 5138, 1e11 milliseconds is 1973 (the API's rule for event timestamps).
MILLISECONDS_FROM = EPOCH_MS_THRESHOLD
MICROSECONDS_FROM = 1e14


def parse_timestamp(value: str) -> float:
    """Unix time (int or float; seconds, or milliseconds / microseconds told apart by magnitude)
    or ISO 8601 (naive means UTC) -> unix seconds."""
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(number) or number < 0:
            raise ValueError(value)
        if number >= MICROSECONDS_FROM:
            number /= 1e6
        elif number >= MILLISECONDS_FROM:
            number /= 1e3
        return _in_range(number, value)
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _in_range(moment.timestamp(), value)


# Timestamps from 1970 up to (not including) 2200: the evaluation moves the log so its last
# training event is now, and a span of more leaves the calendar (a 1e22 or a year 9999 failed
# the run after minutes of embedding, as an OverflowError).
LATEST_TIMESTAMP = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


def _in_range(seconds: float, value: str) -> float:
    if not 0 <= seconds < LATEST_TIMESTAMP:
        raise ValueError(value)
    return seconds


def load_interactions(
    path: Path | str, item_ids: set[str] | dict[str, int], notes: list[str] | None = None
) -> list[Interaction]:
    """INTERACTIONS.csv: user_id,item_id,timestamp[,watch_ratio]; each row a positive; other
    columns are ignored and named in `notes`."""
    path = Path(path)
    handle, reader, header = _open_csv(
        path, INTERACTION_COLUMNS_REQUIRED, INTERACTION_COLUMNS_OPTIONAL, notes
    )
    has_ratio = "watch_ratio" in header
    rows: list[Interaction] = []
    with handle:
        for line, row in _rows(path, reader, header):
            user_id = _check_id(path, line, "user_id", row["user_id"])
            item_id = _check_id(path, line, "item_id", row["item_id"])
            if item_id not in item_ids:
                raise DatasetError(
                    path, line, f"unknown item id {item_id!r} (not in the items file)"
                )
            try:
                ts = parse_timestamp(row["timestamp"])
            except (ValueError, OverflowError):
                raise DatasetError(
                    path,
                    line,
                    f"bad timestamp {row['timestamp']!r} (want unix time or ISO 8601, "
                    "from 1970 to 2199)",
                ) from None
            ratio = None
            if has_ratio and row["watch_ratio"]:
                try:
                    ratio = float(row["watch_ratio"])
                except ValueError:
                    ratio = math.nan
                if not (0.0 < ratio <= 1.0):
                    raise DatasetError(
                        path,
                        line,
                        f"bad watch_ratio {row['watch_ratio']!r} (want a number in (0, 1])",
                    )
            rows.append(Interaction(user_id, item_id, ts, ratio, line))
    if not rows:
        raise DatasetError(path, None, "no interactions")
    return rows


def load_dataset(items_path: Path | str, interactions_path: Path | str) -> Dataset:
    notes: list[str] = []
    items = load_items(items_path, notes)
    index = {item.item_id: i for i, item in enumerate(items)}
    return Dataset(
        items=items,
        interactions=load_interactions(interactions_path, index, notes),
        item_index=index,
        notes=notes,
    )


@dataclass
class UserSplit:
    """One user's time-ordered training history and the held-out last item."""

    user_id: str
    history: list[Interaction]
    held_out: Interaction | None


def leave_last_out(interactions: list[Interaction]) -> list[UserSplit]:
    """Per user, sort by time (file order breaks ties); the last interaction is the test item.

    Repeat engagements with an item keep only the first, so the held-out item is one the user
    had not engaged with before (the engine filters already-watched videos, as in production).
    Users with a single interaction have no history and are kept for training only.
    """
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for row in interactions:
        by_user[row.user_id].append(row)
    splits: list[UserSplit] = []
    for user_id, rows in by_user.items():
        rows.sort(key=lambda r: (r.ts, r.line))
        seen: set[str] = set()
        unique = []
        for row in rows:
            if row.item_id not in seen:
                seen.add(row.item_id)
                unique.append(row)
        if len(unique) >= 2:
            splits.append(UserSplit(user_id, unique[:-1], unique[-1]))
        else:
            splits.append(UserSplit(user_id, unique, None))
    return splits
