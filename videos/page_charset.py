"""A fetched web page's bytes as text, decoded as a browser would (byte order mark, the header's
charset, `<meta charset>`, XML declaration, the WHATWG's wider codecs), for the link finder
(`videos.html_links`) on pages `videos.services.download` fetches."""

from __future__ import annotations

import codecs
import re

META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Labels browsers read as a wider encoding than their name (the WHATWG Encoding Standard):
# pages labelled Shift_JIS, GB2312, EUC-KR or ISO-8859-9 are written with the Windows
# supersets, whose extra characters (①, 髙, curly quotes) the narrow codecs cannot decode.
WIDER_CODECS = {
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
}
# Labels Python does not know by the name pages use.
CHARSET_ALIASES = {"ks_c_5601-1987": "euc_kr", "x-sjis": "shift_jis", "windows-31j": "cp932"}
# Python codecs no browser takes as a page's charset: `undefined` fails on every byte, `idna`
# and `punycode` cannot replace what they cannot decode (each failed the page), the escape
# codecs read backslashes as escapes, UTF-7 is refused by the WHATWG standard.
NOT_PAGE_CODECS = frozenset(
    {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7", "charmap"}
)
XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def _known_codec(name: str | None, *, from_meta: bool = False) -> str | None:
    """The Python codec for a declared charset, as browsers read labels (WIDER_CODECS; a
    UTF-16/32 label inside the page's own bytes means UTF-8); None for unknown names, for
    codecs that are not text encodings (base64, zlib, rot13) and for NOT_PAGE_CODECS."""
    if not name:
        return None
    label = name.strip().lower()
    try:
        info = codecs.lookup(CHARSET_ALIASES.get(label, label))
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in NOT_PAGE_CODECS:
        return None
    if from_meta and info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return WIDER_CODECS.get(info.name, info.name)


def decode_page(body: bytes, header_charset: str | None) -> str:
    """A page's text, decoded as a browser would: a byte order mark first, then the charset of
    the Content-Type header, then a `<meta charset>` (or `http-equiv` Content-Type) in the
    first 4 KB or an XHTML page's `<?xml encoding=...?>`, else UTF-8; bytes that do not
    decode become U+FFFD, never an error."""
    for bom, name in BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    declared = _known_codec(header_charset)
    if declared is None and (match := META_CHARSET_RE.search(body[:4096])):
        declared = _known_codec(match.group(1).decode("ascii"), from_meta=True)
    if declared is None and (match := XML_ENCODING_RE.match(body[:1024])):
        declared = _known_codec(match.group(1).decode("ascii"), from_meta=True)
    return body.decode(declared or "utf-8", errors="replace")
