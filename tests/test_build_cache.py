"""The build cache and the worker pool change how fast a site is built, never what is built.

The example catalogue is copied, built once (filling the cache), then edited at random: a field
many pages show changed, a card changed, a file beside a record changed, a record added, one
deleted, one renamed, a reference added. After each round of edits it is built with the cache
and without, and the two sites must be the same bytes; the cached build must have reused most
records (or the cache did nothing) and rebuilt some (or it would be stale).
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import os
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml

from catalogue.load import forked
from catalogue.model.kinds import KINDS, RECORD_FILE, SETTINGS_FILE
from site_generator import generate, listing, search_shards
from site_generator.build import build_site
from site_generator.build_cache import (
    BUILD_FOLDER,
    DELTA_FILE,
    DIGESTS_FILE,
    INDEX_FILE,
    BuildCache,
    CachedPage,
    CachedUnit,
    _relative,
)
from site_generator.plugin import JINJA_FOLDER
from site_generator.render import SiteContext
from site_generator.site import GeneratedPage

REPOSITORY = Path(__file__).resolve().parent.parent


def _copy_example(root: Path) -> None:
    for kind in KINDS.values():
        shutil.copytree(REPOSITORY / kind.folder, root / kind.folder)
    shutil.copy(REPOSITORY / SETTINGS_FILE, root / SETTINGS_FILE)


def _tree(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}


def assert_same_site(cached: Path, clean: Path) -> None:
    left, right = _tree(cached), _tree(clean)
    assert sorted(left) == sorted(right), (sorted(set(left) ^ set(right)))[:10]
    different = [name for name in left
                 if not filecmp.cmp(left[name], right[name], shallow=False)]
    assert different == []


def _records(root: Path, folder: str | None = None) -> list[Path]:
    pattern = f"{folder}/*/{RECORD_FILE}" if folder else f"*/*/{RECORD_FILE}"
    return sorted(p.parent for p in root.glob(pattern))


def _set_line(record: Path, key: str, value: str) -> None:
    """Replace (or add) the top-level ``key: ...`` of the record (with the lines of a block
    value under it)."""
    file = record / RECORD_FILE
    text = file.read_text(encoding="utf-8")
    line = f"{key}: {value}"
    new, found = re.subn(rf"(?m)^{key}:.*(?:\n[ \t-].*)*", line, text, count=1)
    file.write_text(new if found else text.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")


def _edit(root: Path, rng: random.Random, round_number: int) -> list[str]:
    """One edit of each sort, on records chosen by ``rng``; what was done, for the message."""
    done = []
    researcher = rng.choice(_records(root, "researchers"))
    _set_line(researcher, "first_name", f"Renamed{round_number}")
    done.append(f"changed {researcher.name}'s first name")

    carded = rng.choice([r for r in _records(root) if (r / "README.md").is_file()])
    with open(carded / "README.md", "a", encoding="utf-8") as card:
        card.write(f"\n\n## Notes {round_number}\n\nA paragraph added in round {round_number}.\n")
    done.append(f"changed {carded.name}'s card")

    with_files = [p for r in _records(root) for p in sorted(r.iterdir())
                  if p.is_file() and p.name not in (RECORD_FILE, "README.md")]
    changed = rng.choice(with_files)
    changed.write_bytes(changed.read_bytes() + b"\n")
    done.append(f"changed {changed.relative_to(root)}")

    source = rng.choice(_records(root, "models"))
    added = source.parent / f"{source.name}-copy{round_number}"
    shutil.copytree(source, added)
    _set_line(added, "name", f"Copy {round_number} of {source.name}")
    done.append(f"added {added.name}")

    deleted = rng.choice(_records(root, "datasets"))
    shutil.rmtree(deleted)
    done.append(f"deleted {deleted.name}")

    renamed = rng.choice(_records(root, "workflows"))
    target = renamed.parent / f"{renamed.name}-renamed{round_number}"
    renamed.rename(target)
    if re.search(r"(?m)^id:", (target / RECORD_FILE).read_text(encoding="utf-8")):
        _set_line(target, "id", f"workflows/{target.name}")
    done.append(f"renamed {renamed.name}")

    person = rng.choice(_records(root, "researchers"))
    organisation = rng.choice(_records(root, "organizations"))
    data = yaml.safe_load((person / RECORD_FILE).read_text(encoding="utf-8"))
    affiliations = [*data.get("affiliations", []), f"organizations/{organisation.name}"]
    _set_line(person, "affiliations", yaml.safe_dump(affiliations, default_flow_style=True)
              .strip())
    done.append(f"referred {person.name} to {organisation.name}")
    return done


def test_cached_builds_equal_clean_builds_after_random_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two documents per shard: the search index is in 16 shards (an empty one has no bundle),
    # some taken from the cache and some indexed again. Two records a list page: each kind's
    # list has pages beyond the first, some taken from the cache and some made again.
    monkeypatch.setattr(search_shards, "DOCUMENTS_PER_SHARD", 2)
    monkeypatch.setattr(listing, "LIST_PAGE_SIZE", 2)
    root = tmp_path / "catalogue"
    _copy_example(root)
    # The cached builds go to one folder: each starts from the site before last
    # (``spare_site``), or a copy of the site for the first, changing it in place.
    first = build_site(root, tmp_path / "cached", force=True)
    assert first.reused == 0 and not first.in_place
    assert (root / ".omh-cache" / BUILD_FOLDER / INDEX_FILE).is_file()
    assert len(list((tmp_path / "cached" / "pagefind").iterdir())) > 8
    rng = random.Random(17)
    for round_number in (1, 2, 3):
        done = _edit(root, rng, round_number)
        cached = build_site(root, tmp_path / "cached", force=True)
        clean = build_site(root, tmp_path / f"clean{round_number}", force=True, cache=False)
        assert 0 < cached.reused < cached.records, (cached.reused, done)
        assert cached.in_place
        assert clean.reused == 0
        assert_same_site(tmp_path / "cached", tmp_path / f"clean{round_number}")


def test_a_record_edited_alone_has_its_own_pages_built_again(tmp_path: Path) -> None:
    """A unit depends on its own record whatever else its pages look up: a resource's or an
    organisation's new name, edited alone, reaches its page."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first", force=True)
    for folder in ("resources", "organizations"):
        record = _records(root, folder)[-1] / RECORD_FILE
        text = record.read_text(encoding="utf-8")
        assert "\nname: " in text, record
        record.write_text(text.replace("\nname: ", "\nname: Edited ", 1), encoding="utf-8")
        cached = build_site(root, tmp_path / f"cached-{folder}", force=True)
        build_site(root, tmp_path / f"clean-{folder}", force=True, cache=False)
        assert 0 < cached.reused < cached.records
        page = tmp_path / f"cached-{folder}" / folder / record.parent.name / "index.html"
        assert b"Edited " in page.read_bytes()
        assert_same_site(tmp_path / f"cached-{folder}", tmp_path / f"clean-{folder}")


