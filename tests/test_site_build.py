"""``omh build``: every record gets a page, every internal link resolves, nothing is loaded from
another host, two builds are byte-identical, and bad input gets a message instead of a site."""

from __future__ import annotations

import gzip
import re
import struct
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from conftest import minimal_records, write_catalogue, write_record
from test_site_support import (
    REPO,
    build_once,
    example_site,
    html_pages,
    mkdocs_config,
    parse_page,
    site_files,
)

from catalogue.load.store import RecordStore
from catalogue.model.kinds import KINDS
from catalogue.pipeline import load_catalogue
from catalogue.standards.exports import EXPORT_FORMATS
from omh.cli import main
from site_generator import record_pages
from site_generator.build import build_site
from site_generator.exports_view import PageExports
from site_generator.kind_views import lineage_graph
from site_generator.lineage import PER_RELATION
from site_generator.related import INLINE_LIMIT

pytestmark = pytest.mark.slow
SITE_HOST = "openmodelshub.example"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


def _target(site: Path, page: Path, url: str) -> tuple[Path, str] | None:
    """The file a URL of ``page`` points to inside the site, and its fragment; None for a URL
    of another site."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if parts.hostname != SITE_HOST:
            return None
        target = site / unquote(parts.path).lstrip("/")
    elif parts.scheme or url.startswith("//"):
        return None
    elif url.startswith("/"):
        target = site / unquote(parts.path).lstrip("/")
    elif not parts.path:
        target = page
    else:
        target = page.parent / unquote(parts.path)
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.resolve(), parts.fragment


def test_every_record_has_a_page(site: Path) -> None:
    store = RecordStore(REPO)
    missing = [i for i in store.ids() if not (site / i / "index.html").is_file()]
    assert not missing
    assert len(store.ids()) >= 20
    for kind in KINDS.values():
        assert (site / kind.folder / "index.html").is_file()
    assert (site / "index.html").is_file()
    assert (site / "carbon" / "index.html").is_file()


def test_every_internal_link_resolves(site: Path) -> None:
    broken = []
    checked = 0
    for page in html_pages(site):
        for tag, url, _ in parse_page(page).urls:
            found = _target(site, page, url)
            if found is None:
                continue
            target, fragment = found
            checked += 1
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)}: <{tag}> {url}")
            elif fragment and target.suffix == ".html" and fragment not in parse_page(
                    target).ids:
                broken.append(f"{page.relative_to(site)}: <{tag}> {url} (no #{fragment})")
    assert checked > 500
    assert not broken, "\n".join(broken[:30])


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    offending = []
    for page in html_pages(site):
        for tag, url, attributes in parse_page(page).urls:
            if tag == "a":
                continue
            parts = urlsplit(url)
            if tag == "link" and attributes.get("rel") == "canonical":
                assert parts.hostname == SITE_HOST, url
                continue
            if parts.scheme in ("http", "https") or url.startswith("//"):
                offending.append(f"{page.relative_to(site)}: <{tag}> {url}")
    assert not offending, "\n".join(offending[:30])
    for stylesheet in site.rglob("*.css"):
        text = stylesheet.read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), stylesheet


def test_fonts_are_off_and_libraries_served_locally(site: Path) -> None:
    assert re.search(r"^\s+font: false\s*$", (REPO / "mkdocs.yml").read_text(), re.M)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home
    model = (site / "models" / "climate-detection-resnet" / "index.html").read_text("utf-8")
    assert '<svg class="omh-lineage__graph"' in model  # drawn at build time: no script
    experiment = (site / "experiments" / "climate-detection-training-run" /
                  "index.html").read_text("utf-8")
    assert 'src="../../assets/vendor/chart.umd.min.js"' in experiment
    assert (site / "assets" / "vendor" / "chart.umd.min.js").stat().st_size > 100_000
    assert "chart.umd.min.js" not in home and "chart.umd.min.js" not in model
    assert not (site / "assets" / "vendor" / "mermaid.min.js").exists()


def test_every_page_has_a_content_security_policy(site: Path) -> None:
    for page in html_pages(site):
        head = page.read_text(encoding="utf-8")[:3000]
        assert '<meta http-equiv="Content-Security-Policy"' in head, page
        assert "script-src 'self'" in head and "object-src 'none'" in head


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    again = build_site(REPO, tmp_path / "again").site_dir
    first, second = site_files(site), site_files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_sitemap_lists_exactly_the_asset_pages_with_record_dates(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>https://openmodelshub\.example/(.*?)</loc>", sitemap)
    store = RecordStore(REPO)
    assert sorted(locations) == sorted(f"{record_id}/" for record_id in store.paths)
    assert all((site / path / "index.html").is_file() for path in locations)
    entry = re.search(r"<loc>https://openmodelshub\.example/models/climate-detection-resnet/"
                      r"</loc><lastmod>([0-9-]+)</lastmod>", sitemap)
    assert entry is not None
    record = store.get("models/climate-detection-resnet")
    assert record is not None
    assert entry.group(1) == str(record.data.get("updated_at") or record.data["created_at"])
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode() == sitemap
    assert struct.unpack("<I", (site / "sitemap.xml.gz").read_bytes()[4:8])[0] == 0
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://openmodelshub.example/sitemap.xml" in robots


def test_navigation_lists_only_the_sections(site: Path) -> None:
    page = (site / "models" / "climate-detection-resnet" / "index.html").read_text("utf-8")
    tabs = re.findall(r'class="md-tabs__link"', page)
    assert len(tabs) == len(KINDS) + 3  # Home, the kinds, Carbon, Analyse
    assert "md-nav__link" not in page.split("md-content")[0] or page.count(
        "md-nav__link") < 40


def test_model_page_shows_its_facts(site: Path) -> None:
    page = (site / "models" / "climate-detection-resnet" / "index.html").read_text("utf-8")
    for text in ("Technical details", "PyTorch 1.12.0", "45 ms", "440 MB", "Architecture",
                 "Inputs and outputs", "batch \u00d7 3 \u00d7 224 \u00d7 224", "Files",
                 "8dddf9907219aa99b28820268a49f9191179665c5377361fb5e2246a4116df36",
                 "ONNX parity", "Resource usage", "Environmental impact", "Model card",
                 "doi:10.5555/11223344", "Copy citation", 'class="omh-lineage__graph"',
                 'href="labels.json"', "Climate Change Detection Dataset"):
        assert text in page, text
    assert (site / "models" / "climate-detection-resnet" / "labels.json").is_file()
    iris = (site / "models" / "iris-softmax-classifier" / "index.html").read_text("utf-8")
    assert "ONNX parity: passed" in iris
    assert (site / "models" / "iris-softmax-classifier" / "parity-report.json").is_file()


def test_dataset_page_shows_its_facts(site: Path) -> None:
    page = (site / "datasets" / "climate-change-detection" / "index.html").read_text("utf-8")
    for text in ("Dataset statistics", "10,000", "Privacy and ethics", "Data collection",
                 "Sampling strategy", "Columns and schema", "Categorical", "Numerical",
                 "Splits", "Used by", "Climate Detection Training Run",
                 "Climate Detection ResNet Model", "Citation", "Lineage"):
        assert text in page, text


def test_deprecated_and_deleted_records_keep_their_page(site: Path) -> None:
    """Deleted: metadata only, no files. Deprecated: the notice, and the files stay available
    so that results obtained with it remain reproducible (the data life plan)."""
    deleted = (site / "datasets" / "urban-street-imagery" / "index.html").read_text("utf-8")
    assert '<p class="admonition-title">Deleted</p>' in deleted
    downloads = set(re.findall(r'href="([^"]+)" download>', deleted))
    assert downloads <= set(EXPORT_FORMATS.values())  # metadata only
    assert "(external)" not in deleted
    published = {p.name for p in (site / "datasets" / "urban-street-imagery").iterdir()}
    assert published <= {"index.html", "record.json", *EXPORT_FORMATS.values()}
    beta_dir = site / "models" / "climate-detection-resnet-beta"
    beta = (beta_dir / "index.html").read_text("utf-8")
    assert '<p class="admonition-title">Deprecated</p>' in beta
    assert 'href="../../models/climate-detection-resnet/"' in beta  # replaced_by
    assert (beta_dir / "labels.json").is_file() and 'href="labels.json"' in beta


def _exports(record: Any, linked: Any) -> PageExports:
    return PageExports({"@context": "https://schema.org", "@type": "Thing",
                        "name": "</script><script>alert(1)</script>"},
                       {"metadata.jsonld": "{}\n", "citation.bib": "@misc{x}\n"})


def test_jsonld_and_exports_plug_into_one_seam(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    monkeypatch.setattr(record_pages, "page_exports", _exports)
    site = build_site(root, tmp_path / "site").site_dir
    page = (site / "models" / "test-model" / "index.html").read_text("utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None and "\\u003c/script\\u003e" in block.group(1)
    assert 'href="metadata.jsonld" download' in page and 'href="citation.bib"' in page
    assert (site / "models" / "test-model" / "metadata.jsonld").read_text() == "{}\n"


def test_long_relations_move_to_their_own_pages(tmp_path: Path) -> None:
    records: dict[str, Any] = dict(minimal_records())
    for i in range(INLINE_LIMIT + 5):
        dataset = dict(records["datasets/test-data"], name=f"Extra data {i:02d}")
        records[f"datasets/extra-data-{i:02d}"] = dataset
    root = write_catalogue(tmp_path / "catalogue", records)
    site = build_site(root, tmp_path / "site").site_dir
    org = (site / "organizations" / "test-institute" / "index.html").read_text("utf-8")
    assert org.count('href="../../datasets/extra-data-') == INLINE_LIMIT
    assert f"All {INLINE_LIMIT + 6} datasets" in org
    related = site / "organizations" / "test-institute" / "related" / "datasets" / "index.html"
    links = re.findall(r'href="../../../../datasets/[a-z0-9-]+/"', related.read_text("utf-8"))
    assert len(links) == INLINE_LIMIT + 6


def test_build_refuses_a_catalogue_with_errors(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path, dict(minimal_records()))
    broken = dict(minimal_records()["models/test-model"], licence="MIT")
    write_record(root, "models/test-model", broken)
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "models/test-model/record.yaml:" in err and "licence" in err
    assert "not built" in err and "--force" in err and "Traceback" not in err
    assert not (root / "site").exists()
    assert main(["build", "--root", str(root), "--force"]) == 0
    assert (root / "site" / "models" / "test-model" / "index.html").is_file()
    assert "despite 1 error(s)" in capsys.readouterr().out


def test_build_refuses_an_output_folder_it_would_wipe(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = write_catalogue(tmp_path / "catalogue", dict(minimal_records()))
    assert main(["build", "--root", str(root), "--site-dir", str(root)]) == 1
    assert "cannot be the catalogue folder" in capsys.readouterr().err
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    assert main(["build", "--root", str(root), "--site-dir", str(tmp_path / "notes")]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


def test_generated_files_never_land_in_the_repository(site: Path) -> None:
    assert build_once(REPO, site) == site
    assert not (REPO / "docs").exists()
    # As git reads .gitignore: node_modules may be a folder or a link to one.
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "site/", "node_modules/",
                              "node_modules"], capture_output=True, text=True, check=False)
    assert ignored.stdout.split() == ["site/", "node_modules/", "node_modules"]


def test_forced_build_survives_values_of_the_wrong_type(tmp_path: Path) -> None:
    records: dict[str, Any] = dict(minimal_records())
    records["models/test-model"].update(
        name=123, description=42, subjects="not a list", input_schema={"a": 1},
        evaluations=["x", {"metric": 5, "value": "high", "dataset": 7}], class_labels="abc",
        inference_time_ms="fast", framework=["x"], created_by="researchers/ada-lovelace",
        artefacts=[{"path": 5}, "x", {"url": "ftp://x", "sha256": "0" * 64, "size_bytes": 1,
                                      "media_type": "a/b", "role": "weights"}],
        version=2, parent_version=5, created_at=20250101, parity="strict", base_model=[1])
    records["experiments/test-run"].update(
        datasets="x", metrics=[{"name": "m", "steps": "no"}, 3, {"steps": [{"step": "a"}]}],
        resource_utilizations=[{"resource": 5, "duration_seconds": "long"}, "y"],
        hyperparameters=["a"], environment_specification="py", checkpoints=[{"artefact": 1}],
        produced_models="models/test-model", duration_seconds=None, start_time=5)
    records["datasets/test-data"].update(
        columns=[{"name": 1}, "c"], splits="train", temporal_coverage="2020",
        num_records="many", related_publications=[{"citation": 1, "url": 2}])
    records["organizations/test-institute"].update(location="Berlin", policies=[{"name": 1}],
                                                   website="javascript:alert(1)")
    records["researchers/ada-lovelace"].update(affiliations="org", email=["x"], orcid_id=5)
    records["resources/test-workstation"].update(location=5, gpu_count="two", pue="high")
    root = write_catalogue(tmp_path / "catalogue", records)
    result = build_site(root, tmp_path / "site", force=True)
    assert any(f.severity == "error" for f in result.findings)
    for record_id in records:
        assert (result.site_dir / record_id / "index.html").is_file(), record_id
    org = (result.site_dir / "organizations" / "test-institute" / "index.html").read_text()
    assert 'href="javascript:' not in org and "<dd>javascript:alert(1)</dd>" in org


def test_lineage_graph_shows_a_bounded_neighbourhood(tmp_path: Path) -> None:
    records: dict[str, Any] = dict(minimal_records())
    for i in range(PER_RELATION + 3):
        records[f"experiments/extra-run-{i}"] = dict(records["experiments/test-run"],
                                                     name=f"Extra run {i}", produced_models=[])
    root = write_catalogue(tmp_path, records)
    catalogue, _ = load_catalogue(root, check=False)
    dataset = catalogue.get("datasets/test-data")
    assert dataset is not None
    graph = lineage_graph(dataset, catalogue)
    assert graph is not None
    assert len([n for n in graph.nodes.values() if n.kind == "experiment"]) == PER_RELATION
    svg = str(graph.svg(lambda record_id: f"../../{record_id}/", "Lineage of Test Data"))
    assert svg.startswith('<svg class="omh-lineage__graph"') and ">+4 more<" in svg
    assert svg.count('<a href="../../experiments/') == PER_RELATION
    assert 'omh-lineage__node--current' in svg and ">Test Data v1.0.0<" in svg
    assert "<script" not in svg and " on" not in svg.replace(" omh-", "")


def test_asset_pages_show_their_quality_score(site: Path) -> None:
    from catalogue.derive.quality import quality_report
    from catalogue.pipeline import load_catalogue

    catalogue, _ = load_catalogue(REPO, check=False)
    for record_id in ("models/climate-detection-resnet", "datasets/urban-street-imagery",
                      "experiments/climate-detection-training-run"):
        report = quality_report(catalogue.records[record_id], catalogue)
        page = (site / record_id / "index.html").read_text("utf-8")
        assert f"Quality score {report.score}%" in page
        assert f"<strong>{report.score} / 100</strong>" in page
        for check in report.failed:
            assert check.title in page
    person = (site / "researchers" / "alice-johnson" / "index.html").read_text("utf-8")
    assert "Quality score" not in person


def test_a_later_build_in_the_process_builds_its_own_catalogue(tmp_path: Path) -> None:
    """MkDocs keeps one ``omh`` plugin object for the whole process: a build after
    ``build_site`` (a preview, another catalogue) must not get ``build_site``'s catalogue."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    first, second = tmp_path / "first", tmp_path / "second"
    write_catalogue(first, minimal_records())
    build_site(first, tmp_path / "first-site", force=True)
    records = minimal_records()
    records["models/test-model"]["name"] = "Second Catalogue Model"
    write_catalogue(second, records)
    config_file = mkdocs_config(second, tmp_path / "work", tmp_path / "second-site",
                                search=False)
    mkdocs_build(load_config(config_file=str(config_file)))
    page = tmp_path / "second-site" / "models" / "test-model" / "index.html"
    assert "Second Catalogue Model" in page.read_text(encoding="utf-8")
