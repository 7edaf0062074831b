"""The sections a card must cover, per kind of record that has one: the heading the
catalogue's cards use, the other headings accepted for it (Hugging Face cards say "Uses" or
"Bias, Risks, and Limitations"), and what the section must say. Each kind with a card names its
sections in the registry (``catalogue.model.kinds``); the checks and the quality score read them
from there.

A card's heading is the section's when, ignoring case and punctuation, it is the heading or one
of the synonyms, possibly followed by more words ("Training data sources"); every heading level
from ``##`` down counts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the types only: the hook need not load Python-Markdown for them
    from catalogue.model.card import Card, CardSection, Line


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

# The sections a dataset card covers (the catalogue's dataset cards, and the Hugging Face
# dataset card template's headings for the same things).
DATASET_CARD_SECTIONS: tuple[Section, ...] = (
    Section("Summary", ("summary", "dataset summary", "dataset description", "description",
                        "overview", "dataset details", "about"),
            "what the data are, how many records, what they are for"),
    Section("Collection", ("collection", "data collection", "data collection and processing",
                           "collection process", "source data", "curation rationale",
                           "provenance", "how the data were collected", "methodology"),
            "how the data were collected and processed"),
    Section("Structure", ("structure", "dataset structure", "data structure", "data fields",
                          "data splits", "fields", "columns", "schema", "format"),
            "the files, fields, units and splits"),
    Section("Privacy and ethics", ("privacy and ethics", "privacy", "ethics",
                                   "ethical considerations", "personal and sensitive information",
                                   "considerations for using the data",
                                   "bias risks and limitations", "limitations"),
            "personal data, consent, biases and known limitations"),
    Section("License", ("license", "licence", "licensing", "licensing information",
                        "license and citation", "licence and citation"),
            "the licence of the data"),
    Section("Citation", ("citation", "citation information", "how to cite", "cite", "citing",
                         "bibtex", "references", "license and citation", "licence and citation"),
            "how to cite the data"),
)

# The sections a workflow card covers: what a reader needs to rerun the code (EarthCODE's
# "workflow": code, runtime environment and execution instructions).
WORKFLOW_CARD_SECTIONS: tuple[Section, ...] = (
    Section("What it does", ("what it does", "what the workflow does", "overview", "summary",
                             "description", "purpose", "about"),
            "what the code does, and which models it trains or runs"),
    Section("Inputs and outputs", ("inputs and outputs", "inputs", "outputs", "input",
                                   "output", "data", "parameters", "configuration"),
            "what it reads and writes, with formats, and the parameters it takes"),
    Section("Environment", ("environment", "runtime environment", "requirements",
                            "dependencies", "installation", "install", "setup", "container"),
            "how to get the runtime environment: packages, environment file or container"),
    Section("How to run", ("how to run", "usage", "running", "run", "quick start",
                           "quickstart", "getting started", "execution", "instructions"),
            "the exact commands that run it, in a fenced code block"),
    Section("Limitations", ("limitations", "known limitations", "known issues", "caveats"),
            "what it does not do, hardware it needs, known issues"),
    Section("License", ("license", "licence", "licensing", "license and citation",
                        "licence and citation"),
            "the licence of the code"),
    Section("Citation", ("citation", "how to cite", "cite", "citing", "bibtex", "references",
                         "license and citation", "licence and citation"),
            "how to cite the workflow"),
)


# -- finding the sections in a card ----------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """A heading's words, lower-case, without Markdown, numbering or punctuation (kept for the
    last few thousand headings: every card repeats the same few)."""
    text = re.sub(r"`|\*|_|\[|\]\([^)]*\)|\]", " ", text.lower()).replace("&", " and ")
    text = re.sub(r"^\s*\d+[.)]\s*", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@functools.lru_cache(maxsize=256)
def _names(section: Section) -> tuple[str, ...]:
    return (normalise(section.heading), *section.synonyms)


@functools.lru_cache(maxsize=8192)
def section_matches(section: Section, heading: str) -> bool:
    name = normalise(heading)
    return any(name == s or name.startswith(s + " ") for s in _names(section))


def find_section(sections: Sequence[CardSection], section: Section) -> int | None:
    """The index of the first heading (level 2 or deeper) that is ``section``'s."""
    for index, candidate in enumerate(sections):
        if candidate.heading.level >= 2 and section_matches(section, candidate.heading.text):
            return index
    return None


def section_text(sections: Sequence[CardSection], index: int) -> list[Line]:
    """The lines under heading ``index``, its subsections (and their headings) included."""
    level = sections[index].heading.level
    lines = list(sections[index].lines)
    for later in sections[index + 1:]:
        if later.heading.level <= level:
            break
        lines.append((later.heading.line, later.heading.text))
        lines.extend(later.lines)
    return lines


def has_code_block(card: Card, lines: Sequence[Line]) -> bool:
    """Whether a fenced code block starts on one of ``lines``."""
    numbers = {number for number, _ in lines}
    return any(block.first_line in numbers for block in card.code_blocks)
