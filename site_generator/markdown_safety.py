"""Untrusted text to safe HTML: model and dataset cards (Markdown) and the URLs in them.

A card is written by a contributor, so everything in it is untrusted. It is rendered with
Python-Markdown and the result is cleaned by nh3 (the Rust ``ammonia`` sanitiser) with an allow
list: scripts, styles, event handlers, forms, iframes, objects, SVG and MathML are removed;
headings, paragraphs, lists, tables, code, quotes, links and images are kept.

Every URL a card holds goes through ``card_url``:

* ``http(s)://`` and ``mailto:`` links are kept (with ``rel="noopener noreferrer nofollow"``);
  any other scheme (``javascript:``, ``data:``, ``vbscript:``, ...) is dropped;
* an image must be a file inside the record's own folder: remote images would make the page
  load something from another host, so they are dropped;
* a relative path must stay inside the record's folder: absolute paths, ``..``, backslashes,
  protocol-relative ``//host`` URLs and symlinks that leave the folder are dropped, and so is a
  path to a file that does not exist (no dead links). A file that passes is published beside
  the page, if its type is on the allow-list of ``downloads.is_publishable`` (data a browser
  shows or saves), so a card cannot smuggle a script in as an attachment;
* ``#fragment`` links follow the card's headings, whose ids get a ``card-`` prefix so that a
  card can never reuse an id of the page around it.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from catalogue.load.artefacts import local_file
from catalogue.model.card import Card
from catalogue.model.card_markdown import MARKDOWN_EXTENSIONS
from catalogue.model.kinds import CARD_FILE
from catalogue.model.pointers import ArtefactError, check_relative_path
from site_generator.downloads import is_publishable

CARD_ID_PREFIX = "card-"
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
CARD_HEADING_SHIFT = 2
"""A card's ``#`` becomes ``<h3>``: the page has its own ``<h1>`` and ``<h2>`` sections."""

ALLOWED_TAGS = frozenset({
    "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "b",
    "i", "u", "s", "del", "ins", "sub", "sup", "kbd", "samp", "var", "mark", "small", "abbr",
    "q", "cite", "a", "img", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "details", "summary", "figure",
    "figcaption", "span", "div",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "col": {"span"},
    "ol": {"start", "type"},
    "abbr": {"title"},
    "code": {"class"},
    "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}
CLEAN_CONTENT_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object",
                                "embed", "svg", "math", "textarea", "select", "title"})
LINK_REL = "noopener noreferrer nofollow"
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,40}$")
_DIMENSION = re.compile(r"^\d{1,4}%?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CardFile(NamedTuple):
    """A file in a record's folder that a card refers to, to publish beside the page."""

    path: str
    """Normalised path inside the folder (also the URL path relative to the page)."""
    source: Path


class RenderedCard(NamedTuple):
    html: str
    files: tuple[CardFile, ...]


def _clean_url(raw: str) -> str | None:
    """The URL as a browser reads it (tabs and newlines removed, outer whitespace stripped),
    or None when it still holds control characters."""
    url = raw.replace("\t", "").replace("\n", "").replace("\r", "").strip(" \x00\x0b\x0c")
    return None if _CONTROL.search(url) else url


def card_url(raw: str, folder: Path, *, image: bool) -> tuple[str | None, CardFile | None]:
    """The URL to write into the page for ``raw`` found in a card, and the record file it needs
    published; ``(None, None)`` when the URL is dropped."""
    url = _clean_url(raw)
    if not url:
        return None, None
    if url.startswith("#"):
        if image:
            return None, None
        fragment = url[1:]
        return ("#" + (fragment if fragment.startswith(CARD_ID_PREFIX)
                       else CARD_ID_PREFIX + fragment)), None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None, None
    if parts.scheme:
        if image or parts.scheme.lower() not in LINK_SCHEMES:
            return None, None
        return url, None
    if parts.netloc or url.startswith(("/", "\\")) or "\\" in url:
        return None, None
    return _folder_file(unquote(parts.path), folder, image)


def _folder_file(path: str, folder: Path, image: bool) -> tuple[str | None, CardFile | None]:
    try:
        name = check_relative_path(path)
        source = local_file(folder, name)
    except ArtefactError:
        return None, None
    if not is_publishable(name):
        return None, None
    if image and PurePosixPath(name).suffix.lower() not in IMAGE_SUFFIXES:
        return None, None
    return quote(name, safe="/"), CardFile(name, source)


class _HeadingShift(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(6, int(element.tag[1]) + CARD_HEADING_SHIFT)}"


@functools.cache
def _markdown() -> markdown.Markdown:
    """One converter, reset before each card (building one per card is most of the cost)."""
    md = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, "toc"],
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )
    # Before ``toc`` (priority 5) so that ids are given to the shifted headings.
    md.treeprocessors.register(_HeadingShift(md), "omh-heading-shift", 30)
    return md


class _AttributeFilter:
    """nh3's callback: every URL goes through ``card_url``; other values are checked too."""

    def __init__(self, folder: Path, allow_files: bool, exclude: frozenset[str]) -> None:
        self.folder = folder
        self.allow_files = allow_files
        self.exclude = exclude
        self.files: dict[str, CardFile] = {}

    def __call__(self, tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            url, file = card_url(value, self.folder, image=(tag == "img"))
            if file is not None:
                if not self.allow_files or file.path in self.exclude:
                    return None
                self.files[file.path] = file
            return url
        if attribute == "class":
            kept = [c for c in value.split() if _CODE_CLASS.match(c)]
            return " ".join(kept) or None
        if attribute in ("width", "height"):
            return value if _DIMENSION.match(value.strip()) else None
        if attribute == "id":
            return value if re.fullmatch(rf"{CARD_ID_PREFIX}[A-Za-z0-9_-]{{1,100}}", value) \
                else None
        return value


def sanitize(html: str, folder: Path, *, allow_files: bool = True,
             exclude: Iterable[str] = ()) -> RenderedCard:
    """Clean HTML that came from a contributor; URLs are resolved against ``folder``. Without
    ``allow_files`` (a deleted record), or for a file in ``exclude``, links to the folder's
    files are dropped too."""
    attribute_filter = _AttributeFilter(folder, allow_files, frozenset(exclude))
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        id_prefix=CARD_ID_PREFIX,
    )
    files = tuple(attribute_filter.files[k] for k in sorted(attribute_filter.files))
    return RenderedCard(cleaned, files)


def render_card(text: str, folder: Path, *, allow_files: bool = True,
                exclude: Iterable[str] = ()) -> RenderedCard:
    """A card's Markdown (its body, ``Card.body``: the front matter is metadata, not shown) as
    sanitised HTML, with the files of ``folder`` it links to."""
    md = _markdown()
    md.reset()
    return sanitize(md.convert(text), folder, allow_files=allow_files, exclude=exclude)


MAX_CARD_BYTES = 512 * 1024
"""A longer card is not rendered (pages stay small); the page says so."""


class CardText(NamedTuple):
    text: str | None
    problem: str | None


def card_body(card: Card | None) -> CardText:
    """The Markdown of a record's card to render; ``(None, None)`` when there is no card,
    ``(None, why)`` when it cannot be shown."""
    if card is None:
        return CardText(None, None)
    if card.read_problem is not None:
        return CardText(None, card.read_problem)
    if card.size_bytes > MAX_CARD_BYTES:
        return CardText(None, f"{CARD_FILE} is larger than {MAX_CARD_BYTES // 1024} KiB")
    return CardText(card.body, None)
