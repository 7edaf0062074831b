"""Templates: the Jinja environment, relative links between pages, and the rendered page.

Every template is autoescaped: a record's text can only ever appear as text. The few helpers
that return markup (``Links.record``, the ``paragraphs`` filter) escape what they wrap.
Links between pages are relative (``../../datasets/iris/``), so the site works under any path
and from any host, and two builds write the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import InitVar, dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from catalogue.derive.analyses import Analyses, analyse
from catalogue.derive.quality import QualityReport, quality_reports
from catalogue.link.catalogue import Catalogue
from catalogue.model.kinds import KINDS
from catalogue.model.lifecycle import DELETED
from catalogue.standards.jsonld import LinkedData, model_emissions
from site_generator import formatting
from site_generator.carbon_view import CarbonFigures
from site_generator.formatting import markup

VENDOR_CHART = "assets/vendor/chart.umd.min.js"
_H2 = re.compile(r'<h2 id="([A-Za-z0-9_-]+)"[^>]*>(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class TocEntry(NamedTuple):
    id: str
    title: str
    """HTML-escaped text, as MkDocs' table of contents expects."""


@dataclass
class SiteContext:
    """What every page is rendered from."""

    catalogue: Catalogue
    carbon: CarbonFigures
    base_url: str
    """The published site's address (for citations and absolute identifiers)."""
    kind_counts: dict[str, int] = field(default_factory=dict)
    """Records of each kind a reader is offered (a deleted one keeps its page, for citations,
    but is counted and searched no more)."""
    linked: LinkedData = field(init=False)
    """The records as JSON-LD, with absolute identifiers under ``base_url``."""
    quality: dict[str, QualityReport] = field(init=False)
    """The FAIR quality score of every asset, by record id."""
    analyses: Analyses = field(init=False)
    """Leaderboards, reproducibility, reuse, trends and hyperparameter families."""
    reports: InitVar[dict[str, QualityReport] | None] = None
    """``quality`` when it is known already (``quality_memo``)."""

    def __post_init__(self, reports: dict[str, QualityReport] | None) -> None:
        self.kind_counts = {name: sum(1 for r in self.catalogue.of_kind(name)
                                      if r.status != DELETED) for name in KINDS}
        self.linked = linked_data(self.catalogue, self.carbon, self.base_url)
        self.quality = reports if reports is not None else quality_reports(
            self.catalogue, self.catalogue.records.values())
        self.analyses = analyse(self.catalogue, self.carbon.report)

    def has_page(self, record_id: object) -> bool:
        return isinstance(record_id, str) and record_id in self.catalogue.records


def linked_data(catalogue: Catalogue, carbon: CarbonFigures, base: str) -> LinkedData:
    """The records as JSON-LD with absolute identifiers under ``base``, and the models'
    emissions from ``carbon``."""
    return LinkedData(catalogue, base, model_emissions(carbon.report))


def relative_url(here: str, target: str) -> str:
    """The link from the page at ``here`` (``""`` or ``"models/x/"``) to ``target``, a path
    from the site root that is already URL-safe (record ids are slugs; file names are quoted
    by whoever publishes them)."""
    return ("../" * here.count("/") + target) or "./"


