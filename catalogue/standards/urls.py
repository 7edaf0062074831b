"""Where things are published: one place for page, file and identifier URLs."""

from __future__ import annotations

from urllib.parse import quote

from catalogue.model.pointers import Pointer

DEFAULT_BASE_URL = "https://catalogue.invalid/"
"""Used when catalogue.yaml gives no site_url: clearly not a real address."""


def base_url(site_url: str | None) -> str:
    url = site_url or DEFAULT_BASE_URL
    return url if url.endswith("/") else url + "/"


def page_url(base: str, record_id: str) -> str:
    """An asset's landing page: ``<base><kind folder>/<slug>/``."""
    return f"{base}{record_id}/"


def file_url(base: str, record_id: str, pointer: Pointer) -> str:
    """Where an artefact can be downloaded: local files are published beside the page; Hub
    files resolve through the Hub's pinned-revision download URL."""
    if pointer.is_local:
        return page_url(base, record_id) + quote(pointer.target)
    if pointer.hf is not None:
        hf = pointer.hf
        prefix = {"dataset": "datasets/", "space": "spaces/"}.get(hf.repo_type or "", "")
        return (f"https://huggingface.co/{prefix}{hf.repo_id}/resolve/"
                f"{quote(hf.revision, safe='')}/{quote(hf.filename)}")
    return pointer.target


def doi_url(persistent_identifier: str | None) -> str | None:
    """A DOI, ARK or Handle as a resolvable URL."""
    if not persistent_identifier:
        return None
    pid = persistent_identifier
    if pid.startswith("doi:"):
        return "https://doi.org/" + pid[4:]
    if pid.startswith("hdl:"):
        return "https://hdl.handle.net/" + pid[4:]
    if pid.startswith("ark:"):
        return "https://n2t.net/" + pid
    return pid


def doi_of(persistent_identifier: str | None) -> str | None:
    """The bare DOI (10.x/y) when the identifier is one."""
    if not persistent_identifier:
        return None
    for prefix in ("doi:", "https://doi.org/"):
        if persistent_identifier.startswith(prefix):
            return persistent_identifier[len(prefix):]
    return None


def orcid_url(orcid: str) -> str:
    return f"https://orcid.org/{orcid}"


def ror_url(ror: str) -> str:
    return f"https://ror.org/{ror}"