def test_units_placed_ahead_but_not_reused_are_taken_out(tmp_path: Path) -> None:
    """Every cached unit is placed before the units are checked (``plugin._place_ahead``):
    one whose record no longer publishes a file (built into a new folder), and one whose
    file's blob is gone from the cache (its placing fails half-way; built into the last
    build's folder), are built again, and the site holds neither's old files."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first", jobs=2)
    record = root / "models" / "weather-forecaster"
    text = (record / RECORD_FILE).read_text(encoding="utf-8")
    entry = text.index("  - path: requirements.txt")
    end = text.index("forecast.py\n", entry) + len("forecast.py\n")
    (record / RECORD_FILE).write_text(text[:entry] + text[end:], encoding="utf-8")
    fresh = build_site(root, tmp_path / "fresh", jobs=2)
    assert not fresh.in_place and 0 < fresh.reused < fresh.records
    assert not (tmp_path / "fresh" / "models/weather-forecaster/requirements.txt").exists()
    build_site(root, tmp_path / "clean", cache=False)
    assert_same_site(tmp_path / "fresh", tmp_path / "clean")

    index = json.loads((root / ".omh-cache" / BUILD_FOLDER / INDEX_FILE).read_bytes())
    iris = "datasets/iris-flower-measurements"
    blob = next(ref for path, how, ref in index["units"][iris]["files"]
                if how == "blob" and path.endswith(".zip"))
    (root / ".omh-cache" / BUILD_FOLDER / "blobs" / blob[:2] / blob).unlink()
    again = build_site(root, tmp_path / "first", jobs=2)
    assert again.reused == again.records - 1
    assert_same_site(tmp_path / "first", tmp_path / "clean")


def test_an_unchanged_catalogue_is_taken_whole_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first")
    older = root / ".omh-cache" / BUILD_FOLDER / DIGESTS_FILE  # an older cache's own digests
    older.write_text("{}", encoding="utf-8")
    again = build_site(root, tmp_path / "again")
    assert again.reused == again.records
    assert not older.exists()  # the record store's digests serve the build
    # MkDocs renders only the navigation's own pages again; every other page is as it was.
    assert again.rendered == len(generate.navigation()) < again.pages
    assert_same_site(tmp_path / "again", tmp_path / "first")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_list_page_is_made_again_only_when_what_it_shows_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """In this process, or (with workers) in the one the lists are made in meanwhile."""
    monkeypatch.setattr(listing, "LIST_PAGE_SIZE", 2)
    log = tmp_path / "made.txt"

    def counted(site: SiteContext, page: listing.ListPage) -> GeneratedPage:
        with log.open("a") as out:
            out.write(f"{page.path} {os.getpid()}\n")
        return listing.list_page(site, page)

    def made() -> set[str]:
        lines = log.read_text().split() if log.exists() else []
        log.unlink(missing_ok=True)
        assert (jobs == 1) == all(pid == str(os.getpid()) for pid in lines[1::2])
        return set(lines[0::2])

    monkeypatch.setattr(generate, "list_page", counted)
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first", jobs=jobs)
    every = made()
    first_pages = {path for _, path in generate.navigation()}
    assert len(every - first_pages) > 8

    build_site(root, tmp_path / "again", jobs=jobs)
    assert made() <= first_pages  # the navigation's pages are always made

    model = _records(root, "models")[-1]
    _set_line(model, "license", "MIT")  # the list shows each model's licence
    cached = build_site(root, tmp_path / "cached", jobs=jobs)
    assert made() - first_pages == {"models/page/3/"}  # the page that shows the model
    build_site(root, tmp_path / "clean", cache=False, jobs=jobs)
    assert_same_site(tmp_path / "cached", tmp_path / "clean")
    assert 0 < cached.reused < cached.records


def test_the_pool_builds_the_same_site_as_one_process(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "one", cache=False, jobs=1)
    monkeypatch.setattr(forked, "POOL_MINIMUM", 1)
    build_site(root, tmp_path / "pool", cache=False, jobs=3)
    assert_same_site(tmp_path / "pool", tmp_path / "one")


def test_a_committed_cache_is_not_trusted(tmp_path: Path) -> None:
    import subprocess

    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-f", ".omh-cache"], check=True)
    index = root / ".omh-cache" / BUILD_FOLDER / INDEX_FILE
    again = build_site(root, tmp_path / "again")
    assert again.reused == 0
    assert any("committed to the repository" in w for w in again.warnings)
    assert index.is_file()


@pytest.mark.parametrize("path", ["../x", "a/../b", "a/..", "..", "./a", "a/./b", "a/.", ".",
                                  "/etc/passwd", "a\\b", "a\0b"])
def test_an_index_path_that_could_lead_elsewhere_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="not a relative path"):
        _relative(path)


@pytest.mark.parametrize("path", ["a/.hidden", ".nojekyll", "a/..b/c", "a/b.", "models/x/"])
def test_an_index_path_inside_the_site_is_kept(path: str) -> None:
    assert _relative(path) == path


def test_a_tampered_index_cannot_publish_files_from_elsewhere(tmp_path: Path) -> None:
    """Names in the cache's index become paths of the site: one that leaves the cache, the
    catalogue or the site is not taken (its unit is built again)."""
    import json

    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first")
    (tmp_path / "secret.txt").write_text("not for the site\n")
    index_file = root / ".omh-cache" / BUILD_FOLDER / INDEX_FILE
    index = json.loads(index_file.read_text())
    tampered = sorted(index["units"])[:5]
    first, second, third, fourth, fifth = (index["units"][i] for i in tampered)
    first["files"].append(["models/leak.txt", "source", "../secret.txt"])
    second["files"].append(["../../leak.txt", "blob", first["nquads"]])
    third["pages"][0][2] = "../../../secret.txt"
    fourth["reads"].append(len(index["lookups"]))  # a lookup that is not in the list
    fifth["reads"][0] = -1
    index_file.write_text(json.dumps(index))
    again = build_site(root, tmp_path / "again")
    assert again.reused == again.records - 5
    assert not any("secret" in p.read_text(errors="replace")
                   for p in (tmp_path / "again").rglob("*.txt"))
    assert not (tmp_path / "leak.txt").exists()
    assert_same_site(tmp_path / "again", tmp_path / "first")


@pytest.mark.parametrize("jobs", [1, 2])
def test_page_bodies_wait_on_disk_not_in_memory(tmp_path: Path, jobs: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With a spill folder, the records' pages hold no HTML until MkDocs asks for it, and what
    comes back from disk is what was generated: the bodies of each process that built pages
    (this one, or each of two workers) in one file of its own."""
    from catalogue.load import forked
    from catalogue.pipeline import load_catalogue
    from site_generator.generate import generate
    from site_generator.site_files import NQUADS_FILE
    from site_generator.spill import Spill, loaded

    monkeypatch.setattr(forked, "POOL_MINIMUM", 1)  # the example has fewer records
    plain = generate(load_catalogue(REPOSITORY, check=False, keep_records=False)[0]).settled()
    with contextlib.closing(Spill(tmp_path / "spill")) as spill:
        spilled = generate(load_catalogue(REPOSITORY, check=False, keep_records=False)[0],
                           jobs=jobs, spill=spill).settled()
    unit_pages = {p.path for unit in spilled.units for p in unit.pages}
    assert unit_pages and all(not p.html and p.body is not None
                              for p in spilled.pages if p.path in unit_pages)
    assert len({p.body.path for p in spilled.pages if p.body is not None}) <= jobs
    assert [loaded(p) for p in spilled.pages] == plain.pages
    on_disk = {f.path: f.source.read_bytes() if f.source else f.content for f in spilled.files}
    assert on_disk == {f.path: f.source.read_bytes() if f.source else f.content
                       for f in plain.files}
    assert NQUADS_FILE in on_disk  # (with workers, made in a process of its own)