class Links:
    """Link helpers bound to the page being rendered."""

    def __init__(self, site: SiteContext, here: str) -> None:
        self.site = site
        self.here = here

    def url(self, target: str) -> str:
        return relative_url(self.here, target)

    def record_url(self, record_id: object) -> str | None:
        return self.url(f"{record_id}/") if self.site.has_page(record_id) else None

    def title(self, record_id: object) -> str:
        return self.site.catalogue.title_of(record_id) if isinstance(record_id, str) else str(
            record_id)

    def versioned(self, record_id: object) -> str:
        """The record's title with its version, to tell versions apart in lists."""
        record = self.site.catalogue.get(record_id) if isinstance(record_id, str) else None
        version = record.data.get("version") if record is not None else None
        title = self.title(record_id)
        return f"{title} v{version}" if isinstance(version, str) else title

    def record(self, record_id: object, text: object = None) -> Markup:
        """A link to the record's page, or its id as text when it has no page; named with
        its version by default, since two versions share a name."""
        label = str(text) if text is not None else self.versioned(record_id)
        url = self.record_url(record_id)
        if url is None:
            return markup('<span class="omh-missing" title="not in the catalogue">{}</span>', label)
        return markup('<a href="{}">{}</a>', url, label)

    def external(self, url: object, text: object = None) -> Markup:
        """A link to another site, for an ``http(s)`` URL only; anything else is shown as
        text (a record's URL never becomes a ``javascript:`` or relative link)."""
        label = str(text if text is not None else url)
        if isinstance(url, str) and re.match(r"^https?://[^\s/]", url) and \
                not _CONTROL.search(url):
            return markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>',
                url, label)
        return markup("{}", label) if url is not None else Markup(formatting.DASH)

    def mailto(self, email: object) -> Markup:
        text = str(email)
        if re.fullmatch(r"[^\s@<>\"'\\:/]+@[^\s@<>\"'\\:/]+", text):
            return markup('<a href="mailto:{}">{}</a>', text, text)
        return markup("{}", text)

    def records(self, record_ids: Iterable[object]) -> Markup:
        return Markup(", ").join(self.record(i) for i in record_ids)


def paragraphs(text: object) -> Markup:
    """Plain text as paragraphs (a blank line starts a new one); never interpreted as HTML."""
    if text is None or text == "":
        return Markup("")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", str(text)) if b.strip()]
    return Markup("").join(markup("<p>{}</p>", " ".join(b.split())) for b in blocks)


_BREAK_AFTER = re.compile(r"([/._-]+)(?=[^/._-])")


def breakable(text: object) -> Markup:
    """An identifier (a file name, a media type, a record id) that may wrap after its ``/``,
    ``.``, ``_`` and ``-`` on a narrow screen, and nowhere else."""
    return Markup("<wbr>").join(escape(part) for part in _BREAK_AFTER.sub("\\1\0", str(
        text)).split("\0"))


def here_url(code: str, page_url: str) -> Markup:
    """``code`` escaped, with the page's published address marked so that the page's script
    can put the address the page is served from in its place (see ``usage``)."""
    escaped, url = escape(code), escape(page_url)
    return Markup(escaped.replace(url, markup('<span data-omh-here="{}">{}</span>',
        page_url, page_url)))


def host(url: object) -> str:
    return urlsplit(str(url)).hostname or str(url)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("site_generator", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates are the package's own: read once a process, not looked at again on
        # each of the dozen includes of every page.
        auto_reload=False,
    )
    # JSON written into pages (``tojson``) is JSON: no NaN or infinity.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "allow_nan": False}
    env.filters.update({
        "number": formatting.number, "size": formatting.size, "date": formatting.date,
        "duration": formatting.duration, "hours": formatting.hours, "kg": formatting.kg,
        "kwh": formatting.kwh, "percent": formatting.percent, "label": formatting.label,
        "stated": formatting.stated, "shape": formatting.shape,
        "truncate_text": formatting.truncate, "ms": formatting.milliseconds,
        "mb": formatting.megabytes, "gb": formatting.gigabytes, "paragraphs": paragraphs,
        "wbr": breakable, "here": here_url, "host": host,
    })
    env.globals.update({"KINDS": KINDS, "DASH": formatting.DASH,
                        "pager_pages": formatting.pager_pages})
    return env


ENVIRONMENT = _environment()


def table_of_contents(page_html: str) -> list[TocEntry]:
    """The page's sections: every ``<h2 id=...>`` the templates wrote."""
    return [TocEntry(anchor, str(escape(html.unescape(_TAGS.sub("", title)).strip())))
            for anchor, title in _H2.findall(page_html)]


def render(template: str, site: SiteContext, here: str, **context: Any) -> str:
    return ENVIRONMENT.get_template(template).render(
        links=Links(site, here), site=site, here=here, **context)
