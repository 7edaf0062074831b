"""The card as one object: front matter found with the Hub's rule (``---``, and ``...`` with a
warning), read with line numbers of README.md, headings exactly as the site's Python-Markdown
renders them, and each README.md read once by ``omh validate`` and ``omh build``."""

from __future__ import annotations

import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import markdown
import pytest
from card_helpers import MODEL, model_catalogue
from conftest import MODEL_CARD, findings_for
from huggingface_hub.repocard import REGEX_YAML_BLOCK

from catalogue.derive.carbon_interop import card_emissions
from catalogue.load.store import RecordStore
from catalogue.model.card import FRONT_MATTER, parse_card, read_card
from catalogue.model.card_markdown import MARKDOWN_EXTENSIONS
from catalogue.model.kinds import KINDS, SETTINGS_FILE
from catalogue.pipeline import validate
from site_generator.build import build_site
from site_generator.markdown_safety import card_body, render_card

REPO = Path(__file__).resolve().parent.parent
HF_CARDS = Path(__file__).resolve().parent / "hf_cards"


def _headings(text: str) -> list[tuple[int, str, int]]:
    return [(h.level, h.text, h.line) for h in parse_card(text).headings]


# -- front matter ----------------------------------------------------------------------------


def test_the_rule_is_the_hubs_with_the_document_end_marker_added() -> None:
    assert FRONT_MATTER.pattern == REGEX_YAML_BLOCK.pattern.replace(
        r"---[ \t]*(", r"(---|\.\.\.)[ \t]*(")
    for path in sorted(HF_CARDS.glob("*.md")) + sorted(REPO.glob("models/*/README.md")):
        text = path.read_text(encoding="utf-8")
        hub, ours = REGEX_YAML_BLOCK.search(text), FRONT_MATTER.match(text)
        assert (hub is None) == (ours is None), path
        if hub is not None and ours is not None:
            assert (hub.group(2), hub.end()) == (ours.group(2), ours.end()), path


def test_front_matter_values_and_errors_carry_lines_of_the_readme(tmp_path: Path) -> None:
    card = parse_card("\n---\nlicense: mit\ntags:\n  - x\n---\n# Title\n")
    assert card.front_matter is not None and card.front_matter.first_line == 3
    assert card.metadata == {"license": "mit", "tags": ["x"]}
    assert card.front_matter.line_of("tags") == 4 and card.body_line == 7
    assert _headings(card.text) == [(1, "Title", 7)]

    text = "---\nlicense: mit\nco2_eq_emissions: 12\nlicense: apache-2.0\n---\n" + MODEL_CARD
    root = model_catalogue(tmp_path, text)
    (finding,) = findings_for(root)
    assert (finding.rule, finding.severity) == ("card-front-matter", "error")
    assert (finding.location.path, finding.location.line) == (f"{MODEL}/README.md", 4)
    assert "duplicate key 'license'" in finding.message and "first defined on line 2" \
        in finding.message


def test_a_syntax_error_points_into_the_front_matter(tmp_path: Path) -> None:
    text = "---\nlicense: mit\ntags: [a, b\n---\n" + MODEL_CARD
    (finding,) = findings_for(model_catalogue(tmp_path, text))
    assert finding.rule == "card-front-matter" and finding.location.line in (3, 4)
    assert "the card's YAML front matter cannot be read: YAML syntax error" in finding.message


