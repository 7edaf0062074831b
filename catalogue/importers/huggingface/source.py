"""Reading the card to import: a local file, a folder holding README.md, or a Hub repository;
parsed once by the catalogue's card parser, then read by huggingface_hub's card classes."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import DatasetCard, ModelCard
from huggingface_hub.repocard import RepoCard

from catalogue.importers.result import ImportRefused
from catalogue.model.card import Card, parse_card
from catalogue.model.kinds import CARD_FILE

HUB_REPO = re.compile(r"^(?:(?P<type>datasets|models)/)?(?P<id>[A-Za-z0-9][A-Za-z0-9_.-]*"
                      r"/[A-Za-z0-9][A-Za-z0-9_.-]*)$")
DATASET_KEYS = frozenset({"task_categories", "task_ids", "size_categories", "pretty_name",
                          "dataset_info", "configs", "annotations_creators",
                          "language_creators", "multilinguality", "source_datasets",
                          "paperswithcode_id", "train-eval-index"})


class HfImportError(ImportRefused):
    """A card that cannot be imported; the message says where, what and what was expected."""


@dataclass
class Source:
    text: str
    label: str
    """How messages name the card: its path, or the Hub repository."""
    repo_id: str | None
    kind: str | None


def read_source(source: str, kind: str | None = None) -> Source:
    """The card's text from a local file (or a folder holding README.md) or, for a Hub id such
    as ``owner/name`` or ``datasets/owner/name``, from the Hub (network)."""
    path = Path(source).expanduser()
    if path.is_dir():
        if not (path / CARD_FILE).is_file():
            raise HfImportError(f"{path}: the folder holds no {CARD_FILE}; expected the card "
                                "of a Hugging Face model or dataset")
        path = path / CARD_FILE
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise HfImportError(f"{path}: cannot read the card: {exc}") from None
        return Source(text, str(path), None, kind)
    match = HUB_REPO.match(source.strip())
    if match is None or Path(source).suffix.lower() in (".md", ".markdown"):
        raise HfImportError(f"{source}: no such file, and not a Hub repository id; expected a "
                            "card (README.md), a folder holding one, or a repository id such "
                            "as owner/name or datasets/owner/name")
    repo_type = "dataset" if match.group("type") == "datasets" or kind == "dataset" else "model"
    return Source(_download(match.group("id"), repo_type), f"hf.co/{source.strip()}",
                  match.group("id"), kind or repo_type)


def _download(repo_id: str, repo_type: str) -> str:  # pragma: no cover - network
    from huggingface_hub import hf_hub_download

    try:
        path = hf_hub_download(repo_id, CARD_FILE, repo_type=repo_type)
        return Path(path).read_text(encoding="utf-8-sig")
    except Exception as exc:
        raise HfImportError(f"{repo_id}: cannot fetch the {repo_type} card from the Hub: "
                            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; "
                            "check the repository id and your network, or download the "
                            "README.md and import the file") from None


def parse_source(source: Source) -> tuple[Card, list[str]]:
    """The card, and what a reviewer should know about its form. Raises ``HfImportError``
    naming the line of a problem in its front matter."""
    card = parse_card(source.text)
    notes: list[str] = []
    for problem in card.problems:
        if problem.code == "document-end":
            notes.append(f"{source.label}:{problem.line}: the front matter ended with '...'; "
                         "the card is written with '---', the line the Hub reads")
            continue
        raise HfImportError(f"{source.label}:{problem.line}:{problem.column}: {problem.message}")
    return card, notes


def front_matter_line(card: Card, key: str) -> int:
    return card.front_matter.line_of(key) if card.front_matter is not None else 1


def detect_kind(source: Source, card: Card) -> str:
    if source.kind in ("model", "dataset"):
        return source.kind
    return "dataset" if set(card.metadata) & DATASET_KEYS else "model"


def hub_text(card: Card) -> str:
    """The card as huggingface_hub reads it: the front matter closed with '---'."""
    if card.front_matter is None:
        return card.body
    return f"---\n{card.front_matter.yaml}\n---\n{card.body}"


def load_card(source: Source, card: Card, kind: str) -> RepoCard:
    """The card through huggingface_hub's classes, with their errors turned into messages."""
    card_class = DatasetCard if kind == "dataset" else ModelCard
    start = card.front_matter.first_line if card.front_matter is not None else 1
    logging.getLogger("huggingface_hub.repocard").setLevel(logging.ERROR)
    try:
        return card_class(hub_text(card))
    except ValueError as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "model_index" in text or "eval_results" in text:
            # huggingface_hub says "<class 'KeyError'> 'name'. Pass `ignore_metadata_errors`...".
            found = re.search(r"<class '(\w+)'> (.*?)\. Pass", text)
            what = (f"missing key {found.group(2)}" if found and found.group(1) == "KeyError"
                    else found.group(2) if found else text)
            raise HfImportError(
                f"{source.label}:{front_matter_line(card, 'model-index')}:1: model-index cannot be "
                f"read ({what}); expected a list of {{name, results: [{{task: {{type}}, "
                "dataset: {type, name}, metrics: [{type, value}]}]}") from None
        raise HfImportError(f"{source.label}:{start}:1: huggingface_hub cannot read the card's "
                            f"metadata: {text}") from None
    except Exception as exc:  # huggingface_hub may raise anything on unexpected metadata types
        raise HfImportError(f"{source.label}:{start}:1: huggingface_hub cannot read the card's "
                            f"metadata: {type(exc).__name__}: {exc}") from None
