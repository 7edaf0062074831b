"""Model cards and package hygiene: the sections seed 001 asks a card to cover, class labels that
agree everywhere they are written, no credentials or private paths, and a portable artefact.

The sections are declared once, in ``MODEL_CARD_SECTIONS``: the heading the catalogue's cards
use, the other headings accepted for it (Hugging Face cards say "Uses" or "Bias, Risks, and
Limitations"), and what the section must say. Every heading level from ``##`` down counts;
matching ignores case and punctuation, and accepts more words after a known heading ("Training
data sources"), so "Out-of-scope uses" and "Bias, Risks, and Limitations" are fine.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from catalogue.check.context import CheckContext
from catalogue.load.artefacts import Resolver, local_file
from catalogue.model.findings import Finding, Location, error, warning
from catalogue.model.kinds import CARD_FILE, RECORD_FILE
from catalogue.model.pointers import ArtefactError, Pointer, usable_pointers
from catalogue.model.records import Record


class Section(NamedTuple):
    heading: str
    synonyms: tuple[str, ...]
    covers: str


MODEL_CARD_SECTIONS: tuple[Section, ...] = (
    Section("What it predicts",
            ("what it predicts", "what the model predicts", "model description", "description",
             "overview", "summary", "model summary", "model details", "purpose", "predictions"),
            "what the model predicts and the use case it supports"),
    Section("Intended use",
            ("intended use", "intended uses", "uses", "direct use", "use cases", "use case",
             "intended purpose", "when to use"),
            "who should use the model and for what"),
    Section("Out-of-scope use",
            ("out of scope use", "out of scope uses", "out of scope", "misuse",
             "misuse and out of scope use", "not intended for", "unsupported uses",
             "when not to use"),
            "uses the model is not fit for"),
    Section("Limitations",
            ("limitations", "known limitations", "caveats", "bias risks and limitations",
             "risks and limitations", "limitations and biases", "biases", "bias", "risks",
             "intended uses and limitations", "caveats and recommendations"),
            "known limitations, data caveats, domain limits, uncertainty and bias risks"),
    Section("Inputs",
            ("inputs", "input", "input format", "expected input", "expected inputs",
             "input specification", "model inputs", "inputs and outputs", "preprocessing"),
            "input shape, channel order, units and normalisation"),
    Section("Outputs",
            ("outputs", "output", "output format", "model outputs", "inputs and outputs",
             "class names", "classes", "labels"),
            "what the outputs mean, and the class names in order as a numbered list"),
    Section("Training data",
            ("training data", "training dataset", "training datasets", "training",
             "training details", "training procedure", "dataset", "datasets"),
            "the training (and validation) data and the experiment that used it"),
    Section("How to run",
            ("how to run", "how to use", "how to get started", "how to get started with the model",
             "usage", "inference", "running inference", "quick start", "quickstart",
             "getting started", "examples", "example usage"),
            "the exact inference command, in a fenced code block"),
    Section("License",
            ("license", "licence", "licensing", "license and citation", "licence and citation"),
            "the licence of the weights, code and files"),
    Section("Citation",
            ("citation", "citations", "how to cite", "cite", "citing", "bibtex",
             "citation information", "license and citation", "licence and citation",
             "references"),
            "how to cite the model"),
)

# Formats that unpickle on load: the catalogue never loads them, and they cannot be the only
# way to run a model (seed 001: "avoid publishing only opaque checkpoint files").
PICKLE_SUFFIXES = frozenset({".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib"})
PICKLE_NAMES = frozenset({"pytorch_model.bin", "training_args.bin"})
MODEL_ROLES = frozenset({"onnx", "weights", "checkpoint"})
TEXT_SUFFIXES = frozenset({".py", ".txt", ".md", ".json", ".yaml", ".yml", ".cfg", ".toml",
                           ".ini", ".sh", ".ipynb", ".r", ".jl"})
MAX_SCANNED_BYTES = 1_048_576


# -- reading cards -------------------------------------------------------------------------


class Heading(NamedTuple):
    level: int
    text: str
    line: int


class CardSection(NamedTuple):
    heading: Heading
    body: list[tuple[int, str]]
    """(line, text) of the lines under the heading, up to the next heading of any level."""


_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def parse_card(text: str) -> list[CardSection]:
    """The card's headings and the lines under each; code blocks and YAML front matter are
    content, never headings."""
    sections: list[CardSection] = []
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = end + 1 if end is not None else 0
    fence: str | None = None
    current = CardSection(Heading(0, "", 1), [])
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and \
                    len(fence_match.group(1)) >= len(fence):
                fence = None
            current.body.append((number, line))
            continue
        if fence_match:
            fence = fence_match.group(1)
            current.body.append((number, line))
            continue
        heading = _ATX.match(line)
        if heading:
            sections.append(current)
            current = CardSection(Heading(len(heading.group(1)), heading.group(2), number), [])
        else:
            current.body.append((number, line))
    sections.append(current)
    return sections


def normalise(text: str) -> str:
    text = re.sub(r"`|\*|_|\[|\]\([^)]*\)|\]", " ", text.lower()).replace("&", " and ")
    text = re.sub(r"^\s*\d+[.)]\s*", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def section_matches(section: Section, heading: str) -> bool:
    name = normalise(heading)
    return any(name == s or name.startswith(s + " ") for s in
               (normalise(section.heading), *section.synonyms))


def section_text(sections: list[CardSection], index: int) -> list[tuple[int, str]]:
    """The lines under heading ``index``, its subsections included."""
    level = sections[index].heading.level
    lines = list(sections[index].body)
    for later in sections[index + 1:]:
        if later.heading.level <= level:
            break
        lines.append((later.heading.line, later.heading.text))
        lines.extend(later.body)
    return lines


def find_section(sections: list[CardSection], section: Section) -> int | None:
    return next((i for i, s in enumerate(sections)
                 if s.heading.level >= 2 and section_matches(section, s.heading.text)), None)


_NUMBERED = re.compile(r"^\s{0,3}(\d+)[.)]\s+(.*\S)\s*$")


def numbered_list(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The first numbered list in ``lines``: (line, name) per item, the name being the first
    code span or bold text, or else the text before a dash, colon or bracket."""
    items: list[tuple[int, str]] = []
    for number, line in lines:
        match = _NUMBERED.match(line)
        if match:
            items.append((number, _item_name(match.group(2))))
        elif items and line.strip() and not line.startswith((" ", "\t")):
            break
    return items


