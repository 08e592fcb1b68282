"""Find video links on a web page (anchors, <video src>, <source src>) with the text of the post
they belong to - imageboard threads put the best caption right next to the file link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

VIDEO_LINK_EXTENSIONS = (".webm", ".mp4", ".mov")
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
class _Open:
    tag: str
    post: _Post | None
    message: bool


def is_video_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(VIDEO_LINK_EXTENSIONS)


def _classes(attrs: dict[str, str | None]) -> set[str]:
    return {name.lower() for name in (attrs.get("class") or "").split()}


class _LinkParser(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.stack: list[_Open] = []
        self.title_parts: list[str] = []
        self.in_title = False
        self.found: list[tuple[str, _Post | None, str]] = []
        self.anchor: tuple[str, list[str]] | None = None

    def _post(self) -> _Post | None:
        for element in reversed(self.stack):
            if element.post is not None:
                return element.post
        return None

    def _in_message(self) -> bool:
        return any(element.message for element in self.stack)

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
        url_attr = "href" if tag == "a" else "src" if tag in ("video", "source") else None
        if url_attr and attrs.get(url_attr):
            url = urljoin(self.base_url, attrs[url_attr].strip())
            if urlsplit(url).scheme in ("http", "https") and is_video_url(url):
                self.found.append((url, self._post(), ""))
                if tag == "a":
                    self.anchor = (url, [])
        if tag in VOID_TAGS:
            return
        is_post = tag in POST_TAGS or bool(classes & POST_CLASSES)
        is_message = tag in MESSAGE_TAGS or bool(classes & MESSAGE_CLASSES)
        self.stack.append(_Open(tag, _Post([]) if is_post else None, is_message))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "a" and self.anchor is not None:
            url, text = self.anchor
            name = "".join(text).strip()
            if name and is_video_url("http://x/" + name):
                self.found.append((url, None, name))
            self.anchor = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
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
    links: dict[str, VideoLink] = {}
    for url, post, filename in parser.found:
        link = links.setdefault(url, VideoLink(url=url, caption="", filename=""))
        if filename and not link.filename:
            link.filename = filename
        if post is not None and not link.caption:
            link.caption = _clean("".join(post.parts))
    for link in links.values():
        link.caption = link.caption or title
        link.filename = link.filename or urlsplit(link.url).path.rsplit("/", 1)[-1]
    return title, list(links.values())
