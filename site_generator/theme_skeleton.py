"""The theme's page, rendered once for each shape of page and filled in for each page of it.

A record's page and the other pages outside the navigation differ, once the theme has rendered
them, only by a few values: the title, the description, the canonical address, the table of
contents, the head's tags and the content. Rendering Material's templates for each of them was
most of the theme's work at 10,000 records. So the first page of each shape (its template, its
folder, the theme's switches in its metadata, the navigation's current tab) is rendered with a
marker in place of each value (the skeleton), and every page of that shape is the skeleton with
its own values put in the markers' places: the content as it is (it is HTML already), the table
of contents and the head's tags rendered by their own templates, which the theme includes.

How a value is put in is found with the skeleton: the same shape is rendered a second time with
long values holding every character HTML escapes (``&<>"'``) and runs of white space. When that
page is the skeleton with those values escaped, every page's values are put in escaped, as the
theme's autoescaping templates print them; otherwise (a filter that changes a value, such as
``striptags`` or ``truncate``) the shape's pages render in full. So does a page with a value
holding a marker's character. And the first pages of each shape are rendered both ways and
compared: a shape whose skeleton does not give the page the theme gives is rendered in full.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup, escape
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

TOC_TEMPLATE = "partials/toc.html"
HEAD_TEMPLATE = "partials/omh-head.html"
CHECKED_PAGES = 2
"""Pages of each shape rendered both ways and compared, in each process."""

_MARK = "\ue000omh-{}\ue000"
TITLE, DESCRIPTION, CANONICAL, CONTENT, SKIP = (
    _MARK.format(n) for n in ("title", "description", "canonical", "content", "skip"))
_TOC, _HEAD = _MARK.format("toc"), _MARK.format("head")
CONTENT_H1 = _MARK.format("content<h1")
"""The content's marker for a page whose content has a first-level heading: Material's
template adds one (the page's title) to a page without."""
_SLOTS = (TITLE, DESCRIPTION, CANONICAL, CONTENT, CONTENT_H1, SKIP, _TOC, _HEAD)
_ESCAPED = (TITLE, DESCRIPTION, CANONICAL, SKIP)
"""The values the theme prints as text (the others are HTML: the content, the regions)."""
_PROBE = " &<>\"'  \n\t" + "x" * 400
"""Added to each value's marker in the second rendering of a shape (see the module's text):
long, so that a filter that shortens a value shows too."""
_log = logging.getLogger(__name__)


class Skeleton:
    """A page of one shape, as literal text between the places of its values."""

    def __init__(self, parts: list[str], slots: list[str]) -> None:
        self.parts = parts
        self.slots = slots

    def values(self, page: Page) -> dict[str, str] | None:
        """The page's values as this skeleton puts them in; ``None`` when the page must be
        rendered in full."""
        text = {TITLE: page.meta.get("title"), DESCRIPTION: page.meta.get("description", "-"),
                CANONICAL: page.canonical_url or "-", SKIP: next(iter(page.toc)).id}
        if not all(isinstance(v, str) and v and "\ue000" not in v for v in text.values()):
            return None
        values = {slot: str(escape(value)) for slot, value in text.items()}
        values[CONTENT] = values[CONTENT_H1] = str(page.content)
        return values

    def fill(self, values: dict[str, str]) -> str:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            out.append(values[slot])
            out.append(part)
        return "".join(out)


def _split(text: str) -> Skeleton | None:
    """``text`` cut at each marker; ``None`` when a marker came out changed (a filter the
    skeleton cannot repeat)."""
    parts, slots = [text], []
    while True:
        tail = parts[-1]
        found = [(tail.find(slot), slot) for slot in _SLOTS if slot in tail]
        if not found:
            break
        at, slot = min(found)
        parts[-1:] = [tail[:at], tail[at + len(slot):]]
        slots.append(slot)
    if any("\ue000" in part for part in parts):
        return None
    return Skeleton(parts, slots)


FEWEST_PAGES = 48
"""Fewer pages than this (a small rebuild's) are rendered in full: a shape's skeleton costs
three renders of it (the markers, the probe, the pages compared) before it saves one."""


class Skeletons:
    """The skeletons of one process's pages, by shape (``render``); none for fewer than
    ``FEWEST_PAGES`` pages."""

    def __init__(self, env: Environment, pages: int = FEWEST_PAGES) -> None:
        self.env = env
        self.used = pages >= FEWEST_PAGES
        self._made: dict[Hashable, Skeleton | None] = {}
        self._checked: dict[Hashable, int] = {}
        self._tocs: dict[Hashable, str] = {}
        self._toc = env.from_string(
            '{% import "partials/language.html" as lang with context %}'
            '{% include "' + TOC_TEMPLATE + '" %}')

    def render(self, template: Template, context: dict[str, Any]) -> str:
        """What ``template.render(context)`` gives, from the page's skeleton when it can."""
        page = context.get("page")
        if not self.used or not isinstance(page, Page):
            return template.render(context)
        shape = _shape(template, context)
        if shape is None:
            return template.render(context)
        if shape not in self._made:
            self._made[shape] = self._make(template, context)
        skeleton = self._made[shape]
        values = skeleton.values(page) if skeleton is not None else None
        if skeleton is None or values is None:
            return template.render(context)
        values[_TOC] = self._toc_of(shape, context)
        values[_HEAD] = self._head(context)
        output = skeleton.fill(values)
        checked = self._checked.get(shape, 0)
        if checked < CHECKED_PAGES:
            self._checked[shape] = checked + 1
            full = template.render(context)
            if full != output:
                _log.debug("theme_skeleton: %s renders differently from its skeleton",
                           page.file.src_uri)
                self._made[shape] = None
                return full
        return output

    def _toc_of(self, shape: Hashable, context: dict[str, Any]) -> str:
        """The page's table of contents: the same for every page of a shape with the same
        entries."""
        key = (shape, tuple((item.id, item.title, item.level) for item in context["page"].toc))
        found = self._tocs.get(key)
        if found is None:
            found = self._tocs[key] = self._toc.render(context)
        return found

    def _head(self, context: dict[str, Any]) -> str:
        return self.env.get_template(HEAD_TEMPLATE).render(context)

    def _make(self, template: Template, context: dict[str, Any]) -> Skeleton | None:
        """The skeleton of the page's shape, rendered with markers for the page's values;
        ``None`` when the theme prints a value otherwise than escaped."""
        text, toc, head = self._stand_in(template, context, "")
        for region, slot in ((toc, _TOC), (head, _HEAD)):
            if not region or text.count(region) != 1:
                return None
            text = text.replace(region, slot)
        skeleton = _split(text)
        if skeleton is None:
            return None
        probed, toc, head = self._stand_in(template, context, _PROBE)
        values = {slot: str(escape(slot + _PROBE)) for slot in _ESCAPED}
        if skeleton.fill({**values, CONTENT: CONTENT, CONTENT_H1: CONTENT_H1, _TOC: toc,
                          _HEAD: head}) != probed:
            return None
        return skeleton

    def _stand_in(self, template: Template, context: dict[str, Any],
                  probe: str) -> tuple[str, str, str]:
        """The page, its table of contents and its head's tags, rendered with the markers (each
        followed by ``probe``) in place of its values."""
        page: Page = context["page"]
        kept = page.meta, page.content, page.toc, page.canonical_url
        try:
            page.meta = {**page.meta, "title": TITLE + probe, "omh_head": [
                {"element": "meta", "attributes": {"name": _HEAD}}]}
            if "description" in page.meta:
                page.meta["description"] = DESCRIPTION + probe
            page.content = Markup(CONTENT_H1 if _has_h1(page.content) else CONTENT)
            page.toc = get_toc([{"level": 2, "id": SKIP + probe, "name": TITLE + probe,
                                 "children": []}])
            page.canonical_url = CANONICAL + probe if page.canonical_url is not None else None
            return template.render(context), self._toc.render(context), self._head(context)
        finally:
            page.meta, page.content, page.toc, page.canonical_url = kept


def _shape(template: Template, context: dict[str, Any]) -> Hashable | None:
    """What, besides its values, the theme renders a page from: ``None`` for a page that is
    rendered in full (the home page, a page in the navigation)."""
    page: Page = context["page"]
    nav = context.get("nav")
    if page.is_homepage or page.parent is not None or page.previous_page is not None or \
            page.next_page is not None or page.edit_url is not None or \
            next(iter(page.toc), None) is None or next(iter(page.toc)).level != 2 or \
            nav is None or any(p is page for p in nav.pages):
        return None
    meta = {k: v for k, v in page.meta.items() if k not in ("title", "description", "omh_head")}
    folder = page.url.rstrip("/").rpartition("/")[0]
    current = tuple(item.url for item in nav.items if getattr(item, "active", False))
    return (template.name, folder, repr(sorted(meta.items())), "description" in page.meta,
            page.canonical_url is None, current, _has_h1(page.content))


def _has_h1(content: str | None) -> bool:
    return "<h1" in (content or "")


class _SkeletonTemplate:
    def __init__(self, template: Template, skeletons: Skeletons) -> None:
        self.template = template
        self.skeletons = skeletons

    def render(self, context: dict[str, Any]) -> str:
        return self.skeletons.render(self.template, context)


class SkeletonEnvironment:
    """The environment MkDocs renders a page outside the navigation with: its templates render
    through ``skeletons``."""

    def __init__(self, skeletons: Skeletons) -> None:
        self.skeletons = skeletons

    def get_template(self, name: str) -> _SkeletonTemplate:
        return _SkeletonTemplate(self.skeletons.env.get_template(name), self.skeletons)