def _item_name(text: str) -> str:
    for pattern in (r"`([^`]+)`", r"\*\*([^*]+)\*\*", r"__([^_]+)__"):
        match = re.match(r"\s*" + pattern, text)
        if match:
            return match.group(1).strip()
    return re.split(r"\s+[-\u2013\u2014]\s+|:\s|\s\(", text, maxsplit=1)[0].strip()


# -- model card checks ---------------------------------------------------------------------


def card_location(record: Record, line: int = 1) -> Location:
    return Location(f"{record.id}/{CARD_FILE}", line, 1)


def check_model_card(record: Record) -> Iterator[Finding]:
    path = record.card_path
    if not path.is_file():
        yield error("card", f"the model has no card: add {CARD_FILE} next to {RECORD_FILE} with "
                    "the sections " + ", ".join(f"'## {s.heading}'" for s in MODEL_CARD_SECTIONS),
                    record.location(), record.id)
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield error("card", f"cannot read the card: {exc}", card_location(record), record.id)
        return
    sections = parse_card(text)
    for section in MODEL_CARD_SECTIONS:
        index = find_section(sections, section)
        if index is None:
            yield error("card-section", f"missing section: expected a heading '## "
                        f"{section.heading}' covering {section.covers}",
                        card_location(record), record.id)
            continue
        heading = sections[index].heading
        lines = section_text(sections, index)
        if not any(text.strip() for _, text in lines):
            yield error("card-section", f"section '{heading.text}' is empty; it should cover "
                        f"{section.covers} (expected under '## {section.heading}')",
                        card_location(record, heading.line), record.id)
        elif section.heading == "How to run" and not any(_FENCE.match(t) for _, t in lines):
            yield warning("card-section", f"section '{heading.text}' has no fenced code block; "
                          "show the exact inference command in one (```)",
                          card_location(record, heading.line), record.id)
        elif section.heading in ("Inputs", "Outputs"):
            yield from _tensor_names_mentioned(record, section, heading, lines)


