"""Find video links on a web page with the text of the post they belong to - imageboard threads
put the best caption right next to the file link.

A link is: an anchor to a file with a video extension; a `<video>`'s `src`, and a `<source>`'s
inside a `<video>` or typed `video/...`, whatever the URL looks like (media CDNs often serve
videos from paths without an extension), lazy-loading `data-src` included (a `<source>`
elsewhere counts with a video extension); the page's `og:video` / `twitter:player:stream` meta
tags when they are typed `video/...` or name a video file (an `og:video` is often an
embeddable player page instead); and the `contentUrl` of a schema.org `VideoObject` in JSON-LD,
whose `name` and `description` are its caption. The download reads the bytes, so a link that
turns out not to be a video fails there with its own error line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from videos.file_names import caption_from_file_name

# Containers the pipeline takes, as links on a page (videos.services.videos.VIDEO_EXTENSIONS adds
# .gif for files: a GIF linked from a page is almost always an image).
VIDEO_LINK_EXTENSIONS = (".webm", ".mp4", ".m4v", ".mov", ".mkv", ".avi")
# Meta tags whose content is the page's video (Open Graph, Twitter cards). A tag in
# VIDEO_META_STARTS begins a video; the :url / :secure_url / :type tags after it describe it.
VIDEO_META_STARTS = {"og:video", "twitter:player:stream"}
VIDEO_META_URLS = {"og:video:url", "og:video:secure_url"}
VIDEO_META_TYPES = {"og:video:type", "twitter:player:stream:content_type"}
VIDEO_META_WITH_URL = VIDEO_META_STARTS | VIDEO_META_URLS
# Open elements tracked (browsers stop nesting deeper than a few hundred as well).
MAX_OPEN_ELEMENTS = 1024
STREAM_MANIFEST_EXTENSIONS = (".m3u8", ".mpd")
MAX_JSON_LD_CHARS = 1_000_000  # a JSON-LD block larger than this is not read
# Elements that delimit one post/entry; the innermost one around a link owns its caption (a
# <figure> is the video's own, with its <figcaption>; a post without words passes the caption
# to the post around it). Classes: 4chan, vichan/Tinyboard, LynxChan, blogs, comment systems.
POST_TAGS = {"article", "figure"}
POST_CLASSES = {
    "post",
    "postcontainer",
    "reply",
    "op",
    "entry",
    "comment",
    "thread-post",
    "postcell",
    "innerpost",
    "innerop",
}
# Elements whose text is the message of a post (not buttons, file names, dates).
MESSAGE_TAGS = {"blockquote", "p", "figcaption"}
MESSAGE_CLASSES = {
    "postmessage",
    "message",
    "comment-body",
    "caption",
    "subject",
    "body",
    "divmessage",
    "labelsubject",
}
# A <p> with one of these classes is a post's header or file line, not its message (vichan).
NOT_MESSAGE_CLASSES = {"intro", "fileinfo", "file-info", "postinfo", "post-info", "filesize"}
# Elements after which text starts a new line (paragraphs, list items, headings, cells).
BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "figcaption",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "dd",
    "dt",
    "pre",
    "section",
    "header",
    "footer",
    "td",
    "th",
}
# How many posts around a link are asked for its caption, innermost first.
CAPTION_POSTS = 3
# <source type="..."> values that players use for a page of another site, not a file.
PLAYER_TYPES = {"video/youtube", "video/x-youtube", "video/vimeo", "video/dailymotion"}
# Sites whose links are watch pages (players), never the video file; a page of theirs cannot
# be downloaded as a video.
PLAYER_SITES = (
    "youtube.com",
    "youtu.be",
    "youtube-nocookie.com",
    "vimeo.com",
    "dailymotion.com",
    "tiktok.com",
    "instagram.com",
    "facebook.com",
    "twitch.tv",
)
# Anchor texts that say nothing about the video.
GENERIC_LINK_TEXTS = {
    "download",
    "download video",
    "here",
    "click here",
    "link",
    "video",
    "watch",
    "play",
    "open",
    "source",
    "mp4",
    "webm",
}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
QUOTE_LINK_RE = re.compile(r">>\d+")


@dataclass
class VideoLink:
    url: str
    caption: str
    filename: str


@dataclass
class _Post:
    parts: list[str]


@dataclass
class _MetaVideo:
    urls: list[str]  # the tag's content and its :url / :secure_url
    declared: str = ""  # its :type, lower case


@dataclass
class _Open:
    tag: str
    post: _Post | None
    message: bool
    has_source: bool = False  # a <video> whose src or <source> gave a link


def is_video_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(VIDEO_LINK_EXTENSIONS)


def _is_player_page(url: str) -> bool:
    """A watch page of a video site (YouTube, Vimeo...), which no download turns into a file."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == site or host.endswith("." + site) for site in PLAYER_SITES)


