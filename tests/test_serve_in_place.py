"""``omh serve`` builds in place (``site_generator.in_place``): after random edits (a record
changed, added, deleted, renamed, a reference added), the folder it built in holds exactly what
a build of the same configuration into an empty folder holds, and no build wrote through a link
into the build cache's blobs."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from test_build_cache import _copy_example, _edit, assert_same_site
from test_site_support import mkdocs_config

from site_generator.build_cache import BLOBS, BUILD_FOLDER
from site_generator.plugin import _wait_for_index


def _build(config_file: Path, site: Path, dirty: bool) -> None:
    """A build with the configuration of ``config_file`` into ``site``: in place (and with the
    build cache) when ``dirty``, else into an empty folder without the cache."""
    options = {} if dirty else {"plugins": {"omh": {**_plugin_options(config_file),
                                                    "cache": False, "in_place": False}}}
    mkdocs_build(load_config(config_file=str(config_file), site_dir=str(site), **options),
                 dirty=dirty)
    _wait_for_index()


def _plugin_options(config_file: Path) -> dict[str, object]:
    config = json.loads(config_file.read_text())
    return next(dict(p["omh"]) for p in config["plugins"] if isinstance(p, dict) and "omh" in p)


def _blobs_are_intact(root: Path) -> None:
    """Every blob still holds the bytes it is named by (a page or file is a blob's name, the
    SHA-256 of its content)."""
    blobs = [p for p in (root / ".omh-cache" / BUILD_FOLDER / BLOBS).rglob("*") if p.is_file()]
    assert blobs
    damaged = [p.name for p in blobs if hashlib.sha256(p.read_bytes()).hexdigest() != p.name]
    assert damaged == []


def test_a_build_in_place_leaves_what_a_clean_build_writes(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    served = tmp_path / "served"
    config_file = mkdocs_config(root, tmp_path / "work", served, "n0nce", in_place=True,
                                search_shard_size=4)
    _build(config_file, served, dirty=True)
    rng = random.Random(17)  # (edits that keep every record valid YAML)
    for round_number in (1, 2):
        done = _edit(root, rng, round_number)
        _build(config_file, served, dirty=True)
        clean = tmp_path / f"clean{round_number}"
        _build(config_file, clean, dirty=False)
        assert_same_site(served, clean), done
        _blobs_are_intact(root)
    # A page that is a link to a blob, rendered again: the blob keeps its bytes.
    page = next(p for p in sorted(served.glob("resources/*/index.html"))
                if p.stat().st_nlink > 1)
    held = tmp_path / "held"
    held.hardlink_to(page)
    before = held.read_bytes()
    record = root / page.parent.relative_to(served) / "record.yaml"
    record.write_text(record.read_text().replace("\nname: ", "\nname: Edited ", 1))
    _build(config_file, served, dirty=True)
    assert held.read_bytes() == before  # not written through
    assert b"Edited " in page.read_bytes()
    # A stray file in the folder (a page of a record deleted while the server was stopped,
    # say) goes at the next build; the search index's bundles are left to the search index.
    (served / "models" / "gone").mkdir()
    (served / "models" / "gone" / "index.html").write_text("stale")
    _build(config_file, served, dirty=True)
    assert not (served / "models" / "gone").exists()
    clean = tmp_path / "clean3"
    _build(config_file, clean, dirty=False)
    assert_same_site(served, clean)
