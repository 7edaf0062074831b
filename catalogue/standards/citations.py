"""How to cite an asset: plain text, BibTeX, RIS and CSL-JSON, all from one ``Citation``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from catalogue.link.catalogue import Catalogue
from catalogue.model.dates import day_of
from catalogue.model.kinds import Citing
from catalogue.model.records import Record
from catalogue.standards.json_text import json_text
from catalogue.standards.urls import base_url, doi_of, page_url


@dataclass(frozen=True)
class Author:
    given: str
    family: str


@dataclass(frozen=True)
class Citation:
    key: str
    kind: str
    """The kind's label: Model, Dataset, Experiment, Workflow."""
    types: Citing
    title: str
    authors: tuple[Author, ...]
    year: int | None
    date_parts: tuple[int, ...]
    version: str | None
    publisher: str | None
    doi: str | None
    url: str
    abstract: str | None
    keywords: tuple[str, ...]


def citation_for(record: Record, catalogue: Catalogue) -> Citation:
    """The citation of an asset; ``ValueError`` for a record that is not one (a person, an
    organisation, a resource), which has no citation of its own."""
    types = record.kind.citing
    if types is None:
        raise ValueError(f"{record.id} is a {record.kind.name}; only assets are cited")
    data = record.data
    authors = []
    for researcher_id in record.items("created_by"):
        person = catalogue.get(researcher_id)
        if person is not None:
            authors.append(Author(str(person.data.get("first_name", "")),
                                  str(person.data.get("last_name", ""))))
    created = day_of(data.get("created_at"))
    parts = (created.year, created.month, created.day) if created else ()
    organization = catalogue.get(data.get("organization"))
    return Citation(
        key=re.sub(r"[^A-Za-z0-9]+", "_", record.id),
        kind=record.kind.label,
        types=types,
        title=record.title,
        authors=tuple(authors),
        year=parts[0] if parts else None,
        date_parts=parts,
        version=str(data["version"]) if data.get("version") else None,
        publisher=organization.title if organization else catalogue.settings.title,
        doi=doi_of(data.get("persistent_identifier")),
        url=page_url(base_url(catalogue.settings.site_url), record.id),
        abstract=data["description"] if isinstance(data.get("description"), str) else None,
        keywords=tuple(str(k) for k in record.items("subjects")),
    )


def plain_text(c: Citation) -> str:
    """APA-like: Johnson, A. (2025). Title (Version 1.0.0) [Model]. Publisher. https://doi..."""
    names = [f"{a.family}, {a.given[:1]}." if a.given else a.family for a in c.authors]
    who = (", ".join(names[:-1]) + ", & " + names[-1]) if len(names) > 1 else "".join(names)
    version = f" (Version {c.version})" if c.version else ""
    link = f"https://doi.org/{c.doi}" if c.doi else c.url
    year = c.year or "n.d."
    lead = f"{who} ({year}). " if who else ""
    title = f"{c.title}{version} [{c.kind}]"
    return f"{lead}{title}. {c.publisher}. {link}" if lead else \
        f"{title} ({year}). {c.publisher}. {link}"


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                   "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}"}


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text.replace("\n", " "))


def bibtex(c: Citation) -> str:
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(f"{_bibtex_escape(a.family)}, {_bibtex_escape(a.given)}"
                                for a in c.authors)),
        ("title", "{" + _bibtex_escape(c.title) + "}"),
        ("year", str(c.year or "")),
        ("version", _bibtex_escape(c.version or "")),
        ("publisher", _bibtex_escape(c.publisher or "")),
        ("doi", _bibtex_escape(c.doi or "")),
        ("url", c.url),
        ("note", c.kind),
        ("keywords", _bibtex_escape(", ".join(c.keywords))),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{c.types.bibtex}{{{c.key},\n{body}\n}}\n"


def ris(c: Citation) -> str:
    lines = [("TY", c.types.ris)]
    lines += [("AU", f"{a.family}, {a.given}") for a in c.authors]
    lines.append(("TI", c.title))
    if c.year:
        lines.append(("PY", str(c.year)))
    if c.date_parts:
        lines.append(("DA", "/".join(f"{p:02d}" for p in c.date_parts)))
    for tag, value in (("ET", c.version), ("PB", c.publisher), ("DO", c.doi), ("UR", c.url)):
        if value:
            lines.append((tag, value))
    lines += [("KW", k) for k in c.keywords]
    if c.abstract:
        lines.append(("AB", " ".join(c.abstract.split())))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}".rstrip() + "\r\n" for tag, value in lines)


def csl_json(c: Citation) -> list[dict[str, Any]]:
    item: dict[str, Any] = {
        "id": c.key,
        "type": c.types.csl,
        "title": c.title,
        "author": [{"family": a.family, "given": a.given} for a in c.authors],
        "URL": c.url,
    }
    if c.date_parts:
        item["issued"] = {"date-parts": [list(c.date_parts)]}
    for key, value in (("version", c.version), ("publisher", c.publisher), ("DOI", c.doi),
                       ("abstract", c.abstract)):
        if value:
            item[key] = value
    if c.keywords:
        item["keyword"] = ", ".join(c.keywords)
    return [item]


def csl_json_text(c: Citation) -> str:
    return json_text(csl_json(c), indent=True) + "\n"
