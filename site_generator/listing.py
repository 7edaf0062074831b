"""Pages that list records: one paginated list per kind (in the navigation), and the pages of
a record's related records that are too many to show on the record's own page."""

from __future__ import annotations

from typing import NamedTuple

from catalogue.model.kinds import KINDS, KINDS_BY_FOLDER
from catalogue.model.records import Record
from site_generator import formatting
from site_generator.kind_views import VIEWS
from site_generator.related import Overflow, by_title, overflow_path, pages_of
from site_generator.render import SiteContext, render, table_of_contents
from site_generator.site import GeneratedPage

LIST_PAGE_SIZE = 50


def list_path(kind: str, page: int = 1) -> str:
    folder = KINDS[kind].folder
    return f"{folder}/" if page == 1 else f"{folder}/page/{page}/"


def _latest(records: list[Record]) -> str | None:
    dates = [d for d in (formatting.day(r.data.get("updated_at")) or formatting.day(
        r.data.get("created_at")) for r in records) if d]
    return max(dates) if dates else None


class ListPage(NamedTuple):
    """One page of a kind's list: what it shows, all but the records' own values."""

    kind: str
    number: int
    ids: tuple[str, ...]
    total: int
    page_count: int
    latest: str | None

    @property
    def path(self) -> str:
        return list_path(self.kind, self.number)


def kind_lists(site: SiteContext, kind: str) -> list[ListPage]:
    """The kind's list, ``LIST_PAGE_SIZE`` records a page, by title."""
    records = site.catalogue.of_kind(kind)
    ids = tuple(by_title(site.catalogue, (r.id for r in records)))
    chunks = pages_of(ids, LIST_PAGE_SIZE)
    latest = _latest(records)
    return [ListPage(kind, number, chunk, len(ids), len(chunks), latest)
            for number, chunk in enumerate(chunks, start=1)]


def list_page(site: SiteContext, page: ListPage) -> GeneratedPage:
    kind, number, here = page.kind, page.number, page.path
    label = KINDS[kind].plural_label
    html = render("list.html", site, here, kind=kind, title=label, ids=page.ids,
                  columns=VIEWS[kind].columns, total=page.total, number=number,
                  count=page.page_count, first=(number - 1) * LIST_PAGE_SIZE + 1,
                  page_url=lambda n, k=kind: list_path(k, n))
    return GeneratedPage(
        here, label if number == 1 else f"{label} (page {number})", html,
        tuple(table_of_contents(html)), description=f"{label} in the catalogue",
        date=page.latest, searchable=False)


def overflow_pages(site: SiteContext, overflow: Overflow) -> list[GeneratedPage]:
    pages = []
    for request in overflow.requests:
        owner = request.owner
        folder = request.ids[0].split("/", 1)[0] if request.ids else owner.kind.folder
        listed = KINDS_BY_FOLDER.get(folder, owner.kind)
        columns = VIEWS[listed.name].columns
        chunks = pages_of(request.ids)
        date = formatting.day(owner.data.get("updated_at")) or formatting.day(
            owner.data.get("created_at"))
        for number, chunk in enumerate(chunks, start=1):
            here = overflow_path(owner.id, request.key, number)
            title = f"{request.title}: {owner.title}"
            html = render("related.html", site, here, owner=owner, title=request.title,
                          ids=chunk, columns=columns, total=len(request.ids), number=number,
                          count=len(chunks), first=(number - 1) * len(chunks[0]) + 1,
                          page_url=lambda n, o=owner.id, k=request.key: overflow_path(o, k, n))
            pages.append(GeneratedPage(here, title if number == 1 else
                                       f"{title} (page {number})", html,
                                       tuple(table_of_contents(html)), date=date,
                                       searchable=False))
    return pages
