"""The prose of a card: its paragraphs, list items and table cells as plain text, as the site's
Python-Markdown parses them, without HTML comments, code blocks or template filler.

A card made from Hugging Face's templates is full of text that says nothing: HTML comments
with the template's instructions, ``[More Information Needed]``, bullets such as
``**Developed by:** [More Information Needed]``, the template's stock sentences ("Use the code
below to get started with the model."). That text is *filler*: a section holding only filler is
empty, and an importer never takes it for a description. The stock sentences are read from
huggingface_hub's own card templates, so they follow the library.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import markdown

from catalogue.model.card_markdown import MARKDOWN_EXTENSIONS, CardSection
from catalogue.model.card_templates import template_files

NO_INFORMATION = re.compile(
    r"^\W*(\[?\s*more information needed\s*\]?|\[?\s*needs more information\s*\]?|"
    r"more information needed for further recommendations|todo|tbd|tba|n/?a|none|"
    r"coming soon|to be added|to be completed|\.\.\.)\W*$", re.IGNORECASE)
LABELLED = re.compile(r"^([^:]{1,80}):\s*(.*)$", re.DOTALL)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_STASH = re.compile("\x02wzxhzdk:(\\d+)\x03")
_COMMENT = re.compile(r"^\s*<!--.*?-->\s*$", re.DOTALL)
_TEXT_TAGS = frozenset({"p", "li", "td", "th", "dd", "dt"})
_CONTAINERS = frozenset({"ul", "ol", "blockquote", "table", "thead", "tbody", "tr", "dl", "div"})


class Block(NamedTuple):
    tag: str
    """``p``, ``li``, ``td``..., ``h1``-``h6``, ``code`` (a code block) or ``html``."""
    text: str


def _normal(text: str) -> str:
    text = re.sub(r"[*_`#>]|\[|\]\([^)]*\)|\]", " ", text.lower())
    return " ".join(text.split()).strip(" .:")


@functools.cache
def template_sentences() -> frozenset[str]:
    """The stock text of huggingface_hub's model and dataset card templates: the defaults their
    placeholders fall back to, and the sentences written around them."""
    found: set[str] = set()
    for resource in template_files():
        text = re.sub(r"<!--.*?-->", "", resource.read_text(encoding="utf-8"), flags=re.DOTALL)
        for default in re.findall(r'default\("((?:[^"\\]|\\.)*)"', text):
            found.add(_normal(default))
        for line in text.splitlines():
            line = JINJA.sub("", line).strip()
            if line and not line.startswith(("#", "---", "|", "<", "-")) and \
                    len(line.split()) >= 4:
                found.add(_normal(line))
    return frozenset(s for s in found if s)


def is_filler(text: str) -> bool:
    """Whether a paragraph or list item says nothing: empty, a "more information needed", a
    template's stock sentence or placeholder, or a label whose value is one of those."""
    stripped = JINJA.sub(" ", text).strip()
    if not stripped or NO_INFORMATION.match(stripped):
        return True
    if _normal(stripped) in template_sentences():
        return True
    labelled = LABELLED.match(stripped)
    if labelled and "\n" not in labelled.group(1):
        value = labelled.group(2).strip()
        return not value or bool(NO_INFORMATION.match(value)) or \
            _normal(value) in template_sentences()
    return False


@functools.cache
def _converter() -> markdown.Markdown:
    """One converter, reset before each use (building one per section is most of the cost)."""
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))


def blocks(text: str) -> list[Block]:
    """The blocks of Markdown ``text`` in order, with their plain text. HTML comments are left
    out; a fenced or indented code block is a ``code`` block, other raw HTML an ``html`` one."""
    return list(_blocks(text))


@functools.lru_cache(maxsize=4096)
def _blocks(text: str) -> tuple[Block, ...]:
    """``blocks``, kept for the last few thousand texts: the checks, the quality score and the
    site each ask about the same card sections."""
    md = _converter().reset()
    lines = text.split("\n")
    for processor in md.preprocessors:
        lines = processor.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    if root is None:
        return ()
    md.treeprocessors["inline"].run(root)
    stash = md.htmlStash.rawHtmlBlocks
    return tuple(_walk(root, stash))


def _raw(text: str, stash: Sequence[object]) -> Iterator[Block]:
    """What a paragraph made only of stashed HTML or code is."""
    for index in _STASH.findall(text):
        raw = str(stash[int(index)]) if int(index) < len(stash) else ""
        if _COMMENT.match(raw):
            continue
        yield Block("code" if raw.lstrip().startswith(("<pre", "<code")) else "html", raw)


def _plain(element: ET.Element, stash: Sequence[object]) -> str:
    parts: list[str] = []

    def visit(node: ET.Element) -> None:
        if node.tag in ("ul", "ol"):
            return  # a nested list is its own items
        if node.text:
            parts.append(node.text)
        for child in node:
            visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(element)
    text = "".join(parts)
    text = _STASH.sub(lambda m: _inline_html(m, stash), text)
    return " ".join(text.split())


def _inline_html(match: re.Match[str], stash: Sequence[object]) -> str:
    index = int(match.group(1))
    raw = str(stash[index]) if index < len(stash) else ""
    return "" if raw.startswith("<") else raw


def _walk(node: ET.Element, stash: Sequence[object]) -> Iterator[Block]:
    for child in node:
        tag = child.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            yield Block(tag, _plain(child, stash))
        elif tag == "pre":
            yield Block("code", "".join(child.itertext()))
        elif tag in _TEXT_TAGS:
            own = _plain(child, stash)
            if own and _STASH.sub("", own).strip():
                yield Block(tag, own)
            else:
                yield from _raw("".join(child.itertext()), stash)
            if any(c.tag in _CONTAINERS or c.tag == "p" for c in child):
                yield from _walk(child, stash) if tag == "li" else iter(())
        elif tag in _CONTAINERS:
            yield from _walk(child, stash)
        elif tag == "hr":
            continue
        else:
            yield Block("html", ET.tostring(child, encoding="unicode"))


def prose(text: str) -> list[str]:
    """The real text of ``text``: its paragraphs, list items and cells that are not filler."""
    return [b.text for b in blocks(text) if b.tag in _TEXT_TAGS and not is_filler(b.text)]


def has_content(text: str) -> bool:
    """Whether Markdown ``text`` says something: real prose, a code block or other markup (an
    image, a table of figures); comments and filler alone do not count."""
    return any(b.tag in ("code", "html") or (b.tag in _TEXT_TAGS and not is_filler(b.text))
               for b in blocks(text))


def section_markdown(sections: Sequence[CardSection], index: int) -> str:
    """The Markdown under heading ``index`` with its subsections' text (their headings left
    out, so that a heading alone is never content)."""
    level = sections[index].heading.level
    texts = ["\n".join(text for _, text in sections[index].lines)]
    for later in sections[index + 1:]:
        if later.heading.level <= level:
            break
        texts.append("\n".join(text for _, text in later.lines))
    return "\n\n".join(texts)


def sections_with_content(sections: Sequence[CardSection]) -> tuple[bool, ...]:
    """For each section, whether its text or a subsection's says something (``has_content``).
    Each section's own text is parsed once, on its own: the heading between two sections ends
    every block of the first, so no block runs from one section's text into the next."""
    own = [has_content("\n".join(text for _, text in section.lines)) for section in sections]
    found = list(own)
    for index, section in enumerate(sections):
        later = index + 1
        while not found[index] and later < len(sections) and \
                sections[later].heading.level > section.heading.level:
            found[index] = own[later]
            later += 1
    return tuple(found)