def _tensor_names_mentioned(record: Record, section: Section, heading: Heading,
                            lines: list[tuple[int, str]]) -> Iterator[Finding]:
    key = "input_schema" if section.heading == "Inputs" else "output_schema"
    tensors = record.data.get(key)
    if not isinstance(tensors, list):
        return
    body = "\n".join(text for _, text in lines)
    for tensor in tensors:
        name = tensor.get("name") if isinstance(tensor, dict) else None
        if isinstance(name, str) and not re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", body):
            yield warning("card-section", f"section '{heading.text}' does not name the "
                          f"{section.heading[:-1].lower()} tensor '{name}' of {key}; say what "
                          "it holds (shape, channel order, units, normalisation)",
                          card_location(record, heading.line), record.id)


# -- class labels --------------------------------------------------------------------------


def parse_labels_json(value: Any) -> list[str] | None:
    """Class names in order from a labels.json: a list, an index-keyed mapping, or a mapping
    with ``labels``, ``class_names``, ``classes`` or ``id2label``."""
    if isinstance(value, dict):
        for key in ("labels", "class_names", "classes", "id2label"):
            if key in value:
                return parse_labels_json(value[key])
        if value and all(isinstance(k, str) and k.isdigit() for k in value):
            ordered = sorted(value.items(), key=lambda kv: int(kv[0]))
            if [int(k) for k, _ in ordered] == list(range(len(ordered))):
                return parse_labels_json([v for _, v in ordered])
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _labels_pointer(record: Record) -> Pointer | None:
    pointers = usable_pointers(record)
    return next((p for p in pointers if p.role == "labels" and p.suffix == ".json"),
                next((p for p in pointers if p.name.endswith("labels.json")), None))


def _read_labels_file(record: Record, resolver: Resolver) -> tuple[str, list[str] | None,
                                                                   str | None] | None:
    """(name, labels, problem) of the shipped labels.json, or None if there is none to read."""
    pointer = _labels_pointer(record)
    try:
        if pointer is not None:
            name, path = pointer.name, resolver.resolve(record.folder, pointer)
        elif (record.folder / "labels.json").is_file():
            name, path = "labels.json", local_file(record.folder, "labels.json")
        else:
            return None
    except ArtefactError:
        return None  # reported by the artefact check, or not available offline
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return name, None, f"{name} is not valid JSON: {exc}"
    labels = parse_labels_json(value)
    if labels is None:
        return name, None, (f"{name}: expected a list of class names in output order, e.g. "
                            '["setosa", "versicolor", "virginica"]')
    return name, labels, None


def _order_problem(mine: list[str], theirs: list[str], my_name: str, their_name: str) -> str | None:
    if len(mine) != len(theirs):
        return (f"{their_name} has {len(theirs)} class name(s) but {my_name} has {len(mine)}: "
                f"{theirs} against {mine}")
    for position, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
        if a != b:
            how = "in another order" if sorted(mine) == sorted(theirs) else "differently"
            return (f"{their_name} names the classes {how}: class {position} is '{b}' there but "
                    f"'{a}' in {my_name} (expected {mine})")
    return None