def file_name_of(url: str) -> str:
    """The last segment of a URL's path, percent-decoded as a person would write it."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return unquote(name, errors="replace") if "%" in name else name


def _classes(attrs: dict[str, str | None]) -> set[str]:
    return {name.lower() for name in (attrs.get("class") or "").split()}


def _is_stream_manifest(url: str, declared_type: str) -> bool:
    """An HLS or DASH playlist: the stream's segments are elsewhere, there is no file to fetch."""
    return urlsplit(url).path.lower().endswith(STREAM_MANIFEST_EXTENSIONS) or any(
        word in declared_type for word in ("mpegurl", "dash+xml")
    )


def _json_videos(data: object, depth: int = 0) -> Iterator[dict]:
    """Every schema.org VideoObject in parsed JSON-LD (in @graph lists, nested properties)."""
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_videos(item, depth + 1)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "VideoObject" in kinds:
            yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _json_videos(value, depth + 1)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first_text(value: object) -> str:
    """A string property, or the first string of a list of them (JSON-LD allows either)."""
    if isinstance(value, list):
        return next((text for item in value if (text := _text(item))), "")
    return _text(value)


class _OpenElements:
    """The elements open at the parser's position, with what the parser asks of them on every
    tag and text kept up to date as they open and close (the innermost post, whether inside a
    message or a <video>, the innermost open element of a name): constant time per question, so
    a hostile page of a million unclosed elements costs linear time, not quadratic. At most
    MAX_OPEN_ELEMENTS are tracked; deeper elements are read as if they closed at once."""

    def __init__(self) -> None:
        self.elements: list[_Open] = []
        self.by_tag: dict[str, list[int]] = {}  # positions of the open elements of each name
        self.posts: list[int] = []  # positions of the open post elements
        self.messages = 0
        self.videos = 0

    def push(self, element: _Open) -> None:
        if len(self.elements) >= MAX_OPEN_ELEMENTS:
            return
        position = len(self.elements)
        self.elements.append(element)
        self.by_tag.setdefault(element.tag, []).append(position)
        if element.post is not None:
            self.posts.append(position)
        self.messages += element.message
        self.videos += element.tag == "video"

    def close(self, tag: str) -> None:
        """Close the innermost open `tag` and everything opened inside it (a stray end tag
        closes nothing)."""
        positions = self.by_tag.get(tag)
        if not positions:
            return
        keep = positions[-1]
        while len(self.elements) > keep:
            element = self.elements.pop()
            self.by_tag[element.tag].pop()
            if element.post is not None:
                self.posts.pop()
            self.messages -= element.message
            self.videos -= element.tag == "video"

    def post(self) -> _Post | None:
        return self.elements[self.posts[-1]].post if self.posts else None

    def caption_posts(self) -> list[_Post]:
        """The innermost CAPTION_POSTS posts, innermost first."""
        return [self.elements[p].post for p in reversed(self.posts[-CAPTION_POSTS:])]

    def video(self) -> _Open | None:
        """The innermost open <video>."""
        positions = self.by_tag.get("video")
        return self.elements[positions[-1]] if positions else None

    def inside(self, tag: str) -> bool:
        return bool(self.by_tag.get(tag))


