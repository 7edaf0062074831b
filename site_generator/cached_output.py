"""Between the build cache and the built site: the reused units' pages and files are put in the
site after MkDocs has written the rest, and the units built this time are kept for the next
build once MkDocs has written their pages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from site_generator.build_cache import BLOB, SOURCE, BuildCache, CachedPage, CachedUnit
from site_generator.site import Site
from site_generator.spill import loaded


def _place(source: Path, target: Path, link: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink()
    if link:
        try:
            os.link(source, target)  # a blob is never written again: sharing it is safe
            return
        except OSError:
            pass
    shutil.copyfile(source, target, follow_symlinks=False)


def write_reused(site: Site, cache: BuildCache | None, site_dir: Path) -> None:
    """The pages of the units taken from ``cache`` and the files MkDocs did not copy
    (``Site.placed_files``), into ``site_dir``."""
    if cache is None:
        return
    for page in site.reused_pages:
        _place(cache.blob_path(page.html), site_dir / page.path / "index.html", True)
    for path, source, own in site.placed_files:
        _place(source, site_dir / path, own)


def save_units(cache: BuildCache, site: Site, written: dict[str, str | None], root: Path) -> None:
    """Keep the reused units and those built now (a unit one of whose pages was not kept is
    left out: it is built again next time)."""
    units = dict(site.reused_units)
    for unit in site.units:
        pages = []
        for page in map(loaded, unit.pages):
            html = written.get(page.path)
            index = cache.put(page.index_html.encode("utf-8")) if page.index_html else None
            if html is None or (page.index_html and index is None):
                break
            pages.append(CachedPage(page.path, page.date, html, index))
        else:
            files = []
            for published in unit.files:
                source = published.source
                kept = cache.blob_of(source)
                if kept is not None:
                    files.append((published.path, BLOB, kept))
                    continue
                if source is not None and source.resolve().is_relative_to(root):
                    files.append((published.path, SOURCE,
                                  source.resolve().relative_to(root).as_posix()))
                    continue
                content = published.content if source is None else source.read_bytes()
                blob = cache.put(content or b"")
                if blob is None:
                    break
                files.append((published.path, BLOB, blob))
            else:
                nquads = cache.put("\n".join(unit.nquads).encode("utf-8"))
                if nquads is not None:
                    units[unit.record_id] = CachedUnit(unit.reads, tuple(pages), tuple(files),
                                                       nquads)
    cache.save(units)