def check_labels(record: Record, resolver: Resolver) -> Iterator[Finding]:
    """The number and order of class names agree across class_labels, labels.json, the card's
    Outputs list, and the class dimension of output_schema."""
    if record.kind.name != "model" or record.status == "deleted":
        return
    declared = record.data.get("class_labels")
    record_labels = declared if isinstance(declared, list) and all(
        isinstance(v, str) for v in declared) else None
    shipped = _read_labels_file(record, resolver)
    card = _card_labels(record)
    reference, reference_name = record_labels, "class_labels in record.yaml"
    if shipped is not None:
        name, labels, problem = shipped
        if problem is not None:
            yield error("labels", problem, record.location(("class_labels",))
                        if record_labels else record.location(), record.id)
        elif reference is None:
            reference, reference_name = labels, name
        elif labels is not None:
            mismatch = _order_problem(reference, labels, reference_name, name)
            if mismatch:
                yield error("labels", mismatch, record.location(("class_labels",)), record.id,
                            "class_labels")
    if reference is not None and card is not None and card[1]:
        items = card[1]
        mismatch = _order_problem(reference, [n for _, n in items], reference_name,
                                  f"the card's '## Outputs' list (line {items[0][0]})")
        if mismatch:
            yield error("labels", mismatch, card_location(record, items[0][0]), record.id)
    elif reference is not None and card is not None and record.data.get(
            "model_type") == "classification":
        yield warning("labels", "the card's Outputs section has no numbered list of the class "
                      f"names; list them in output order ({', '.join(reference)})",
                      card_location(record, card[0]), record.id)
    if record_labels is not None:
        yield from _class_dimension(record, record_labels)


def _card_labels(record: Record) -> tuple[int, list[tuple[int, str]]] | None:
    try:
        sections = parse_card(record.card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    outputs = next(s for s in MODEL_CARD_SECTIONS if s.heading == "Outputs")
    index = find_section(sections, outputs)
    if index is None:
        return None
    return sections[index].heading.line, numbered_list(section_text(sections, index))


def _class_dimension(record: Record, labels: list[str]) -> Iterator[Finding]:
    """A classifier's scores have one entry per class: some output of rank >= 2 must have a
    class axis (axis 1 or the last) of len(class_labels), when the sizes are written out."""
    if record.data.get("model_type") != "classification":
        return
    outputs = record.data.get("output_schema")
    if not isinstance(outputs, list):
        return
    shapes: list[tuple[Any, list[Any]]] = [
        (o.get("name"), o["shape"]) for o in outputs
        if isinstance(o, dict) and isinstance(o.get("shape"), list) and len(o["shape"]) >= 2]
    if not shapes:
        return
    if any(len(labels) in (shape[1], shape[-1]) for _, shape in shapes):
        return
    if all(isinstance(shape[1], str) and isinstance(shape[-1], str) for _, shape in shapes):
        return  # class axes not written out
    described = ", ".join(f"{n} {shape}" for n, shape in shapes)
    yield error("labels", f"field 'class_labels': {len(labels)} class name(s), but no output in "
                f"output_schema has {len(labels)} classes ({described})",
                record.location(("class_labels",)), record.id, "class_labels")


# -- credentials and private paths ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"^(?:<[^>]*>|\$\{?\w+\}?|x{4,}|\*{3,}|\.{3,}|your[-_].*|"
                          r"(?:example|placeholder|changeme|redacted|dummy)\w*)$", re.IGNORECASE)
# Each pattern starts with a literal, which lets the regex engine skip ahead quickly; the word
# boundary before it is checked in scan_text.
CREDENTIALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a Hugging Face token", re.compile(r"hf_[A-Za-z0-9]{30,}\b")),
    ("a GitHub token", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}")),
    ("an AWS access key id", re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Google API key", re.compile(r"AIza[0-9A-Za-z_-]{35}\b")),
    ("an OpenAI-style secret key", re.compile(r"sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{32,}")),
    ("a Slack token", re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a JSON web token", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[\w-]{10,}")),
    ("a password in a URL", re.compile(r"://[^/\s:@]+:[^/\s@]+@[^\s/]+")),
)
_SECRET_WORDS = ("key", "secret", "token", "passw")
_ASSIGNED_SECRET = re.compile(
    r"(?i)\b(?:api[_-]?key|access[_-]?key|secret(?:[_-]?key)?|auth[_-]?token|access[_-]?token|"
    r"token|password|passwd|client[_-]?secret)\b[\"']?[ \t]*[:=][ \t]*[\"']?([^\s\"'`,;]{12,})")
