"""Finding video links and their captions on a page (no network, no database)."""

from __future__ import annotations

from pathlib import Path

from videos.html_links import extract_video_links

FIXTURE = Path(__file__).parent / "fixtures" / "wsg_thread.html"
BASE = "http://board.test/wsg/thread/5000001"


def test_thread_page_yields_each_video_once_with_absolute_urls():
    html = FIXTURE.read_text().replace("HOST", "board.test")
    title, links = extract_video_links(html, BASE)
    assert title == "/wsg/ - Cats being cats - Worksafe GIF - 4chan"
    assert [link.url for link in links] == [
        "http://board.test/files/1700000000001.webm",
        "http://board.test/files/1700000000002.mp4",
    ]


def test_post_text_next_to_the_file_link_is_the_caption():
    html = FIXTURE.read_text().replace("HOST", "board.test")
    _, links = extract_video_links(html, BASE)
    assert "Cat jumping onto the fridge" in links[0].caption
    assert links[1].caption == "kitten meets a dog for the first time"  # quote link dropped
    assert [link.filename for link in links] == ["cat_jump.webm", "kitten.mp4"]


def test_video_and_source_elements_count_and_title_is_the_fallback_caption():
    html = (
        "<html><head><title>Clips</title></head><body>"
        "<video src='a.mp4'></video><video><source src='/b.webm' type='video/webm'></video>"
        "<a href='c.MOV'>c</a><a href='a.mp4'>again</a><img src='d.jpg'></body></html>"
    )
    title, links = extract_video_links(html, "https://site.test/x/page")
    assert [link.url for link in links] == [
        "https://site.test/x/a.mp4",
        "https://site.test/b.webm",
        "https://site.test/x/c.MOV",
    ]
    assert all(link.caption == "Clips" for link in links)


def test_page_without_videos_has_no_links():
    assert extract_video_links("<html><a href='x.jpg'>pic</a></html>", "http://s.test/")[1] == []
