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

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

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
# Elements that delimit one post/entry; the innermost one around a link owns its caption.
POST_TAGS = {"article"}
POST_CLASSES = {"post", "postcontainer", "reply", "op", "entry", "comment", "thread-post"}
# Elements whose text is the message of a post (not buttons, file names, dates).
MESSAGE_TAGS = {"blockquote", "p", "figcaption"}
MESSAGE_CLASSES = {"postmessage", "message", "comment-body", "caption", "subject"}
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


def is_video_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(VIDEO_LINK_EXTENSIONS)


def _classes(attrs: dict[str, str | None]) -> set[str]:
    return {name.lower() for name in (attrs.get("class") or "").split()}


META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _known_codec(name: str | None, *, from_meta: bool = False) -> str | None:
    """The Python codec for a declared charset, as browsers read labels: Latin-1 and ASCII
    labels mean windows-1252, a UTF-16/32 label inside the page's own bytes means UTF-8; None
    for unknown names and for codecs that are not text encodings (base64, zlib, rot13)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip())
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    if info.name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if from_meta and info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return info.name


def decode_page(body: bytes, header_charset: str | None) -> str:
    """A page's text, decoded as a browser would: a byte order mark first, then the charset of
    the Content-Type header, then a `<meta charset>` (or `http-equiv` Content-Type) in the
    first 4 KB, else UTF-8; bytes that do not decode become U+FFFD, never an error."""
    for bom, name in BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    declared = _known_codec(header_charset)
    if declared is None and (match := META_CHARSET_RE.search(body[:4096])):
        declared = _known_codec(match.group(1).decode("ascii"), from_meta=True)
    return body.decode(declared or "utf-8", errors="replace")


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


class _LinkParser(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.stack = _OpenElements()
        self.title_parts: list[str] = []
        self.in_title = False
        # (url, its post, its file name, its own caption) in page order
        self.found: list[tuple[str, _Post | None, str, str]] = []
        self.anchor: tuple[str, list[str]] | None = None
        self.meta_videos: list[_MetaVideo] = []
        self.json_ld: list[str] | None = None

    def _absolute(self, value: str | None) -> str | None:
        """An http(s) URL from an attribute value, resolved against the page; else None."""
        if not value or not value.strip():
            return None
        url = urljoin(self.base_url, value.strip())
        return url if urlsplit(url).scheme in ("http", "https") else None

    def _add(self, url: str) -> None:
        """A link in the page's markup, captioned by the post around it."""
        self.found.append((url, self._post(), "", ""))

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
            url = self._absolute(_text(video.get("contentUrl")))
            declared = _text(video.get("encodingFormat")).lower()
            if url and not _is_stream_manifest(url, declared):
                name, description = _text(video.get("name")), _text(video.get("description"))
                caption = "\n".join(part for part in (name, description) if part)
                self.found.append((url, None, "", caption))

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

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        classes = _classes(attrs)
        if tag == "base" and attrs.get("href"):
            self.base_url = urljoin(self.base_url, attrs["href"])
        if tag == "title":
            self.in_title = True
        if tag == "br" and self._in_message():
            post = self._post()
            if post is not None:
                post.parts.append("\n")
        if tag == "meta":
            self._meta(attrs)
        if tag == "script" and (attrs.get("type") or "").strip().lower() == "application/ld+json":
            self.json_ld = []
        if tag == "a" and (url := self._absolute(attrs.get("href"))) and is_video_url(url):
            self._add(url)
            self.anchor = (url, [])
        if tag in ("video", "source"):
            declared = (attrs.get("type") or "").strip().lower()
            url = self._absolute(attrs.get("src")) or self._absolute(attrs.get("data-src"))
            # A <source> outside any <video> counts when it says it is one.
            video = tag == "video" or self.stack.videos > 0 or declared.startswith("video/")
            if url and (video or is_video_url(url)) and not _is_stream_manifest(url, declared):
                self._add(url)
        if tag in VOID_TAGS:
            return
        is_post = tag in POST_TAGS or bool(classes & POST_CLASSES)
        is_message = tag in MESSAGE_TAGS or bool(classes & MESSAGE_CLASSES)
        self.stack.push(_Open(tag, _Post([]) if is_post else None, is_message))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "script" and self.json_ld is not None:
            self._json_ld_end()
        if tag == "a" and self.anchor is not None:
            url, text = self.anchor
            name = "".join(text).strip()
            if name and is_video_url("http://x/" + name):
                self.found.append((url, None, name, ""))
            self.anchor = None
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


def _clean(text: str) -> str:
    text = QUOTE_LINK_RE.sub("", text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def extract_video_links(html: str, base_url: str) -> tuple[str, list[VideoLink]]:
    """(page title, video links in page order, deduplicated, URLs absolute). Each link's
    caption is its post's text, else the page title."""
    parser = _LinkParser(base_url)
    parser.feed(html)
    parser.close()
    title = _clean("".join(parser.title_parts))
    found = parser.found + [(url, None, "", "") for url in parser.meta_links()]
    links: dict[str, VideoLink] = {}
    for url, post, filename, own_caption in found:
        link = links.setdefault(url, VideoLink(url=url, caption="", filename=""))
        if filename and not link.filename:
            link.filename = filename
        if post is not None and not link.caption:
            link.caption = _clean("".join(post.parts))
        if own_caption and not link.caption:
            link.caption = _clean(own_caption)
    for url in list(links):
        # og:video:url and og:video:secure_url often name one video over http and https.
        if url.startswith("http://") and "https://" + url[len("http://") :] in links:
            del links[url]
    for link in links.values():
        link.caption = link.caption or title
        link.filename = link.filename or urlsplit(link.url).path.rsplit("/", 1)[-1]
    return title, list(links.values())