PRIVATE_PATHS = re.compile(
    r"(?<![\w/.-])(?:/home/[^/\s`'\"]+|/Users/[^/\s`'\"]+|"
    r"[A-Za-z]:[\\/]+Users[\\/]+[^\\/\s`'\"]+)")


def _looks_secret(value: str) -> bool:
    if _PLACEHOLDER.match(value) or value.startswith(("os.environ", "getenv", "env.", "$")):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and len(set(value)) >= 8


def scan_text(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, severity, what) for every credential or private path in ``text``."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    specific: set[int] = set()
    for what, pattern in CREDENTIALS:
        for match in pattern.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_") and \
                    not match.group(0).startswith("://"):
                continue
            line, column = where(start)
            specific.add(line)
            yield line, column, "error", what
    lowered = text.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        for match in _ASSIGNED_SECRET.finditer(text):
            line, column = where(match.start())
            if line not in specific and _looks_secret(match.group(1)):
                yield line, column, "error", "a secret assigned to a key or token"
    if any(marker in text for marker in ("/home/", "/Users/", "Users\\")):
        for match in PRIVATE_PATHS.finditer(text):
            line, column = where(match.start())
            yield line, column, "warning", f"a private path ({match.group(0)}...)"


def _scanned_files(record: Record) -> Iterator[tuple[str, Path]]:
    yield RECORD_FILE, record.folder / RECORD_FILE
    if record.card_path.is_file():
        yield CARD_FILE, record.card_path
    for pointer in usable_pointers(record):
        if pointer.is_local and pointer.suffix in TEXT_SUFFIXES and pointer.name not in (
                RECORD_FILE, CARD_FILE):
            try:
                yield pointer.name, local_file(record.folder, pointer.target)
            except ArtefactError:
                continue


def check_sensitive_content(record: Record) -> Iterator[Finding]:
    """No credentials (tokens, keys) or private paths in the record, its card, or the text
    files it ships: a package must run without them."""
    for name, path in _scanned_files(record):
        try:
            if path.stat().st_size > MAX_SCANNED_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        seen: set[tuple[int, str]] = set()
        for line, column, severity, what in scan_text(text):
            if (line, what) in seen:
                continue
            seen.add((line, what))
            where = Location(f"{record.id}/{name}", line, column)
            if severity == "error":
                yield error("credentials", f"{name} contains what looks like {what}; remove it "
                            "(and revoke it: it is in the Git history) and read secrets from the"
                            " environment", where, record.id)
            else:
                yield warning("private-path", f"{name} contains {what}; a package must not "
                              "depend on one machine: use a path relative to the package",
                              where, record.id)


# -- portability ---------------------------------------------------------------------------


def is_pickle(pointer: Pointer) -> bool:
    return pointer.suffix in PICKLE_SUFFIXES or Path(pointer.name).name in PICKLE_NAMES


def check_portability(record: Record) -> Iterator[Finding]:
    """A package that offers its model only as pickle-based files is not portable."""
    if record.kind.name != "model" or record.status == "deleted":
        return
    model_files = [p for p in usable_pointers(record) if p.role in MODEL_ROLES or is_pickle(p)]
    pickled = [p for p in model_files if is_pickle(p)]
    if pickled and len(pickled) == len(model_files):
        names = ", ".join(Path(p.name).name for p in pickled)
        yield warning("portability", f"the model is offered only as pickle-based file(s) ({names}),"
                      " which run code when loaded and which the catalogue never loads; add a "
                      "portable artefact: model.onnx (role onnx) or model.safetensors (role "
                      "weights)", record.location(pickled[0].field), record.id, "artefacts")


# -- the check -----------------------------------------------------------------------------


def check_cards(context: CheckContext) -> Iterable[Finding]:
    resolver = Resolver.from_settings(context.store.root, context.store.settings.raw)
    for record in context.records:
        yield from check_sensitive_content(record)
        if record.kind.name != "model" or record.status == "deleted":
            continue
        yield from check_model_card(record)
        yield from check_labels(record, resolver)
        yield from check_portability(record)