def test_committed_compiled_templates_are_never_run(tmp_path: Path) -> None:
    """The theme's compiled templates are code: a folder of them that git tracks is neither
    read nor written, while the rest of the cache still serves."""
    import subprocess

    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first")
    compiled = sorted((root / ".omh-cache" / JINJA_FOLDER).rglob("*.cache"))
    assert compiled
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-f", f".omh-cache/{JINJA_FOLDER}"],
                   check=True)
    for path in compiled:
        path.write_bytes(b"not compiled code")
    again = build_site(root, tmp_path / "again")
    assert again.reused == again.records
    assert all(path.read_bytes() == b"not compiled code" for path in compiled)
    assert_same_site(tmp_path / "again", tmp_path / "first")


def test_a_cache_in_use_by_another_build_is_left_alone(tmp_path: Path) -> None:
    """Two builds at once (``omh serve`` running, ``omh build`` in another shell): the second
    builds without the cache, which it neither reads nor cleans, and the first keeps it."""
    root = tmp_path / "catalogue"
    _copy_example(root)
    build_site(root, tmp_path / "first")
    folder = root / ".omh-cache" / BUILD_FOLDER
    blobs = sorted(p.name for p in (folder / "blobs").rglob("*"))
    other = BuildCache(folder, "another build's key")
    assert other.folder is not None, other.ignored  # (the first build let the cache go)
    during = build_site(root, tmp_path / "during")
    assert during.reused == 0, during.warnings
    assert any("in use by another build" in message for message in during.warnings), \
        during.warnings
    assert sorted(p.name for p in (folder / "blobs").rglob("*")) == blobs
    assert_same_site(tmp_path / "during", tmp_path / "first")
    other.close()
    after = build_site(root, tmp_path / "after")
    assert after.reused == after.records, after.warnings


