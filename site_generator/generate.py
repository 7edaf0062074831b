"""Generate: the whole site as data, from a loaded catalogue (no MkDocs involved)."""

from __future__ import annotations

from catalogue.link.catalogue import Catalogue
from catalogue.model.kinds import KINDS
from catalogue.standards.urls import base_url
from site_generator.analyse_view import ANALYSE_PATH, analyse_pages
from site_generator.carbon_view import carbon_figures
from site_generator.dashboard import carbon_page, home_page
from site_generator.listing import kind_pages, list_path, overflow_pages
from site_generator.record_pages import record_page
from site_generator.related import Overflow
from site_generator.render import SiteContext
from site_generator.search import indexed_page, search_page
from site_generator.site import Site
from site_generator.site_files import machine_files, sitemap_files

CARBON_PATH = "carbon/"


def navigation() -> list[tuple[str, str]]:
    """The top-level navigation: a fixed, short list. Asset pages are reached from the lists,
    search and links, never listed on every page (which would make the site grow with the
    square of its size)."""
    return [("Home", ""), *((kind.plural_label, list_path(kind.name)) for kind in KINDS.values()),
            ("Carbon", CARBON_PATH), ("Analyse", ANALYSE_PATH)]


def generate(catalogue: Catalogue) -> Site:
    site = SiteContext(catalogue, carbon_figures(catalogue),
                       base_url(catalogue.settings.site_url))
    overflow = Overflow(catalogue)
    result = Site(nav=navigation())
    for record in catalogue.records.values():
        page, files = record_page(record, site, overflow)
        result.pages.append(indexed_page(page, record, site))
        result.files.extend(files)
    result.pages.extend(overflow_pages(site, overflow))
    for kind in KINDS:
        result.pages.extend(kind_pages(site, kind))
    result.pages.append(home_page(site))
    result.pages.append(carbon_page(site))
    pages, files = analyse_pages(site)
    result.pages.extend(pages)
    result.files.extend(files)
    result.pages.append(search_page(site))
    result.files.extend(machine_files(site.linked))
    result.overrides.update(sitemap_files(site.linked))
    return result.sorted()