def http_url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL with a host, in words (None: it is one). The one rule for
    links found in pages and URLs people type (download.url_problem adds what httpx refuses)."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF for ch in url):
        # A NUL or an unpaired surrogate (a JSON-LD "\u0000" or "\ud800") reached the
        # database's query for known links and failed the whole page there.
        return f"{url!r} holds a control character or an unpaired surrogate"
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        return f"{url} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        hint = " (add https://)" if not parts.scheme or not parts.netloc else ""
        return f"{url} is not an http(s) URL{hint}"
    if not parts.hostname:
        return f"{url} has no host name"
    return None


def link_key(url: str) -> str:
    """One video named over http and https is one link: its URL without the scheme."""
    return url.split("://", 1)[1]


class _LinkParser(HTMLParser):
    """The page's links and captions (see extract_video_links). Comments and `<![...` end where
    a browser ends them (`_markup_end`), not where Python 3.11's parser does: it held `<!-->`,
    a comment closed by `--!>` and `<![if IE]>` open for a "-->" or "]>" further on (the page
    after them was lost), and raised AssertionError on `<![foo]>`."""

    def parse_comment(self, i: int, report: bool = True) -> int:
        return _markup_end(self.rawdata, i, complete=False)

    def parse_html_declaration(self, i: int) -> int:
        if self.rawdata.startswith("<![", i):
            return _markup_end(self.rawdata, i, complete=False)
        return super().parse_html_declaration(i)

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.stack = _OpenElements()
        self.title_parts: list[str] = []
        self.in_title = False
        self.title_done = False
        # (url, the posts around it, its file name, its own caption) in page order
        self.found: list[tuple[str, list[_Post], str, str]] = []
        # url, its text, its download and title attributes
        self.anchor: tuple[str, list[str], list[str]] | None = None
        self.meta_videos: list[_MetaVideo] = []
        # a link's <a download="..."> file name, by link_key
        self.original_names: dict[str, str] = {}
        self.json_ld: list[str] | None = None

    def _absolute(self, value: str | None) -> str | None:
        """An http(s) URL from an attribute value, resolved against the page, without its
        fragment (never sent to the server: `clip.mp4#t=0.1` is `clip.mp4`); None for other
        schemes and for values no URL can be made of (`http://[object Object]/`)."""
        if not value or not value.strip():
            return None
        # A browser takes tabs and line breaks out of a URL (urljoin does only for a link in
        # the page's own scheme).
        value = value.replace("\t", "").replace("\n", "").replace("\r", "")
        try:
            url = urljoin(self.base_url, value.strip()).partition("#")[0]
        except ValueError:
            return None
        return None if http_url_problem(url) else url

    def _add(self, url: str) -> None:
        """A link in the page's markup, captioned by the posts around it."""
        self.found.append((url, self.stack.caption_posts(), "", ""))

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("property") or attrs.get("name") or "").strip().lower()
        content = attrs.get("content") or ""
        if name in VIDEO_META_STARTS:
            self.meta_videos.append(_MetaVideo([]))
        if name in VIDEO_META_WITH_URL and (url := self._absolute(content)):
            if not self.meta_videos:
                self.meta_videos.append(_MetaVideo([]))
            self.meta_videos[-1].urls.append(url)
        elif name in VIDEO_META_TYPES and self.meta_videos:
            self.meta_videos[-1].declared = content.strip().lower()

    def _json_ld_end(self) -> None:
        text = "".join(self.json_ld or ())
        self.json_ld = None
        if len(text) > MAX_JSON_LD_CHARS:
            return
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return  # a page's broken structured data is not the page's videos
        for video in _json_videos(data):
            url = self._absolute(_first_text(video.get("contentUrl")))
            declared = _first_text(video.get("encodingFormat")).lower()
            if url and not _is_stream_manifest(url, declared) and not _is_player_page(url):
                name = _first_text(video.get("name"))
                description = _first_text(video.get("description"))
                caption = "\n".join(part for part in (name, description) if part)
                self.found.append((url, [], "", caption))

    def meta_links(self) -> list[str]:
        """The meta tags' video URLs that are video files: typed video/..., or untyped with a
        video extension (an og:video typed text/html is an embeddable player, not a file)."""
        return [
            url
            for video in self.meta_videos
            for url in video.urls
            if video.declared.startswith("video/") or (not video.declared and is_video_url(url))
        ]

    def _post(self) -> _Post | None:
        return self.stack.post()

    def _in_message(self) -> bool:
        return self.stack.messages > 0

    def _line_break(self) -> None:
        """Text after a <br> or a block element's edge starts a new line, as in a browser
        (only message text reaches a post's parts, so a break outside one costs a blank line
        that _clean drops)."""
        post = self._post()
        if post is not None and post.parts and post.parts[-1] != "\n":
            post.parts.append("\n")

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        classes = _classes(attrs)
        if tag == "base" and (base := self._absolute(attrs.get("href"))):
            self.base_url = base
        if tag == "title" and not self.title_done and not self.stack.inside("svg"):
            # The document's first <title>; an inline SVG icon's titles are not the page's.
            self.in_title = True
        if tag == "br" or tag in BLOCK_TAGS:
            self._line_break()
        if tag == "meta":
            self._meta(attrs)
        if tag == "script" and (attrs.get("type") or "").strip().lower() == "application/ld+json":
            self.json_ld = []
        if tag == "a" and (url := self._absolute(attrs.get("href"))) and is_video_url(url):
            video = self.stack.video()
            # A link inside a <video> that plays is the fallback for browsers without video
            # (WordPress writes one under every player): the same video again.
            if video is None or not video.has_source:
                self._add(url)
                # The whole name: vichan puts it in `download`, 4chan (shortening the text)
                # in `title`.
                named = [(attrs.get(name) or "").strip() for name in ("download", "title")]
                self.anchor = (url, [], named)
        url = None
        if tag in ("video", "source"):
            declared = (attrs.get("type") or "").strip().lower()
            url = self._absolute(attrs.get("src")) or self._absolute(attrs.get("data-src"))
            # A <source> outside any <video> counts when it says it is one.
            video = tag == "video" or self.stack.videos > 0 or declared.startswith("video/")
            open_video = self.stack.video() if tag == "source" else None
            if (
                url
                and (video or is_video_url(url))
                and not _is_stream_manifest(url, declared)
                and declared not in PLAYER_TYPES
                and not _is_player_page(url)
                # One <video> is one video: its `src`, else its first file <source>, as a
                # browser plays; the other <source>s are the same clip in other formats
                # (the WebM + MP4 fallback pair), not more videos.
                and not (open_video is not None and open_video.has_source)
            ):
                self._add(url)
                if open_video is not None:
                    open_video.has_source = True
            else:
                url = None
        if tag in VOID_TAGS:
            return
        is_post = tag in POST_TAGS or bool(classes & POST_CLASSES)
        is_message = (tag in MESSAGE_TAGS and not classes & NOT_MESSAGE_CLASSES) or bool(
            classes & MESSAGE_CLASSES
        )
        element = _Open(tag, _Post([]) if is_post else None, is_message)
        element.has_source = tag == "video" and url is not None
        self.stack.push(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True
        if tag == "script" and self.json_ld is not None:
            self._json_ld_end()
        if tag == "a" and self.anchor is not None:
            url, text, named = self.anchor
            words = " ".join("".join(text).split())
            names = [n for n in (*named, words) if n and is_video_url("http://x/" + n)]
            if names and names[0] == named[0]:
                self.original_names.setdefault(link_key(url), names[0])
            if names:
                self.found.append((url, [], names[0], ""))
            elif caption := next((t for t in (words, named[1]) if _says_something(t)), ""):
                self.found.append((url, [], "", caption))
            self.anchor = None
        if tag in BLOCK_TAGS:
            self._line_break()
        self.stack.close(tag)

    def handle_data(self, data: str) -> None:
        if self.json_ld is not None:
            self.json_ld.append(data)
            return
        if self.in_title:
            self.title_parts.append(data)
        if self.anchor is not None:
            self.anchor[1].append(data)
        if self._in_message():
            post = self._post()
            if post is not None:
                post.parts.append(data)


def _says_something(text: str) -> bool:
    """Link text worth a caption: two words or more with letters in them ("My cat jumping",
    not "Download", "here", "1080p" or "mirror"), and not a generic phrase."""
    words = [word for word in text.split() if any(ch.isalpha() for ch in word)]
    return len(words) >= 2 and text.lower().strip(" .:!>»") not in GENERIC_LINK_TEXTS


def _clean(text: str) -> str:
    text = QUOTE_LINK_RE.sub("", text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


# The page goes to the parser in pieces of FEED_CHUNK characters. The parser keeps a tag or
# comment that is still open back and matches it again from its start with every piece, and
# its start-tag pattern holds some 600 bytes per attribute matched: 5 MB of "<a " (1.6 million
# attributes of one tag) took 1 GB in one piece. One open for more than MAX_PENDING characters
# is measured here instead: a tag long only for its quoted values (a big `data-` attribute) is
# fed whole, and any other (a comment, a declaration, a tag of thousands of attributes) is
# skipped to its end.
FEED_CHUNK = 32 * 1024
MAX_PENDING = 64 * 1024
# A "=" and the quote opening a value, or the ">" ending a tag.
_TAG_PART_RE = re.compile(r"""=\s*(["'])|>""")
_START_TAG_RE = re.compile("<[a-zA-Z]")  # what the parser takes for a start tag


def _tag_extent(html: str, start: int) -> tuple[int, int]:
    """(the index just past the ">" that ends the tag opened at `start`, as a browser reads it:
    not one inside a quoted value; how many of its characters are outside quoted values).
    An unclosed tag or value runs to the end of the page."""
    position, unquoted = start + 1, 0
    while (found := _TAG_PART_RE.search(html, position)) is not None:
        unquoted += found.end() - position
        if unquoted > MAX_PENDING:  # to be dropped: where exactly it ends matters no more
            end = html.find(">", position)
            return (len(html) if end < 0 else end + 1), unquoted
        if found.group(1) is None:
            return found.end(), unquoted
        close = html.find(found.group(1), found.end())
        if close < 0:
            break
        position = close + 1
    return len(html), unquoted + len(html) - position


_COMMENT_END_RE = re.compile("--!?>")


def _markup_end(html: str, start: int, *, complete: bool = True) -> int:
    """Just past the end of the comment or declaration at `start` (`<!`, `<?`), as a browser
    reads it: a comment at "-->" or "--!>" (`<!-->` and `<!--->` are empty ones), anything else
    (`<![CDATA[` in a page's HTML too) at the first ">". Nothing ends it: the end of the page
    (`complete`: the page is all there) or -1 (more may come)."""
    if html.startswith("<!--", start):
        for empty in ("<!-->", "<!--->"):
            if html.startswith(empty, start):
                return start + len(empty)
        found = _COMMENT_END_RE.search(html, start + 4)
        end = found.end() if found else -1
    else:
        end = html.find(">", start + 2)
        end = end + 1 if end >= 0 else -1
    return len(html) if end < 0 and complete else end


def _feed_bounded(parser: HTMLParser, html: str) -> None:
    """Feed the page a piece at a time, bounding what the parser holds open (above)."""
    position = 0
    while position < len(html):
        parser.feed(html[position : position + FEED_CHUNK])
        position = min(position + FEED_CHUNK, len(html))
        pending = parser.rawdata
        if len(pending) <= MAX_PENDING:
            continue
        start = position - len(pending)
        if parser.cdata_elem:
            # Inside a <script> or <style>: all of it is text up to its end tag (a "</x" or
            # "<a" in it is no tag), so it goes to the parser in one piece up to there.
            ending = re.compile(rf"</\s*{re.escape(parser.cdata_elem)}\s*>", re.I)
            # From the held text's start: the end tag may straddle two pieces.
            found = ending.search(html, start)
            stop = max(found.end() if found else len(html), position)
        elif _START_TAG_RE.match(pending):
            stop, unquoted = _tag_extent(html, start)
            if unquoted > MAX_PENDING or stop <= position:
                # Thousands of attributes (or a tag the parser reads past where a browser ends
                # it): dropped, as never written, and the page read on from its end.
                parser.rawdata = ""
                position = stop
                continue
        elif pending.startswith("<"):  # a comment, a declaration: nothing to read in it
            parser.rawdata = ""
            position = _markup_end(html, start)
            continue
        else:
            continue
        parser.feed(html[position:stop])
        position = stop


def extract_video_links(html: str, base_url: str) -> tuple[str, list[VideoLink]]:
    """(page title, video links in page order, deduplicated, URLs absolute). Each link's
    caption is the text of the innermost post around it that has words (its <figure>'s
    caption, its post's message), else its own (link text or title, JSON-LD name and
    description), else the page title."""
    parser = _LinkParser(base_url)
    _feed_bounded(parser, html)
    if parser.rawdata.startswith("<"):
        # The page ends inside a tag or a comment that never closes (`feed` keeps it back,
        # waiting for the rest). A browser drops such a tag and comments out the rest; Python
        # 3.11's `close` instead re-scanned it once per character as text, quadratic: 120 KB of
        # "<a " took 79 s, and a 5 MB page would have taken hours.
        parser.rawdata = ""
    parser.close()
    title = " ".join(_clean("".join(parser.title_parts)).split())
    found = parser.found + [(url, [], "", "") for url in parser.meta_links()]
    # Keyed without the scheme: og:video:url and og:video:secure_url (and pages) often name one
    # video over http and https; it is one link, at the place of the first, over https when
    # either says so, with what each knows.
    links: dict[str, VideoLink] = {}
    own: dict[str, str] = {}
    for url, posts, filename, own_caption in found:
        key = link_key(url)
        link = links.setdefault(key, VideoLink(url=url, caption="", filename=""))
        if url.startswith("https://"):
            link.url = url
        if filename and not link.filename:
            link.filename = filename
        if not link.caption:
            link.caption = next(
                (text for post in posts if (text := _clean("".join(post.parts)))), ""
            )
        if own_caption and key not in own:
            own[key] = _clean(own_caption)
    # An autoindex page (Apache, nginx): its title says where ("Index of /videos/"), each
    # file's name says what.
    listing = title.lower().startswith("index of /")
    for key, link in links.items():
        if listing:  # the link texts are the names again, shortened ("Katze springt..>")
            name = PurePosixPath(file_name_of(link.url)).stem
            link.caption = link.caption or caption_from_file_name(name)
        else:
            link.caption = link.caption or own.get(key, "") or title
        link.filename = parser.original_names.get(key) or link.filename or file_name_of(link.url)
    return title, list(links.values())