def test_a_few_changes_are_kept_beside_the_index(tmp_path: Path) -> None:
    """A save that changes a few units writes them to the delta file, not the whole index;
    the next cache reads both; many changes write the index again."""
    folder = tmp_path / "cache"
    cache = BuildCache(folder, "key", within=tmp_path)
    blob, other = cache.put(b"page"), cache.put(b"other page")
    assert blob is not None and other is not None

    def unit(record_id: str, digest: str) -> CachedUnit:
        return CachedUnit((("records", record_id, digest),),
                          (CachedPage(f"{record_id}/", None, blob, None),), (), blob)

    units = {f"models/m{i:03}": unit(f"models/m{i:03}", "a") for i in range(100)}
    cache.save(units)
    cache.close()
    index = (folder / INDEX_FILE).read_bytes()

    few = {**units, "models/m001": unit("models/m001", "b"), "models/new": unit("models/new", "c")}
    del few["models/m002"]
    cache = BuildCache(folder, "key", within=tmp_path)
    assert cache.units == units
    cache.save(few)
    cache.close()
    assert (folder / INDEX_FILE).read_bytes() == index and (folder / DELTA_FILE).is_file()
    cache = BuildCache(folder, "key", within=tmp_path)
    assert cache.units == few

    many = {record_id: unit(record_id, "d") for record_id in few}
    cache.save(many)
    cache.close()
    assert (folder / INDEX_FILE).read_bytes() != index and not (folder / DELTA_FILE).exists()
    assert BuildCache(folder, "key", within=tmp_path).units == many
    assert cache.read(blob) == b"page" and not cache.blob_path(other).exists()


