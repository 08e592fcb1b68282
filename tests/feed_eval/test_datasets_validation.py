"""Input CSV validation: every problem is reported with the file, the line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.evaluation.datasets import (
    DatasetError,
    leave_last_out,
    load_dataset,
    load_interactions,
    load_items,
)

ITEMS = "item_id,title,tags\na,cute kitten,pets|cats\nb,pasta night,cooking\nc,skate trick,\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(call) -> DatasetError:  # noqa: ANN001
    with pytest.raises(DatasetError) as info:
        call()
    return info.value


def test_items_and_interactions_load_with_tags_split_on_pipes(tmp_path):
    items = write(tmp_path, "items.csv", ITEMS)
    rows = write(
        tmp_path,
        "inter.csv",
        "user_id,item_id,timestamp,watch_ratio\nu1,a,100,0.5\nu1,b,2024-01-01T00:00:00Z,\n",
    )
    dataset = load_dataset(items, rows)
    assert dataset.items[0].tags == ("pets", "cats")
    assert dataset.items[2].tags == ()
    assert dataset.interactions[0].watch_ratio == 0.5
    assert dataset.interactions[1].watch_ratio is None
    assert dataset.interactions[1].ts == 1704067200.0


def test_missing_file_is_reported_by_name(tmp_path):
    error = error_of(lambda: load_items(tmp_path / "nope.csv"))
    assert str(error) == f"{tmp_path / 'nope.csv'}: file not found"


def test_missing_column_is_reported_on_the_header_line(tmp_path):
    path = write(tmp_path, "items.csv", "item_id,title\na,x\n")
    error = error_of(lambda: load_items(path))
    assert (error.path, error.line) == (str(path), 1)
    assert "missing column(s) tags" in error.problem


def test_a_duplicated_column_is_reported_on_the_header_line(tmp_path):
    path = write(tmp_path, "items.csv", "item_id,title,tags,title,views,views\na,x,y,z,1,2\n")
    error = error_of(lambda: load_items(path))
    assert (error.line, error.problem) == (1, "duplicated column(s) title")


def test_a_header_of_300_000_columns_is_checked_to_its_end(tmp_path):
    # Each known name used to be counted over the whole header (quadratic: past the suite's
    # timeout here).
    header = "item_id,title,tags" + ",title" * 300_000
    path = write(tmp_path, "items.csv", header + "\n")
    assert error_of(lambda: load_items(path)).problem == "duplicated column(s) title"


def test_columns_the_format_does_not_name_are_ignored_and_noted(tmp_path):
    # Third-party exports carry more than the format: a rating, a URL, an unnamed last column.
    path = write(tmp_path, "inter.csv", "user_id,rating,item_id,timestamp,\nu,5,a,1,\nu,4,b,2,\n")
    notes: list[str] = []
    rows = load_interactions(path, {"a", "b"}, notes)
    assert [(row.user_id, row.item_id, row.ts) for row in rows] == [
        ("u", "a", 1.0),
        ("u", "b", 2.0),
    ]
    assert notes == [f"{path}: ignoring column(s) 'rating', ''"]
    items = write(tmp_path, "items.csv", "item_id,title,tags,cover_url\na,Cats,pets,http://x/1\n")
    assert load_items(items, notes)[0].tags == ("pets",)
    assert notes[-1] == f"{items}: ignoring column(s) 'cover_url'"


def test_a_misspelt_optional_column_is_an_error_not_ignored(tmp_path):
    # Ignored, it would turn every row into a finish: the evaluation would mean something else.
    for column in ("watch_ration", "Watch_Ratio"):
        path = write(tmp_path, "inter.csv", f"user_id,item_id,timestamp,{column}\nu,a,1,0.5\n")
        error = error_of(lambda path=path: load_interactions(path, {"a"}))
        assert error.line == 1
        assert error.problem == f"unknown column {column!r}: did you mean 'watch_ratio'?"


def test_unix_time_in_milliseconds_or_microseconds_is_read_as_such(tmp_path):
    # The same moment (2020-03-11T03:35:45.134Z) as logs write it, and small values (row
    # positions, as the converters write them) as seconds.
    path = write(
        tmp_path,
        "inter.csv",
        "user_id,item_id,timestamp\nu,a,1583897745.134\nu,a,1583897745134\n"
        "u,a,1583897745134000\nu,a,2020-03-11T03:35:45.134Z\nu,a,7258118399\nu,a,2\n",
    )
    stamps = [row.ts for row in load_interactions(path, {"a"})]
    assert stamps[:4] == pytest.approx([1583897745.134] * 4, abs=1e-3)
    assert stamps[4:] == [7258118399.0, 2.0]  # 2199-12-31T23:59:59: seconds still


def test_bad_timestamp_names_its_line(tmp_path):
    path = write(tmp_path, "inter.csv", "user_id,item_id,timestamp\nu,a,1\nu,a,yesterday\n")
    error = error_of(lambda: load_interactions(path, {"a"}))
    assert error.line == 3
    assert "bad timestamp 'yesterday'" in error.problem


@pytest.mark.parametrize(
    "stamp", ["1e22", "1e30", "99999999999", "9999-12-31T00:00:00", "1960-01-01T00:00:00"]
)
def test_a_timestamp_outside_1970_to_2200_names_its_line(tmp_path, stamp):
    # The evaluation moves the log so its last training event is now: a year 9999 (or 1e22
    # microseconds) left the calendar after minutes of embedding, as an OverflowError.
    path = write(tmp_path, "inter.csv", f"user_id,item_id,timestamp\nu,a,1\nv,a,{stamp}\n")
    error = error_of(lambda: load_interactions(path, {"a"}))
    assert error.line == 3
    assert f"bad timestamp {stamp!r}" in error.problem
    assert "from 1970 to 2199" in error.problem


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("item_id,title,tags\na,ok,x\nb,ti\x00tle,x\n", "title"),
        ("item_id,title,tags\na,ok,x\nb,t,pe\x00ts\n", "tags"),
    ],
)
def test_a_nul_character_names_its_line_and_column(tmp_path, text, column):
    # PostgreSQL stores no NUL: it failed the run after the embedding, as a traceback.
    error = error_of(lambda: load_items(write(tmp_path, "items.csv", text)))
    assert (error.line, error.problem) == (3, f"a NUL character in {column}")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_bytes_that_are_not_utf8_name_their_own_line(tmp_path, newline):
    # The reader decodes 8 KB ahead: the error named the line where that block began.
    path = tmp_path / "items.csv"
    rows = "".join(f"i{n},title number {n},tag{newline}" for n in range(1, 600))
    header = f"item_id,title,tags{newline}".encode()
    path.write_bytes(header + rows.encode() + b"i600,caf\xe9,tag" + newline.encode())
    error = error_of(lambda: load_items(path))
    assert error.line == 601
    assert error.problem.startswith("not UTF-8")


def test_unknown_item_id_names_its_line(tmp_path):
    path = write(tmp_path, "inter.csv", "user_id,item_id,timestamp\nu,a,1\nu,zzz,2\n")
    error = error_of(lambda: load_interactions(path, {"a"}))
    assert error.line == 3
    assert "unknown item id 'zzz'" in error.problem


def test_watch_ratio_outside_zero_one_is_rejected(tmp_path):
    path = write(tmp_path, "inter.csv", "user_id,item_id,timestamp,watch_ratio\nu,a,1,1.5\n")
    error = error_of(lambda: load_interactions(path, {"a"}))
    assert error.line == 2
    assert "bad watch_ratio" in error.problem


def test_wrong_field_count_names_its_line(tmp_path):
    path = write(tmp_path, "items.csv", "item_id,title,tags\na,x,y\nb,only-two\n")
    error = error_of(lambda: load_items(path))
    assert error.line == 3
    assert "expected 3 fields, found 2" in error.problem


def test_duplicate_item_id_names_both_lines(tmp_path):
    path = write(tmp_path, "items.csv", "item_id,title,tags\na,x,\na,y,\n")
    error = error_of(lambda: load_items(path))
    assert error.line == 3
    assert "first on line 2" in error.problem


def test_empty_file_is_rejected(tmp_path):
    path = write(tmp_path, "items.csv", "")
    assert "empty file" in error_of(lambda: load_items(path)).problem


def test_leave_last_out_holds_out_the_latest_new_item_per_user(tmp_path):
    items = write(tmp_path, "items.csv", ITEMS)
    rows = write(
        tmp_path,
        "inter.csv",
        "user_id,item_id,timestamp\nu1,c,30\nu1,a,10\nu1,b,20\nu1,a,40\nu2,a,5\n",
    )
    splits = {s.user_id: s for s in leave_last_out(load_dataset(items, rows).interactions)}
    assert [r.item_id for r in splits["u1"].history] == ["a", "b"]
    assert splits["u1"].held_out.item_id == "c"
    assert splits["u2"].held_out is None


def test_a_stray_quote_is_reported_where_it_opens_not_swallowing_the_rows_after(tmp_path):
    # An unclosed quote took the next 39 rows into one title, silently (21 items of 60 were
    # loaded, and the interactions then named "unknown" items visible in the file).
    lines = ["item_id,title,tags", "i0,plain,pets", 'i1,"Quoted start of a title,pets']
    lines += [f"i{n},video {n},pets" for n in range(2, 40)]
    lines += ['i40,a 5" ruler,tools'] + [f"i{n},video {n},pets" for n in range(41, 60)]
    path = write(tmp_path, "items.csv", "\n".join(lines) + "\n")

    error = error_of(lambda: load_items(path))

    assert (error.path, error.line) == (str(path), 3)
    assert "a quoted field runs to line" in error.problem


def test_a_quoted_title_over_a_few_lines_is_taken(tmp_path):
    path = write(tmp_path, "items.csv", 'item_id,title,tags\na,"two\nlines, really",pets\nb,x,y\n')

    items = load_items(path)

    assert [item.title for item in items] == ["two\nlines, really", "x"]


def test_an_unterminated_quote_at_the_end_is_reported_on_its_opening_line(tmp_path):
    lines = ["item_id,title,tags", "a,x,y", "b,x,y", 'c,"unterminated,pets', "d,x,y"]
    path = write(tmp_path, "items.csv", "\n".join(lines) + "\n")

    error = error_of(lambda: load_items(path))

    assert error.line == 4
    assert "opened here runs to line 5" in error.problem
