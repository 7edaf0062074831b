"""The site as a reader meets it, read from the built example site: versions on every page
that names an asset, the first screen's menus, the zip of a record's files, the 404 page, the
carbon method in words, and no stray "None" anywhere. (``test_site_reader_browser`` looks at
the same site in Chromium, at a phone's width and a desktop's.)"""

from __future__ import annotations

import hashlib
import html
import io
import re
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_site_support import REPO, example_site, html_pages, serve_folder

from catalogue.derive.quality import quality_report
from catalogue.load.store import RecordStore
from catalogue.pipeline import load_catalogue
from site_generator.record_zip import zip_name
from site_generator.search import card_prose, one_character_words_weightless, weights

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.getbasetemp())


class _Text(HTMLParser):
    """The title and the visible text nodes of a page (not scripts or styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.texts: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self._in_title = tag == "title" and not self.title  # the page's, not a drawing's

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip and data.strip():
            self.texts.append(data.strip())


def _read(page: Path) -> _Text:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _page(site: Path, record_id: str) -> str:
    return (site / record_id / "index.html").read_text(encoding="utf-8")


def test_titles_are_unique_and_carry_the_version(site: Path) -> None:
    titles: dict[str, Path] = {}
    for page in html_pages(site):
        title = " ".join(_read(page).title.split())
        assert title, page
        assert title not in titles, f"{page} and {titles.get(title)}: {title}"
        titles[title] = page
    store = RecordStore(REPO)
    for record in store.load_all():
        version = record.data.get("version")
        if isinstance(version, str):
            assert _read(site / record.id / "index.html").title.startswith(
                f"{record.title} v{version} \u00b7 {record.kind.label} - ")


def test_no_page_shows_a_stray_none(site: Path) -> None:
    for page in html_pages(site):
        assert "None" not in _read(page).texts, page


def test_every_version_lists_the_chain_and_names_the_latest(site: Path) -> None:
    chain = ["datasets/weather-station-readings-v1", "datasets/weather-station-readings-v1-1",
             "datasets/weather-station-readings-v2"]
    for record_id in chain:
        page = _page(site, record_id)
        versions = page.split('<ol class="omh-versions">')[1].split("</ol>")[0]
        found = re.findall(r"Weather Station Readings v([0-9.]+)", versions)
        assert found == ["1.0.0", "1.0.1", "2.0.0"], record_id
        assert re.search(r'v2\.0\.0.*?<span class="omh-chip omh-chip--latest">latest</span>',
                         versions)
        newer = "A newer version exists" in page
        assert newer == (record_id != chain[-1]), record_id
    old = _page(site, chain[0])
    assert re.search(r"A newer version exists: <a [^>]*>Weather Station Readings v2\.0\.0</a>",
                     old)
    assert "Earlier versions: " not in old
    beta = _page(site, "models/climate-detection-resnet-beta")
    assert re.search(r"Replaced by <a [^>]*>Climate Detection ResNet Model v1\.0\.0</a>", beta)
    model = _page(site, "models/climate-detection-resnet")
    performance = model.split('id="performance"')[1].split("</table>")[0]
    assert "Climate Change Detection Dataset v1.0.0" in performance  # metrics name the version


def test_deprecation_notice_says_why_and_nothing_more(site: Path) -> None:
    page = _page(site, "datasets/weather-station-readings-v1")
    notice = page.split('<p class="admonition-title">Deprecated</p>')[1].split("</div>")[0]
    assert "None" not in notice and "<p></p>" not in notice
    assert "Replaced by" in notice or "superseded" in notice.lower() or len(notice) > 40


def test_home_counts_what_the_search_offers(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    counts = dict((label, int(count.replace(",", ""))) for count, label in re.findall(
        r'<span class="omh-kind-card__count">([0-9,]+)</span>'
        r'<span class="omh-kind-card__label">([^<]+)</span>', home))
    records = RecordStore(REPO).load_all()
    offered = sum(1 for r in records if r.kind.name == "dataset" and r.status != "deleted")
    assert any(r.kind.name == "dataset" and r.status == "deleted" for r in records)
    assert counts["Datasets"] == offered


def test_quality_hints_count_in_the_table_s_points(site: Path) -> None:
    catalogue, _ = load_catalogue(REPO, check=False)
    record = catalogue.records["models/climate-detection-resnet-beta"]
    report = quality_report(record, catalogue)
    page = html.unescape(_page(site, record.id))
    assert report.failed
    for check in report.failed:
        missing = check.weight - check.points
        assert (f"{check.points} / {check.weight}" in page
                and f"(+{missing} point{'s' if missing != 1 else ''}, "
                    f"+{report.gain(check)} on the score)" in page), check.id


def test_the_record_s_tab_is_the_current_one(site: Path) -> None:
    page = _page(site, "models/iris-softmax-classifier")
    active = re.search(r'<li class="md-tabs__item md-tabs__item--active">\s*<a href="([^"]+)"',
                       page)
    assert active is not None and active.group(1) == "../"  # the list of models


def test_the_404_page_offers_a_way_on(site: Path) -> None:
    page = (site / "404.html").read_text(encoding="utf-8")
    assert "<title>Page not found - Open Models Hub</title>" in page
    assert re.search(r'<form [^>]*action="/search/"', page)
    for path in ("/", "/models/", "/datasets/", "/carbon/"):
        assert f'href="{path}"' in page, path


def test_the_carbon_method_reads_for_people(site: Path) -> None:
    page = html.unescape((site / "carbon" / "index.html").read_text(encoding="utf-8"))
    method = page.split('id="method"')[1]
    assert "unknown_utilisation_low_percent" not in method and "_kg" not in method
    assert "prototype" not in method.lower()
    assert "Lowest utilisation assumed when a run does not record it" in method


def test_the_first_screen_offers_download_cite_use_and_metadata(site: Path) -> None:
    page = _page(site, "models/iris-softmax-classifier")
    hero = page.split('<header class="omh-hero">')[1].split("</header>")[0]
    for menu in ("Download", "Cite", "Use", "Metadata"):
        assert f">{menu}</summary>" in hero, menu
    assert 'href="model.onnx" download>model.<wbr>onnx</a>' in hero
    assert f'href="{zip_name_of("models/iris-softmax-classifier")}" download' in hero
    for fmt in ("BibTeX", "RIS", "CSL JSON"):
        assert f"<strong>{fmt}</strong>" in hero
    assert 'data-omh-snippet="onnxruntime"' in hero and 'data-omh-snippet="environment"' in hero
    assert 'href="record.json"' in hero and 'href="../../catalogue.nq"' in hero
    # the card is read in full further down, once; the page does not repeat its sections
    assert page.count('id="card-what-it-predicts"') == 1 and 'id="uses"' not in page


def zip_name_of(record_id: str) -> str:
    catalogue, _ = load_catalogue(REPO, check=False)
    return zip_name(catalogue.records[record_id])


def test_the_zip_holds_the_published_files_byte_for_byte(site: Path) -> None:
    folder = site / "models" / "iris-softmax-classifier"
    name = zip_name_of("models/iris-softmax-classifier")
    with zipfile.ZipFile(folder / name) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        prefix = name.removesuffix(".zip") + "/"
        for member in names:
            relative = member.removeprefix(prefix)
            assert archive.read(member) == (folder / relative).read_bytes(), member
            assert archive.getinfo(member).date_time == (2025, 11, 3, 0, 0, 0)
    assert {prefix + n for n in ("model.onnx", "samples.npz", "citation.bib",
                                 "parity-report.json")} <= set(names)
    assert not (site / "datasets" / "urban-street-imagery" / zip_name_of(
        "datasets/urban-street-imagery")).exists()  # deleted: no files


def test_illustrative_files_are_described_not_linked(site: Path) -> None:
    body = _page(site, "models/climate-detection-resnet").split('class="omh-page')[1]
    assert not re.search(r'href="https?://[a-z.]*\.example/', body)  # named, never linked
    files = body.split('id="files"')[1].split("</table>")[0]
    assert files.count("not shipped") == 2 and "resnet50.<wbr>onnx" in files
    assert "ONNX parity: not checked" in body


def test_search_documents_index_prose(site: Path) -> None:
    card = card_prose('<h3 id="card-usage">Usage</h3><pre><code>python x.py</code></pre>'
                      '<h4 id="card-citation">Citation</h4><pre><code>@misc{x}</code></pre>'
                      '<p>cite us</p><h3 id="card-licence">Licence</h3><p>MIT</p>')
    assert card.count("data-pagefind-ignore") == 3
    assert '<div data-pagefind-ignore><h4 id="card-citation">' in card
    assert card.endswith('<h3 id="card-licence">Licence</h3><p>MIT</p>')
    text = one_character_words_weightless('<p title="a b">Given a 224 x 224 tile</p>')
    assert text == ('<p title="a b">Given <span data-pagefind-weight="0">a</span> 224 '
                    '<span data-pagefind-weight="0">x</span> 224 tile</p>')
    catalogue, _ = load_catalogue(REPO, check=False)
    flagship, beta = (catalogue.records[f"models/climate-detection-resnet{s}"]
                      for s in ("", "-beta"))
    assert weights(flagship)[0] > weights(beta)[0] and weights(beta)[1] < 1


def test_published_artefacts_are_served_as_recorded(site: Path) -> None:
    """A link checker for the example's own artefacts: every file a record page links beside
    itself is served on 127.0.0.1 with the size and sha256 its record gives."""
    checked = 0
    with serve_folder(site) as base:
        for record in RecordStore(REPO).load_all():
            page = _page(site, record.id)
            for artefact in record.data.get("artefacts") or []:
                path = artefact.get("path") if isinstance(artefact, dict) else None
                if not path or f'href="{path}"' not in page:
                    continue
                with urllib.request.urlopen(f"{base}{record.id}/{path}", timeout=10) as reply:
                    body = reply.read()
                assert len(body) == artefact["size_bytes"], (record.id, path)
                assert hashlib.sha256(body).hexdigest() == artefact["sha256"], (record.id, path)
                checked += 1
            bundle = zip_name(record)
            if f'href="{bundle}"' in page:
                with urllib.request.urlopen(f"{base}{record.id}/{bundle}", timeout=10) as reply:
                    assert zipfile.ZipFile(io.BytesIO(reply.read())).testzip() is None
    assert checked >= 10