def test_blobs_are_written_whole_and_never_through_a_symlinked_folder(tmp_path: Path) -> None:
    root = tmp_path / "catalogue"
    root.mkdir()
    cache = BuildCache(root / ".omh-cache" / "build", "key", within=root)
    blob = cache.put(b"first")
    assert blob is not None and cache.read(blob) == b"first"
    assert cache.put(b"first") == blob  # kept already
    folder = cache.blob_path(blob).parent
    assert sorted(p.name for p in folder.iterdir()) == [blob]  # no temporary file left
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    content = b"second"
    linked = cache.blob_path(hashlib.sha256(content).hexdigest()).parent
    if linked.exists():
        shutil.rmtree(linked)
    linked.parent.mkdir(parents=True, exist_ok=True)
    linked.symlink_to(elsewhere, target_is_directory=True)
    cache.close()
    again = BuildCache(root / ".omh-cache" / "build", "key", within=root)
    assert again.put(content) is None and list(elsewhere.iterdir()) == []
    again.close()


def test_a_blob_cut_short_or_a_link_in_its_place_is_written_again(tmp_path: Path) -> None:
    """A blob is created in place (its name is its digest): one a killed build left short, or a
    link put where it goes, is replaced whole by the next build that keeps those bytes; a link
    is never written through. One whole already is left as it is."""
    root = tmp_path / "catalogue"
    root.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not the cache's")
    folder = root / ".omh-cache" / "build"
    contents = [b"cut short by a killed build", b"a link in its place", b"whole already",
                b"a page, linked in"]
    paths = []
    first = BuildCache(folder, "key", within=root)
    for content in contents:
        path = first.blob_path(hashlib.sha256(content).hexdigest())
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.append(path)
    first.close()
    paths[0].write_bytes(contents[0][:5])
    paths[1].symlink_to(outside)
    paths[2].write_bytes(contents[2])
    whole = paths[2].stat().st_ino
    paths[3].write_bytes(contents[3][:3])
    cache = BuildCache(folder, "key", within=root)
    for path, content in zip(paths[:3], contents, strict=False):
        assert cache.put(content) == path.name
        assert not path.is_symlink() and path.read_bytes() == content
    assert paths[2].stat().st_ino == whole  # left as it was
    page = tmp_path / "page.html"
    page.write_bytes(contents[3])
    assert cache.put_file(page) == paths[3].name and paths[3].read_bytes() == contents[3]
    assert outside.read_bytes() == b"not the cache's"
    cache.close()


def test_the_blobs_listed_meanwhile_are_those_listed_here(tmp_path: Path) -> None:
    """The blob listing begun in a forked process as the cache opens (``list_meanwhile``) says
    what one made in this process says; a process forked later, which cannot wait for the
    first, lists for itself; a listing nobody asked for is stopped when the cache closes."""
    folder = tmp_path / "cache"
    cache = BuildCache(folder, "key", within=tmp_path)
    blobs = [cache.put(f"page {i}".encode()) for i in range(300)]
    cache.save({f"models/m{i:03}": CachedUnit((), (CachedPage(f"models/m{i:03}/", None, blob,
                                                              None),), (), blob)
                for i, blob in enumerate(blobs) if blob})
    cache.close()
    (folder / "blobs" / "not-a-blob-folder").write_text("a stray file")
    here = BuildCache(folder, "key", within=tmp_path)
    expected = {blob: here.identity(here.blob_file(blob)) for blob in blobs if blob}
    assert all(expected.values()) and all(map(here.holds, expected))
    here.close()

    meanwhile = BuildCache(folder, "key", within=tmp_path, list_meanwhile=True)
    assert meanwhile._listed is not None
    later = forked.run_forked(lambda: {blob: (meanwhile.holds(blob), meanwhile.identity(
        meanwhile.blob_file(blob))) for blob in expected})
    assert later is not None
    assert later.wait() == {blob: (True, identity) for blob, identity in expected.items()}
    assert {blob: meanwhile.identity(meanwhile.blob_file(blob)) for blob in expected} == expected
    assert not meanwhile.holds("0" * 64) and meanwhile._listed is None
    meanwhile.close()

    unasked = BuildCache(folder, "key", within=tmp_path, list_meanwhile=True)
    listed = unasked._listed
    assert listed is not None
    unasked.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(listed._pid, os.WNOHANG)  # stopped and reaped
