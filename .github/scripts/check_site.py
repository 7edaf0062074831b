"""Check a built site: the pages a crawler starts from exist, every link and asset inside the
site resolves, every JSON-LD block and every published JSON file is strict JSON (no NaN or
Infinity, which JSON.parse refuses), and no page carries an inline script a browser would run
(the pages' Content-Security-Policy allows the site's own script files only).

    python .github/scripts/check_site.py [SITE_DIR]     (default: site)

Prints one line per problem (page: what is wrong) and exits 1 if there is any.
"""

from __future__ import annotations

import json
import sys
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

REQUIRED = ("index.html", "404.html", "sitemap.xml")
JSON_SUFFIXES = (".json", ".jsonld")
DATA_SCRIPT_TYPES = frozenset({"application/ld+json", "application/json"})


def strict_json(text: str) -> object:
    """``json.loads`` that refuses NaN and Infinity, as browsers and other parsers do."""
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)
LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src",
                   "iframe": "src"}


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.json_ld: list[tuple[int, str]] = []
        self.inline_scripts: list[int] = []
        self._in_json_ld: int | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            self.links.append((self.getpos()[0], str(values[wanted])))
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = self.getpos()[0]
            self._buffer = []
        elif tag == "script" and not values.get("src") \
                and (values.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self.inline_scripts.append(self.getpos()[0])

    def handle_data(self, data: str) -> None:
        if self._in_json_ld is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_json_ld is not None:
            self.json_ld.append((self._in_json_ld, "".join(self._buffer)))
            self._in_json_ld = None


def target_of(site: Path, page: Path, link: str) -> Path | None:
    """The file a link inside the site points to, or None for a link leaving the site."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "data:", "javascript:")):
        return None
    path = unquote(parts.path)
    if not path:
        return None
    base = PurePosixPath("/") if path.startswith("/") else PurePosixPath(
        "/" + page.parent.relative_to(site).as_posix())
    resolved = PurePosixPath("/", *[p for p in (base / path).parts if p != "/"])
    parts_out: list[str] = []
    for part in resolved.parts[1:]:
        if part == "..":
            if parts_out:
                parts_out.pop()
        elif part != ".":
            parts_out.append(part)
    target = site.joinpath(*parts_out)
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


def check_site(site: Path) -> list[str]:
    problems = [f"{name}: missing; the site is incomplete" for name in REQUIRED
                if not (site / name).is_file()]
    for page in sorted(site.rglob("*.html")):
        shown = page.relative_to(site).as_posix()
        parser = PageParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for line, link in parser.links:
            target = target_of(site, page, link)
            if target is not None and not target.is_file():
                problems.append(f"{shown}:{line}: link '{link}' leads to no file in the site")
        for line, block in parser.json_ld:
            try:
                strict_json(block)
            except ValueError as exc:
                problems.append(f"{shown}:{line}: JSON-LD is not valid JSON ({exc})")
        problems.extend(f"{shown}:{line}: an inline script; the site's scripts are files"
                        for line in parser.inline_scripts)
    for data in sorted(p for p in site.rglob("*") if p.suffix in JSON_SUFFIXES and p.is_file()):
        try:
            strict_json(data.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{data.relative_to(site).as_posix()}: not valid JSON ({exc})")
    return problems


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "site")
    if not site.is_dir():
        print(f"{site}: no such folder; build the site first (omh build)", file=sys.stderr)
        return 2
    problems = check_site(site)
    for problem in problems:
        print(problem)
    pages = sum(1 for _ in site.rglob("*.html"))
    print(f"{pages} page(s) checked: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
