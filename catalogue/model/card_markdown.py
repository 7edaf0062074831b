"""The headings of a card's Markdown as the site's Python-Markdown renders them, with their lines.

The site turns a card into HTML with Python-Markdown; a check that looks for a card's sections
must see the same headings, and say on which line each is. Python-Markdown keeps no line numbers,
so its block-level pass is retraced here line by line, with its own patterns (the regular
expressions and tests of the processors of a converter configured like the site's):

* fenced code, HTML comments and raw HTML blocks (``<div>``, ``<details>``) are content, never
  headings;
* an ATX heading (``# Title``, no space needed) counts on any line of a block; a setext heading
  (``Title`` over a line of ``=`` or ``-``) only on the first two lines of one;
* block quotes, list items and the indented blocks under a list are read again inside, as
  Python-Markdown does.

The tests compare the result with Python-Markdown's own parse.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import markdown
from markdown.blockprocessors import (
    BlockQuoteProcessor,
    HashHeaderProcessor,
    HRProcessor,
    OListProcessor,
    ReferenceProcessor,
    SetextHeaderProcessor,
)
from markdown.extensions.fenced_code import FencedBlockPreprocessor

MARKDOWN_EXTENSIONS = ("tables", "fenced_code", "sane_lists")
"""The extensions cards are rendered with (the site adds ``toc`` for heading ids)."""

TAB = 4
_INDENT = " " * TAB
_LISTS = frozenset({"ul", "ol"})
_STASHED = "\x02"
"""A line standing for a fenced block or raw HTML, as Python-Markdown's placeholder does."""
_COMMENT_START = re.compile(r"^ {0,3}<!--")
_COMMENT_END = re.compile(r"--!?>")
_TAG_START = re.compile(r"^ {0,3}<([A-Za-z][A-Za-z0-9-]*)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Heading(NamedTuple):
    level: int
    text: str
    """The heading's Markdown source, as Python-Markdown takes it (``**Uses**``)."""
    line: int
    underline: bool = False
    """A setext heading: the next line is its ``===`` or ``---``."""


Line = tuple[int, str]


class CardSection(NamedTuple):
    heading: Heading
    """The section's heading; the text before the first heading has level 0 and no text."""
    lines: tuple[Line, ...]
    """(line, text) of the lines under the heading, up to the next heading of any level."""


class CodeBlock(NamedTuple):
    """A fenced code block: the lines of its opening and closing fences."""

    first_line: int
    last_line: int


class MarkdownOutline(NamedTuple):
    headings: tuple[Heading, ...]
    code_blocks: tuple[CodeBlock, ...]



def split_lines(text: str) -> list[str]:
    """Lines as Markdown and YAML count them (``\\r\\n``, ``\\r`` and ``\\n`` end a line)."""
    return _LINE_BREAK.split(text)


class _Patterns(NamedTuple):
    md: markdown.Markdown
    olist: OListProcessor
    ulist: OListProcessor


@functools.cache
def _patterns() -> _Patterns:
    md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    processors = md.parser.blockprocessors
    olist, ulist = processors["olist"], processors["ulist"]
    assert isinstance(olist, OListProcessor) and isinstance(ulist, OListProcessor)
    return _Patterns(md, olist, ulist)


def outline(body: str, first_line: int = 1) -> MarkdownOutline:
    """The headings and fenced code blocks of ``body``, whose first line is ``first_line``."""
    lines = _normalise(body)
    stashed = _stashed(lines)
    walker = _Walker()
    walker.parse(_Node("root"), deque(_blocks(lines, stashed, first_line)))
    fences = (CodeBlock(a + first_line, b + first_line) for a, b in stashed.fences)
    return MarkdownOutline(tuple(walker.headings), tuple(fences))


def _normalise(body: str) -> list[str]:
    """Python-Markdown's ``NormalizeWhitespace``, keeping one entry per source line."""
    lines = split_lines(body.replace("\x02", "").replace("\x03", ""))
    lines = [line.expandtabs(TAB) for line in lines]
    return [lines[0], *("" if not line.strip(" ") else line for line in lines[1:])]


def _offsets(lines: list[str]) -> list[int]:
    starts, total = [], 0
    for line in lines:
        starts.append(total)
        total += len(line) + 1
    return starts


def _line_at(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


class _Stashed(NamedTuple):
    hidden: list[bool]
    tails: dict[int, str]
    """Text after the end of raw HTML on its last line: Python-Markdown starts a block with it."""
    fences: list[tuple[int, int]]
    """The fenced code blocks (0-based line spans)."""


def _stashed(lines: list[str]) -> _Stashed:
    """Which lines Python-Markdown's preprocessors take out of the Markdown: fenced code first,
    then HTML comments and raw HTML blocks."""
    hidden = [False] * len(lines)
    text = "\n".join(lines) + "\n\n"
    starts = _offsets(lines)
    fences: list[tuple[int, int]] = []
    index = 0
    while (match := FencedBlockPreprocessor.FENCED_BLOCK_RE.search(text, index)) is not None:
        first, last = _line_at(starts, match.start()), _line_at(starts, match.end() - 1)
        fences.append((first, last))
        for number in range(first, last + 1):
            hidden[number] = True
        index = match.end()
    # The HTML pass sees the fenced blocks as placeholders: search text without their content.
    shown = [_STASHED if hidden[i] else line for i, line in enumerate(lines)]
    text = "\n".join(shown)
    starts = _offsets(shown)
    tails: dict[int, str] = {}
    number = 0
    while number < len(lines):
        end = None if hidden[number] else _html_end(lines[number], text, starts[number])
        if end is not None:
            last = _line_at(starts, end)
            for covered in range(number, last + 1):
                hidden[covered] = True
            fences = [f for f in fences if not number <= f[0] <= last]
            tail = shown[last][end - starts[last]:]
            if tail.strip():
                tails[last] = tail
            number = last
        number += 1
    return _Stashed(hidden, tails, fences)


def _html_end(line: str, text: str, offset: int) -> int | None:
    """Where the HTML comment or raw HTML block that starts ``line`` ends (an offset in
    ``text``), if it is one."""
    if _COMMENT_START.match(line):
        close = _COMMENT_END.search(text, offset + line.index("<!--") + 4)
        return None if close is None else close.end()
    tag = _TAG_START.match(line)
    if tag is None or not _patterns().md.is_block_level(tag.group(1).lower()):
        return None
    name = tag.group(1).lower()
    depth = 0
    pattern = re.compile(rf"<!--|<(/?){re.escape(name)}\b[^>]*?(/?)>", re.IGNORECASE)
    position = offset
    while (found := pattern.search(text, position)) is not None:
        position = found.end()
        if found.group() == "<!--":  # a tag inside a comment does not count
            close = _COMMENT_END.search(text, position)
            position = close.end() if close is not None else position
            continue
        if found.group(1):
            depth -= 1
        elif not found.group(2) and name != "hr":
            depth += 1
        if depth <= 0:
            return found.end()
    return len(text)  # never closed: the rest of the card is raw HTML


def _blocks(lines: list[str], stashed: _Stashed, first_line: int) -> Iterable[list[Line]]:
    """The blocks Python-Markdown parses: runs of lines between blank lines; each stashed span
    is a block of its own."""
    block: list[Line] = []
    hidden = stashed.hidden
    for index, line in enumerate(lines):
        if hidden[index]:
            if block:
                yield block
                block = []
            if index == 0 or not hidden[index - 1] or index - 1 in stashed.tails:
                yield [(index + first_line, _STASHED)]
            if index in stashed.tails:
                block = [(index + first_line, stashed.tails[index])]
        elif line:
            block.append((index + first_line, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


@dataclass
class _Node:
    """Just enough of Python-Markdown's element tree to take its decisions: a tag and the last
    child element."""

    tag: str
    children: list[_Node] = field(default_factory=list)

    @property
    def last(self) -> _Node | None:
        return self.children[-1] if self.children else None

    def add(self, tag: str) -> _Node:
        self.children.append(_Node(tag))
        return self.children[-1]


def _text(block: list[Line]) -> str:
    return "\n".join(text for _, text in block)


def _lines_of(block: list[Line], start: int, end: int) -> tuple[int, int]:
    """The block's line indexes that hold the characters ``start`` to ``end`` of its text."""
    first = _text(block)[:start].count("\n")
    return first, first + _text(block)[start:end].count("\n")


def _detab(block: list[Line], level: int) -> list[Line]:
    """``looseDetab``: ``level`` indents less, on the lines that have them."""
    cut = _INDENT * level
    return [(n, line[len(cut):] if line.startswith(cut) else line) for n, line in block]


class _Walker:
    """Python-Markdown's ``BlockParser`` and its block processors, in their order, over blocks
    of (line number, text)."""

    def __init__(self) -> None:
        self.headings: list[Heading] = []
        self.states: list[str] = []

    def state(self) -> str | None:
        return self.states[-1] if self.states else None

    def parse(self, parent: _Node, blocks: deque[list[Line]]) -> None:
        while blocks:
            block = blocks.popleft()
            if block:
                self._block(parent, block, blocks)

    def _nested(self, parent: _Node, block: list[Line], state: str) -> None:
        self.states.append(state)
        self.parse(parent, deque([block]))
        self.states.pop()

    def _block(self, parent: _Node, block: list[Line], rest: deque[list[Line]]) -> None:
        text = _text(block)
        first = block[0][1]
        last = parent.last
        if first.startswith(_INDENT) and self.state() != "detabbed" and (
                parent.tag == "li" or (last is not None and last.tag in _LISTS)):
            self._list_indent(parent, block)
        elif first.startswith(_INDENT):
            self._code(parent, block, rest)
        elif "|" in first and self._table(text):  # a table's header row has a pipe
            parent.add("table")
        elif (found := self._first(block, HashHeaderProcessor.RE)) is not None:
            if self.state() == "looselist":  # the lines after it belong to the list item
                block = block[:found + 1] + _detab(block[found + 1:], 1)
            self._split(parent, block, found, rest)
            match = HashHeaderProcessor.RE.match(block[found][1])
            assert match is not None
            self.headings.append(Heading(len(match.group("level")),
                                         match.group("header").strip(), block[found][0]))
        elif SetextHeaderProcessor.RE.match(text):
            parent.add("h")
            level = 1 if block[1][1].startswith("=") else 2
            self.headings.append(Heading(level, first.strip(), block[0][0], True))
            if block[2:]:
                rest.appendleft(block[2:])
        elif (found := self._first(block, HRProcessor.SEARCH_RE)) is not None:
            self._split(parent, block, found, rest, "hr")
        elif _patterns().olist.RE.match(first) or _patterns().ulist.RE.match(first):
            self._list(parent, block)
        elif (found := self._first(block, BlockQuoteProcessor.RE)) is not None:
            self._quote(parent, block, found)
        elif (reference := ReferenceProcessor.RE.search(text)) is not None:
            # Link definitions on the lines that follow are taken in the same pass.
            end = reference.end()
            for more in ReferenceProcessor.RE.finditer(text, reference.end()):
                if text[end:more.start()].strip("\n") or "\n" in more.group():
                    break
                end = more.end()
            start, stop = _lines_of(block, reference.start(), end)
            if block[stop + 1:]:
                rest.appendleft(block[stop + 1:])
            if block[:start]:
                rest.appendleft(block[:start])
        else:
            parent.add("p")

    @staticmethod
    def _first(block: list[Line], pattern: re.Pattern[str]) -> int | None:
        return next((i for i, (_, line) in enumerate(block) if pattern.match(line)), None)

    def _split(self, parent: _Node, block: list[Line], index: int, rest: deque[list[Line]],
               tag: str = "h") -> None:
        """A heading or rule on line ``index``: the lines before are a block parsed first, the
        lines after start the next block."""
        if block[:index]:
            self.parse(parent, deque([block[:index]]))
        parent.add(tag)
        if block[index + 1:]:
            rest.appendleft(block[index + 1:])

    @staticmethod
    def _table(text: str) -> bool:
        return _patterns().md.parser.blockprocessors["table"].test(ET.Element("div"), text)

    def _code(self, parent: _Node, block: list[Line], rest: deque[list[Line]]) -> None:
        parent.add("pre")
        end = next((i for i, (_, line) in enumerate(block) if not line.startswith(_INDENT)),
                   len(block))
        if block[end:]:
            rest.appendleft(block[end:])

    def _list_indent(self, parent: _Node, block: list[Line]) -> None:
        """``ListIndentProcessor``: an indented block under a list item belongs to the item."""
        indent = len(block[0][1]) - len(block[0][1].lstrip(" "))
        wanted = indent // TAB
        level, target = (1 if self.state() == "list" else 0), parent
        while wanted > level:
            child = target.last
            if child is None or child.tag not in (*_LISTS, "li"):
                break
            if child.tag in _LISTS:
                level += 1
            target = child
        detabbed = _detab(block, level)
        if parent.tag == "li":
            item = parent.last if parent.last is not None and parent.last.tag in _LISTS \
                else parent
        elif target.tag == "li":
            item = target
        elif target.last is not None and target.last.tag == "li":
            item = target.last
        else:
            item = target.add("li")
        self._nested(item, detabbed, "detabbed")

    def _list(self, parent: _Node, block: list[Line]) -> None:
        """``OListProcessor`` / ``UListProcessor`` (as ``sane_lists`` sets them up)."""
        ordered = _patterns().olist.RE.match(block[0][1]) is not None
        processor = _patterns().olist if ordered else _patterns().ulist
        tag = "ol" if ordered else "ul"
        items: list[list[Line]] = []
        for number, line in block:
            child = processor.CHILD_RE.match(line)
            if child:
                items.append([(number, child.group(3))])
            elif processor.INDENT_RE.match(line):
                if items[-1][0][1].startswith(_INDENT):
                    items[-1].append((number, line))
                else:
                    items.append([(number, line)])
            else:
                items[-1].append((number, line))
        sibling = parent.last
        if sibling is not None and sibling.tag == tag:
            self._nested(sibling.add("li"), items.pop(0), "looselist")
            lst = sibling
        elif parent.tag in _LISTS:
            lst = parent
        else:
            lst = parent.add(tag)
        for item in items:
            if item[0][1].startswith(_INDENT) and lst.last is not None:
                self._nested(lst.last, item, "list")
            else:
                self._nested(lst.add("li"), item, "list")

    def _quote(self, parent: _Node, block: list[Line], index: int) -> None:
        """``BlockQuoteProcessor``: the quoted lines, their ``>`` removed, are parsed again."""
        if block[:index]:
            self.parse(parent, deque([block[:index]]))
        cleaned: list[Line] = []
        for number, line in block[index:]:
            match = BlockQuoteProcessor.RE.match(line)
            cleaned.append((number, "" if line.strip() == ">" else
                            match.group(2) if match else line))
        quote = parent.last if parent.last is not None and parent.last.tag == "blockquote" \
            else parent.add("blockquote")
        self.states.append("blockquote")
        chunks: list[list[Line]] = [[]]
        for number, line in cleaned:
            if line:
                chunks[-1].append((number, line))
            else:
                chunks.append([])
        self.parse(quote, deque(c for c in chunks if c))
        self.states.pop()
