"""Finding video links and their captions on a page (no network, no database)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from videos.html_links import extract_video_links
from videos.page_charset import decode_page

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


def test_one_video_element_is_one_video_whatever_its_sources():
    """The HTML5 fallback pair (a WebM and an MP4 <source> of one clip) and a `src` with
    <source> children are each one video: the `src`, else the first file <source>, as a browser
    plays; a stream manifest before it does not take the place. Two <video>s are two."""
    html = (
        "<title>Cat</title>"
        "<video controls><source src='clip.webm' type='video/webm'>"
        "<source src='clip.mp4' type='video/mp4'></video>"
        "<video src='other.mp4'><source src='other.webm' type='video/webm'></video>"
        "<video><source src='/live.m3u8' type='application/x-mpegURL'>"
        "<source src='/file.mp4' type='video/mp4'><source src='/file.webm'></video>"
        "<video><source src='clip2.webm'></video>"
    )
    _, links = extract_video_links(html, "https://site.test/post/")
    assert [link.url for link in links] == [
        "https://site.test/post/clip.webm",
        "https://site.test/post/other.mp4",
        "https://site.test/file.mp4",
        "https://site.test/post/clip2.webm",
    ]


def test_page_without_videos_has_no_links():
    assert extract_video_links("<html><a href='x.jpg'>pic</a></html>", "http://s.test/")[1] == []


def test_a_video_element_counts_whatever_its_url_and_lazy_sources_count_too():
    html = (
        "<title>CDN</title>"
        "<video src='/v/8f3a?sig=1'></video>"  # a media CDN path without an extension
        "<video data-src='/lazy/clip'></video>"  # lazy loading fills src later
        "<video><source data-src='/v/src-in-video' type='video/mp4'></video>"
        "<source src='/typed' type='video/webm'>"
        "<source src='/stray.webm'>"  # outside a <video>, but a video file
        "<audio><source src='/podcast.mp3'></audio>"  # an audio element's source is not a video
        "<picture><source srcset='a.webp'><img src='a.jpg'></picture>"
        "<video src='blob:https://cdn.test/1234'></video>"  # not fetchable
        "<a href='/files/old.m4v'>m4v</a><a href='/files/cut.MKV'>mkv</a><a href='/x.gif'>gif</a>"
    )
    _, links = extract_video_links(html, "https://site.test/watch")
    assert [link.url for link in links] == [
        "https://site.test/v/8f3a?sig=1",
        "https://site.test/lazy/clip",
        "https://site.test/v/src-in-video",
        "https://site.test/typed",
        "https://site.test/stray.webm",
        "https://site.test/files/old.m4v",
        "https://site.test/files/cut.MKV",
    ]
    assert [link.filename for link in links][:2] == ["8f3a", "clip"]


def test_stream_manifests_are_not_links():
    html = (
        "<video><source src='/live/master.m3u8' type='application/x-mpegURL'>"
        "<source src='/hls/index' type='application/vnd.apple.mpegurl'>"
        "<source src='/dash/stream.mpd'><source src='/file.mp4'></video>"
    )
    _, links = extract_video_links(html, "https://site.test/")
    assert [link.url for link in links] == ["https://site.test/file.mp4"]


def test_open_graph_video_counts_when_it_is_a_file_not_a_player():
    html = (
        "<head><title>A dog</title>"
        "<meta property='og:video' content='http://cdn.test/media/777'>"
        "<meta property='og:video:secure_url' content='https://cdn.test/media/777'>"
        "<meta property='og:video:type' content='video/mp4'>"
        "<meta property='og:video:url' content='http://cdn.test/media/778'>"
        "<meta property='og:video' content='https://player.test/embed/777'>"
        "<meta property='og:video:type' content='text/html'>"
        "<meta name='twitter:player:stream' content='https://cdn.test/tw/777.mp4'>"
        "<meta property='og:video:url' content='https://player.test/embed/888'></head>"
    )
    _, links = extract_video_links(html, "https://site.test/p/777")
    # A type describes every URL of its video (778 is another URL of the first og:video); one
    # video over http and https is one link (https kept); the embeddable players are not files;
    # an untyped tag counts when it names a video file.
    assert [link.url for link in links] == [
        "https://cdn.test/media/777",
        "http://cdn.test/media/778",
        "https://cdn.test/tw/777.mp4",
    ]
    assert all(link.caption == "A dog" for link in links)


def test_json_ld_video_objects_are_links_captioned_by_their_name_and_description():
    graph = (
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebPage", "name": "Page"},'
        ' {"@type": ["VideoObject", "CreativeWork"], "name": "Corgi skates",'
        ' "description": "  First try   at the park ", "contentUrl": "/media/corgi"},'
        ' {"@type": "Article", "video": {"@type": "VideoObject", "name": "Nested",'
        ' "contentUrl": "https://cdn.test/n.webm"}},'
        ' {"@type": "VideoObject", "name": "Live", "contentUrl": "/live.m3u8"},'
        ' {"@type": "VideoObject", "name": "No file", "embedUrl": "https://p.test/e/1"}]}'
    )
    html = (
        "<title>Fallback</title>"
        f"<script type='application/ld+json'>{graph}</script>"
        "<script type='application/ld+json'>{broken json</script>"
        "<script>var x = {'@type': 'VideoObject', contentUrl: '/not-json-ld.mp4'};</script>"
    )
    _, links = extract_video_links(html, "https://site.test/v/1")
    assert [(link.url, link.caption) for link in links] == [
        ("https://site.test/media/corgi", "Corgi skates\nFirst try at the park"),
        ("https://cdn.test/n.webm", "Nested"),
    ]


@pytest.mark.parametrize(
    ("body", "header", "text"),
    [
        # The header's charset wins over the page's meta.
        ("<meta charset='utf-8'><p>caf\xe9".encode("cp1252"), "windows-1252", "café"),
        # Without one, the meta charset (either form) in the first 4 KB.
        ('<meta charset="windows-1252"><p>caf\xe9'.encode("cp1252"), None, "café"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">猫'.encode(
                "shift_jis"
            ),
            None,
            "猫",
        ),
        # A byte order mark beats both.
        ("\ufeff<meta charset='koi8-r'>кот".encode("utf-8"), "koi8-r", "кот"),
        # Latin-1 labels read as windows-1252 (browsers do: 0x93/0x94 are curly quotes).
        (b"<meta charset=iso-8859-1>\x93hi\x94", None, "\u201chi\u201d"),
        # Unknown or non-text codecs fall back to UTF-8; bad bytes never raise.
        ("<meta charset='base64'>ok é".encode(), None, "ok é"),
        (b"<meta charset='no-such-codec'>ok \xff", "rot13", "ok \ufffd"),
        # Python codecs no browser takes: each failed the whole page (or read it as escapes).
        ("<meta charset='undefined'>ok é".encode(), None, "ok é"),
        ("ok é".encode(), "idna", "ok é"),
        ("ok é".encode(), "punycode", "ok é"),
        ("<meta charset='unicode_escape'>ok \\n é".encode(), None, "ok \\n é"),
        ("ok +AGE- é".encode(), "utf-7", "ok +AGE- é"),
        # A UTF-16 label inside ASCII-compatible bytes means UTF-8.
        ("<meta charset='utf-16'>é".encode(), None, "é"),
    ],
)
def test_a_page_is_decoded_as_a_browser_would(body: bytes, header: str | None, text: str):
    assert decode_page(body, header).endswith(text)


def test_elements_left_open_or_closed_astray_keep_each_link_with_its_post():
    deep = "<div>" * 5000  # never closed: deeper than the parser tracks
    stray = "</span>" * 1000  # closes nothing
    html = (
        "<title>Board</title>"
        f"<article><p>first post{stray} still first</p>{deep}<a href='/1.mp4'>1</a></article>"
        "<article><p>second <b>post</article><p>outside any post</p><a href='/2.mp4'>2</a>"
        "<div class='post'><blockquote>third<br>line</blockquote><video src='/3'></video></div>"
    )
    _, links = extract_video_links(html, "https://b.test/")
    assert [(link.url, link.caption) for link in links] == [
        ("https://b.test/1.mp4", "first post still first"),
        # The second post's end tag closed its <p> and <b> too: the link after it is outside.
        ("https://b.test/2.mp4", "Board"),
        ("https://b.test/3", "third\nline"),
    ]


def test_a_page_of_300_000_unclosed_elements_is_read_to_its_end():
    # Each text and tag used to walk every open element: quadratic, hours for this page (under
    # the 5 MB page limit) and past the suite's timeout; now a few seconds at most.
    html = "<article><p>caption</p>" + "<div>x" * 300_000 + "<a href='/end.mp4'>end</a>"
    _, links = extract_video_links(html, "https://b.test/")
    assert [(link.url, link.caption) for link in links] == [("https://b.test/end.mp4", "caption")]


def _only(html: str, base: str = "https://site.test/post/1"):  # noqa: ANN202
    return extract_video_links(html, base)[1]


def test_one_unusable_href_is_skipped_not_the_whole_page():
    # `[object Object]` (a script's bug) and a non-numeric port make no URL at all.
    links = _only(
        "<a href='http://[object Object]/share'>share</a><a href='http://x.test:abc/'>x</a>"
        "<base href='http://[::1'><a href='/clip.mp4'>clip</a>"
    )
    assert [link.url for link in links] == ["https://site.test/clip.mp4"]


def test_paragraphs_and_blocks_are_lines_not_glued_words():
    html = (
        "<article><h2>Zoomies</h2><p>Morning zoomies #cats</p><p>Filmed on my phone</p>"
        "<ul><li>one</li><li>two</li></ul><video src='a.mp4'></video></article>"
    )
    assert _only(html)[0].caption == "Morning zoomies #cats\nFilmed on my phone"
    thread = FIXTURE.read_text().replace("HOST", "board.test")
    first = extract_video_links(thread, BASE)[1][0].caption
    assert first.splitlines()[:2] == ["Cats being cats", "Post your best cat webms"]


def test_the_page_title_is_its_first_title_on_one_line_not_an_icons():
    html = (
        "<title>\n  Cat clips\n  | My Blog\n</title>"
        "<svg><title>Search</title></svg><svg><title>Menu</title></svg>"
        "<video src='a.mp4'></video>"
    )
    title, links = extract_video_links(html, "https://site.test/")
    assert title == "Cat clips | My Blog"
    assert links[0].caption == title


def test_one_video_named_twice_is_one_link():
    # iOS's first-frame trick (#t=0.1) beside a plain link, and WordPress's player: a source
    # with `?_=1` and a fallback link to the same file inside the <video>.
    fragment = _only("<video src='clip.mp4#t=0.1'></video><a href='clip.mp4'>clip</a>")
    assert [link.url for link in fragment] == ["https://site.test/post/clip.mp4"]
    wordpress = _only(
        "<video class='wp-video-shortcode'><source type='video/mp4' src='/up/clip.mp4?_=1'>"
        "<a href='/up/clip.mp4'>/up/clip.mp4</a></video>"
    )
    assert [link.url for link in wordpress] == ["https://site.test/up/clip.mp4?_=1"]


def test_players_of_other_sites_are_not_files():
    html = (
        "<video><source type='video/youtube' src='https://www.youtube.com/watch?v=abc'></video>"
        "<script type='application/ld+json'>"
        '{"@type": "VideoObject", "name": "A", "contentUrl": "https://youtu.be/abc"}</script>'
        "<video src='https://player.vimeo.com/video/1'></video>"
    )
    assert _only(html) == []


def test_a_json_ld_content_url_list_gives_its_first_file():
    html = (
        "<script type='application/ld+json'>"
        '{"@type": "VideoObject", "name": ["Corgi skates"], '
        '"contentUrl": ["https://cdn.test/corgi.mp4", "https://cdn.test/corgi.webm"]}</script>'
    )
    assert [(link.url, link.caption) for link in _only(html)] == [
        ("https://cdn.test/corgi.mp4", "Corgi skates")
    ]


def test_a_video_is_captioned_by_its_own_figure_then_its_link_text():
    html = (
        "<title>Blog</title><article><p>Two clips from the weekend.</p>"
        "<figure><video src='a.mp4'></video><figcaption>Cat A</figcaption></figure>"
        "<figure><video src='b.mp4'></video><figcaption>Cat B</figcaption></figure>"
        "<figure><video src='c.mp4'></video></figure></article>"
        "<a href='d.mp4'>My cat jumping</a><a href='e.mp4' title='Dog surfing at dawn'>here</a>"
        "<a href='f.mp4'>Download</a>"
    )
    assert [link.caption for link in _only(html)] == [
        "Cat A",
        "Cat B",
        "Two clips from the weekend.",  # a figure without words passes to its article
        "My cat jumping",
        "Dog surfing at dawn",
        "Blog",
    ]


def test_vichan_and_lynxchan_posts_give_the_message_and_the_original_name():
    vichan = (
        "<div class='post reply' id='reply_2'><p class='intro'><span class='name'>Anonymous"
        "</span> 05/01/23 No.2</p><div class='files'><div class='file'><p class='fileinfo'>"
        "File: <a href='/b/src/1682935000123.webm'>1682935000123.webm</a> (1.21 MB, "
        "<a class='postfilename' href='/b/src/1682935000123.webm' download='cat_fridge.webm'>"
        "cat_fridge.webm</a>)</p></div></div><div class='body'>My cat jumping onto the fridge"
        "</div></div>"
    )
    link = _only(vichan, "https://board.test/b/res/1.html")[0]
    assert (link.caption, link.filename) == ("My cat jumping onto the fridge", "cat_fridge.webm")
    lynxchan = (
        "<div class='postCell'><div class='innerPost'><div class='postInfo'>Anonymous</div>"
        "<div class='panelUploads'><a class='nameLink' href='/.media/abc123.webm'>Open file</a>"
        "</div><div class='divMessage'>My cat jumping onto the fridge</div></div></div>"
    )
    assert _only(lynxchan)[0].caption == "My cat jumping onto the fridge"


def test_file_names_are_decoded_and_whole():
    listing = (
        "<title>Index of /videos/</title><a href='Katze%20springt%20auf%20den%20K%C3%BChl"
        "schrank.mp4'>Katze springt auf den K&uuml;h..&gt;</a>"
        "<a href='dog_surfing.webm'>dog_surfing.webm</a><a href='1700000001.mp4'>17..&gt;</a>"
    )
    links = _only(listing, "https://files.test/videos/")
    assert links[0].filename == "Katze springt auf den Kühlschrank.mp4"
    # A directory listing's title says where, the names say what.
    assert [link.caption for link in links] == [
        "Katze springt auf den Kühlschrank",
        "dog surfing",
        "",
    ]
    board = (
        "<div class='post'><a href='/f/1.webm' title='my_cat_jumping_onto_the_fridge.webm'>"
        "my_cat_jumping_onto_(...).webm</a></div>"
    )
    assert _only(board)[0].filename == "my_cat_jumping_onto_the_fridge.webm"


def test_an_http_and_https_pair_is_one_link_that_keeps_its_post():
    html = (
        "<meta property='og:video' content='http://site.test/a.mp4'>"
        "<meta property='og:video:secure_url' content='https://site.test/a.mp4'>"
        "<meta property='og:video:type' content='video/mp4'>"
        "<title>Site</title><article><p>My cat jumping onto the fridge</p>"
        "<a href='http://site.test/a.mp4'>a.mp4</a></article><video src='/b.mp4'></video>"
    )
    links = _only(html)
    assert [(link.url, link.caption) for link in links] == [
        ("https://site.test/a.mp4", "My cat jumping onto the fridge"),
        ("https://site.test/b.mp4", "Site"),
    ]


def test_a_download_name_given_over_http_names_the_https_link():
    # The <a download> name was kept by URL and looked up by the merged https one: lost.
    html = (
        "<a href='https://site.test/f/1700000001.mp4'>1700000001.mp4</a>"
        "<a href='http://site.test/f/1700000001.mp4' download='Cat on the fridge.mp4'>save</a>"
    )
    [link] = _only(html)
    assert (link.url, link.filename) == (
        "https://site.test/f/1700000001.mp4",
        "Cat on the fridge.mp4",
    )


@pytest.mark.parametrize(
    ("body", "header", "text"),
    [
        ("<p>①髙橋</p>".encode("cp932"), "Shift_JIS", "①髙橋"),
        ("<p>镕</p>".encode("gbk"), "gb2312", "镕"),
        ("<p>똠</p>".encode("cp949"), "ks_c_5601-1987", "똠"),
        ("<p>“merhaba” €</p>".encode("cp1254"), "iso-8859-9", "“merhaba” €"),
        (
            '<?xml version="1.0" encoding="Shift_JIS"?><p>猫の動画</p>'.encode("cp932"),
            None,
            "猫の動画",
        ),
    ],
)
def test_charset_labels_are_read_as_browsers_read_them(body: bytes, header, text: str):  # noqa: ANN001
    decoded = decode_page(body, header)
    assert text in decoded and "\ufffd" not in decoded


@pytest.mark.parametrize("tail", ["<a ", "<!--", "<a href='/never.mp4' "])
def test_a_page_ending_inside_a_tag_or_comment_drops_it_as_a_browser_does(tail):
    # The parser keeps such a tail back for the rest that never comes; Python 3.11's `close`
    # then read it as text, one character at a time (quadratic: 120 KB of "<a " took 79 s;
    # `make bench-links` has both kinds at 4.8 MB), and the title and captions got it.
    html = "<a href='/v.mp4'>v.mp4</a><title>Cats on a sofa" + tail * 500
    title, links = extract_video_links(html, "http://site.test/p")
    assert title == "Cats on a sofa"
    assert [(link.url, link.caption) for link in links] == [
        ("http://site.test/v.mp4", "Cats on a sofa")
    ]


def test_a_huge_tag_is_skipped_to_its_end_in_bounded_memory_and_parsing_goes_on():
    # 1.5 MB of one tag's attributes: its pattern held ~600 bytes per attribute (320 MB here;
    # 1 GB at the 5 MB page limit). Skipped to its ">", the page after it is read as usual.
    html = "<p>before <a href='/a.mp4'>a</a></p>" + "<a " * 500_000 + ">"
    html += "<article><p>after the tag</p><a href='/b.mp4'>b</a></article>"
    tracemalloc.start()
    try:
        _, links = extract_video_links(html, "http://site.test/p")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(link.url, link.caption) for link in links][-1] == (
        "http://site.test/b.mp4",
        "after the tag",
    )
    assert [link.url for link in links][0] == "http://site.test/a.mp4"
    assert peak < 64 * 2**20


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # A script longer than the parser is fed at once: "</x" in it is text, not a tag.
        (
            "<script>" + "</x " * 50_000 + "</script><p>after <a href='/b.mp4'>b</a></p>",
            [("b.mp4", "")],
        ),
        # A tag long only for a quoted value with ">" in it (a page's state in a data-
        # attribute) is read whole, not cut at the first ">".
        (
            "<article><p>real caption</p>"
            f"<div data-state=\"{'a>b ' * 50_000}\"><a href='/b.mp4'>b</a></div></article>",
            [("b.mp4", "real caption")],
        ),
        (f"<video data-x='{'x' * 200_000}' src='/c.mp4'></video>", [("c.mp4", "")]),
        # A comment longer than that comments out what is in it, up to its "-->".
        (
            "<!--" + "<a href='/no.mp4'>no</a>" * 5_000 + "--><a href='/b.mp4'>my cat</a>",
            [("b.mp4", "my cat")],
        ),
    ],
)
def test_long_scripts_values_and_comments_are_read_as_a_browser_reads_them(html, expected):
    _, links = extract_video_links(html, "http://site.test/p")
    assert [(link.url.rsplit("/", 1)[1], link.caption) for link in links] == expected


@pytest.mark.parametrize(
    "markup",
    ["<!-->", "<!--->", "<!-- c --!>", "<![CDATA[ x > y", "<![if gte IE 9>", "<![foo]>", "<![ x>"],
)
def test_comments_and_declarations_end_where_a_browser_ends_them(markup):
    # Python's parser held the first four open for a "-->" or "]>" that never came (the page
    # after them was lost) and raised AssertionError on the last two.
    html = f"<title>T</title>{markup}<p>Cat <a href='/v/cat.mp4'>cat jumping fence</a></p>"
    _, links = extract_video_links(html, "http://site.test/p")
    assert [link.url for link in links] == ["http://site.test/v/cat.mp4"]


def test_tabs_and_line_breaks_in_a_link_are_taken_out_as_a_browser_does():
    # On an https page an http link keeps them through urljoin; it was then refused.
    html = "<a href='http://cdn.test/vid\n/a\t.mp4\r'>clip</a>"
    _, links = extract_video_links(html, "https://site.test/p")
    assert [link.url for link in links] == ["http://cdn.test/vid/a.mp4"]
