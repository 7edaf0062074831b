"""The first screen of an asset page answers what a reader came for, with four menus under the
name and key facts (``templates/_actions.html``):

* **Download**: the primary file (a model's ONNX file or weights, a dataset's data) and a zip of
  every file published beside the page (``record_zip``);
* **Cite**: the citation as text, BibTeX, RIS and CSL JSON, each with what it is for;
* **Use**: code generated from the record (``usage``);
* **Metadata**: the record's machine-readable files and the catalogue-wide ones.
"""

from __future__ import annotations

from typing import NamedTuple

from catalogue.model.records import Record
from catalogue.standards.exports import EXPORT_FORMATS
from site_generator.downloads import NOT_SHIPPED, Access, Download, PublishedFile
from site_generator.exports_view import FILE_FORMATS, PageExports
from site_generator.site_files import API_FOLDER, CATALOGUE_FILES, RECORD_JSON
from site_generator.usage import Snippet, snippets

PRIMARY_ROLES = ("onnx", "weights", "data", "checkpoint")
"""The roles of the file a reader most likely came for, in order."""
CITE_FORMATS = (
    ("bibtex", "BibTeX", "For LaTeX documents (BibTeX, BibLaTeX)."),
    ("ris", "RIS", "For reference managers: Zotero, EndNote, Mendeley, Papers."),
    ("csl", "CSL JSON", "For Zotero, Pandoc and other citation processors."),
)
class CiteFormat(NamedTuple):
    key: str
    title: str
    explanation: str
    text: str
    href: str | None


class MetadataFile(NamedTuple):
    title: str
    explanation: str
    href: str


class Actions(NamedTuple):
    page_url: str
    """The page's published address (snippets fetch files from it)."""
    primary: Download | None
    bundle: PublishedFile | None
    """The zip of the published files, beside the page."""
    bundle_count: int
    reason: str | None
    """Why the files cannot be downloaded, when they cannot."""
    illustrative: tuple[Download, ...]
    """Files described but not shipped (on a domain reserved for examples)."""
    cite: tuple[CiteFormat, ...]
    use: tuple[Snippet, ...]
    metadata: tuple[MetadataFile, ...]

    def any(self) -> bool:
        return bool(self.primary or self.bundle or self.cite or self.use or self.metadata)


def primary_download(rows: list[Download]) -> Download | None:
    linked = [row for row in rows if row.href]
    for role in PRIMARY_ROLES:
        for row in linked:
            if row.role == role:
                return row
    return None


def cite_formats(citation: str | None, exports: PageExports) -> tuple[CiteFormat, ...]:
    if not citation:
        return ()
    formats = [CiteFormat("text", "Text", "For a reference list: authors, year, name, "
                          "version, publisher and identifier.", citation, None)]
    for key, title, explanation in CITE_FORMATS:
        name = EXPORT_FORMATS.get(key)
        if name and name in exports.files:
            formats.append(CiteFormat(key, title, explanation, exports.files[name], name))
    return tuple(formats)


def metadata_files(record: Record, exports: PageExports, root: str) -> tuple[MetadataFile, ...]:
    """The record's machine-readable files (its citations are under Cite), its kind's index
    and the catalogue-wide files (``root``: the way from the page to the site's root)."""
    citations = {EXPORT_FORMATS.get(key) for key, _, _ in CITE_FORMATS}
    found = [MetadataFile(fmt.label, "", name) for name, fmt in FILE_FORMATS.items()
             if (name in exports.files or name == RECORD_JSON) and name not in citations]
    found.append(MetadataFile(f"Every {record.kind.label.lower()} of the catalogue (JSON)", "",
                              f"{root}{API_FOLDER}/{record.kind.folder}.json"))
    found += [MetadataFile(label, "", root + path) for path, _, label in CATALOGUE_FILES
              if path.endswith((".jsonld", ".nq"))]
    return tuple(found)


def record_actions(record: Record, rows: list[Download], access: Access, page_url: str,
                   bundle: PublishedFile | None, bundle_count: int, citation: str | None,
                   exports: PageExports, repository: str | None = None) -> Actions:
    root = "../" * (record.id.count("/") + 1)
    allowed = access.allowed
    return Actions(
        page_url, primary_download(rows) if allowed else None, bundle if allowed else None,
        bundle_count, access.reason, tuple(row for row in rows if row.note == NOT_SHIPPED),
        cite_formats(citation, exports),
        tuple(snippets(record, rows, page_url, repository)) if allowed else (),
        metadata_files(record, exports, root))