def test_front_matter_closed_by_dots_is_read_hidden_and_warned_about(tmp_path: Path) -> None:
    text = "---\nlicense: mit\nco2_eq_emissions:\n  emissions: 1500\n...\n" + MODEL_CARD
    root = model_catalogue(tmp_path, text)
    (warning,) = findings_for(root)
    assert (warning.rule, warning.severity) == ("card-front-matter", "warning")
    assert (warning.location.path, warning.location.line) == (f"{MODEL}/README.md", 5)
    assert "the Hugging Face Hub only recognises '---'" in warning.message
    assert "close it with '---'" in warning.message

    record = RecordStore(root).get(MODEL)
    assert record is not None and record.card is not None
    emissions = card_emissions(record.card)
    assert emissions is not None and emissions.reported is not None
    assert (emissions.reported.grams, emissions.line) == (1500, 3)
    body, problem = card_body(record.card)
    assert problem is None and body is not None
    html = render_card(body, record.folder).html
    assert "co2_eq_emissions" not in html and "license: mit" not in html
    assert '<h3 id="card-test-model">Test Model</h3>' in html


def test_an_unclosed_front_matter_is_a_warning_and_stays_text() -> None:
    card = parse_card("---\nlicense: mit\n# Title\n")
    assert card.front_matter is None and card.body == card.text
    (problem,) = card.problems
    assert (problem.code, problem.line, problem.severity) == ("unclosed", 1, "warning")


def test_a_card_that_is_not_utf8_is_reported_once_with_its_line(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path)
    (root / MODEL / "README.md").write_bytes(b"# Test Model\n\n## Limitations\ncaf\xe9\n")
    (finding,) = findings_for(root)
    assert (finding.rule, finding.severity) == ("card", "error")
    assert (finding.location.path, finding.location.line) == (f"{MODEL}/README.md", 4)
    assert "README.md is not UTF-8 text" in finding.message


def test_a_record_without_a_card_has_none(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path)
    (root / MODEL / "README.md").unlink()
    record = RecordStore(root).get(MODEL)
    assert record is not None and record.card is None
    assert read_card(root / MODEL / "README.md") is None


# -- headings ---------------------------------------------------------------------------------


def test_setext_headings_count(tmp_path: Path) -> None:
    assert _headings("Title\n=====\n\nUses\n----\nText.\n") == [(1, "Title", 1), (2, "Uses", 4)]
    setext = re.sub(r"^## (.+)$", lambda m: f"{m.group(1)}\n{'-' * len(m.group(1))}",
                    MODEL_CARD, flags=re.MULTILINE)
    assert "## " not in setext
    assert findings_for(model_catalogue(tmp_path, setext)) == []


def test_headings_in_code_and_comments_do_not_count() -> None:
    text = ("# T\n\n```\n## Limitations\n```\n\n<!--\n## Uses\n-->\n\n    ## Indented code\n\n"
            "~~~\nNot a title\n---\n~~~\n")
    card = parse_card(text)
    assert [(h.level, h.text) for h in card.headings] == [(1, "T")]
    assert [(b.first_line, b.last_line) for b in card.code_blocks] == [(3, 5), (13, 16)]
    assert [line for line, _ in card.sections[1].lines][:4] == [2, 3, 4, 5]


def test_sections_hold_the_lines_under_their_heading() -> None:
    card = parse_card("Intro\n\n## A\none\n\nB\n-\ntwo\n")
    assert [(s.heading.text, s.lines) for s in card.sections] == [
        ("", ((1, "Intro"), (2, ""))), ("A", ((4, "one"), (5, ""))), ("B", ((8, "two"), (9, "")))]


# Lines that make Python-Markdown's block parser take its less obvious turns.
FRAGMENTS = ("# H", "## Uses", "#T", "Title", "===", "---", "- - -", "***", "- item", "* item",
             "1. one", "2. two", "    # indented", "        deep", "> quote", "> # qh", ">",
             "```", "```python", "~~~", "````", "<!--", "-->", "<!-- c -->", "<div>", "</div>",
             "<details>", "| a | b |", "|---|---|", "[ref]: http://x", "text", "", "", "",
             "  # two", "\t# tab", "## T ##", "- # lh", "   ---", "<hr>", "  - nested",
             "    - nested", "<div>x</div> tail", "<!-- a --> b", "--> # H", "a | b", "=", "-")


def _python_markdown_headings(text: str) -> list[tuple[int, str]]:
    """The heading elements of Python-Markdown's parse, configured like the site's."""
    md = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    lines = text.split("\n")
    for preprocessor in md.preprocessors:
        lines = preprocessor.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    return [(int(e.tag[1]), e.text or "") for e in root.iter() if re.fullmatch(r"h[1-6]", e.tag)]


def _documents() -> Iterator[str]:
    for kind in KINDS.values():
        for path in sorted((REPO / kind.folder).glob("*/README.md")):
            yield path.read_text(encoding="utf-8")
    for path in sorted(HF_CARDS.glob("*.md")):
        yield path.read_text(encoding="utf-8")
    generator = random.Random(2024)
    for _ in range(3000):
        yield "\n".join(generator.choice(FRAGMENTS) for _ in range(generator.randint(1, 12)))


def test_headings_are_those_python_markdown_renders() -> None:
    """Compared on the catalogue's cards, the Hugging Face cards of the importer's tests and
    generated documents; each heading's line holds its text."""
    for text in _documents():
        card = parse_card(text)
        expected = _python_markdown_headings(card.body)
        assert [(h.level, h.text) for h in card.headings] == expected, text
        lines = text.split("\n")
        for heading in card.headings:
            assert heading.text in lines[heading.line - 1].expandtabs(4), (text, heading)


def test_the_site_renders_the_headings_the_checks_see() -> None:
    for path in sorted(REPO.glob("models/*/README.md")):
        card = read_card(path)
        assert card is not None
        html = render_card(card.body, path.parent).html
        rendered = [int(level) for level in re.findall(r"<h([3-6])[ >]", html)]
        assert rendered == [min(6, h.level + 2) for h in card.headings], path


# -- each README.md read once -----------------------------------------------------------------


_COUNTED: list[str] = []
"""The folder whose README.md opens are being counted; empty when not counting."""
_OPENS: Counter[str] = Counter()


def _count_opens(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not _COUNTED or not args:
        return
    path = args[0]
    if isinstance(path, str | bytes):  # not a file descriptor
        name = path.decode() if isinstance(path, bytes) else path
        if name.endswith("README.md") and name.startswith(_COUNTED[0]):
            _OPENS[name] += 1


sys.addaudithook(_count_opens)  # a no-op unless _COUNTED is set (hooks cannot be removed)


def _opens_while(root: Path, action: Callable[[], object]) -> dict[str, int]:
    _OPENS.clear()
    _COUNTED[:] = [str(root.resolve())]
    try:
        action()
    finally:
        _COUNTED.clear()
    return dict(_OPENS)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the repository's example catalogue."""
    root = tmp_path / "catalogue"
    root.mkdir()
    for kind in KINDS.values():
        if (REPO / kind.folder).is_dir():
            shutil.copytree(REPO / kind.folder, root / kind.folder)
    shutil.copy(REPO / SETTINGS_FILE, root / SETTINGS_FILE)
    return root


def _cards(root: Path) -> dict[str, int]:
    cards = {str(p.resolve()): 1 for kind in KINDS.values()
             for p in (root / kind.folder).glob("*/README.md")}
    assert len(cards) >= 10
    return cards


def test_validate_reads_each_card_once(example: Path) -> None:
    # Without the caches, which also read every file of a record's folder to hash it.
    store = RecordStore(example, use_cache=False)
    assert _opens_while(example, lambda: validate(example, store=store)) == _cards(example)


@pytest.mark.slow
def test_build_reads_each_card_once(example: Path, tmp_path: Path) -> None:
    node_modules = REPO / "node_modules"
    # Without the build cache, which also reads every file of a record's folder to hash it.
    opens = _opens_while(example, lambda: build_site(
        example, tmp_path / "site", node_modules=node_modules if node_modules.is_dir() else None,
        cache=False))
    assert opens == _cards(example)
    assert (tmp_path / "site" / "models" / "iris-softmax-classifier" / "index.html").is_file()
