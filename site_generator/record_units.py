"""Each record's unit of output, built in a process pool or taken from the build cache.

A unit is a record's page (with its search document), the pages of its related lists that do
not fit on it, the files published beside them and its lines of the N-Quads dump: everything
about one record that no other record's output needs. Units are independent, so they are built
in worker processes (forked after the site-wide figures are computed, so each worker starts with
them) and put back in record-id order, which keeps two builds byte-identical whatever the
number of workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass

from catalogue.link.catalogue import Catalogue
from catalogue.link.graph import Graph
from catalogue.load.forked import forked_map
from catalogue.model.records import Record
from site_generator.build_cache import BuildCache, CachedUnit
from site_generator.listing import overflow_pages
from site_generator.lookup_values import Tables, Values
from site_generator.record_pages import record_page
from site_generator.related import Overflow
from site_generator.render import SiteContext
from site_generator.search import indexed_page
from site_generator.site import Unit
from site_generator.site_files import record_machine_files
from site_generator.spill import Spill
from site_generator.tracing import (
    INCOMING,
    OUTGOING,
    QUALITY,
    RECORDS,
    TracedDict,
    note,
    trace,
    traced,
    traced_list,
)


def catalogue_tables(catalogue: Catalogue) -> Tables:
    """The records and the link graph, traced (``trace_tables`` puts them in place)."""
    graph = catalogue.graph
    return {RECORDS: traced(RECORDS, catalogue.records),
            OUTGOING: traced(OUTGOING, graph.outgoing),
            INCOMING: traced(INCOMING, graph.incoming)}


def trace_tables(site: SiteContext, tables: Tables) -> None:
    """Put every table a page reads behind ``tracing``: the records and the link graph
    (``tables``, from ``catalogue_tables``), and every dict or list field of the quality
    reports, analyses, carbon roll-up and emissions, which are added to ``tables``."""
    catalogue = site.catalogue
    catalogue.records = tables[RECORDS]  # type: ignore[assignment]
    catalogue.graph = Graph(catalogue.records, tables[OUTGOING],  # type: ignore[arg-type]
                            tables[INCOMING])  # type: ignore[arg-type]
    site.quality = traced(QUALITY, site.quality)
    site.kind_counts = traced("kind_counts", site.kind_counts)
    figures = site.carbon
    figures._by_run = traced("carbon.runs", figures._by_run)
    figures._skipped = traced("carbon.skipped", figures._skipped)
    site.linked.emissions = traced("emissions", site.linked.emissions)
    tables.update({t.table: t for t in (
        site.quality, site.kind_counts, figures._by_run, figures._skipped, site.linked.emissions)
        if isinstance(t, TracedDict)})
    for name, holder in (("analyses", site.analyses), ("carbon", site.carbon.report)):
        assert is_dataclass(holder)
        for field in fields(holder):
            value, table = getattr(holder, field.name), f"{name}.{field.name}"
            # object.__setattr__: the analyses are frozen; these are the same values, traced
            if type(value) is dict:
                tables[table] = traced(table, value)
            elif type(value) is list:
                tables[table] = traced_list(table, value)
            else:
                continue
            object.__setattr__(holder, field.name, tables[table])


def build_unit(record: Record, site: SiteContext, values: Values | None,
               spill: Spill | None = None) -> Unit:
    """The record's unit, with what it read (``values``: how to digest each answer; ``None``
    when no cache keeps them); with ``spill``, its page bodies and file contents on disk."""
    with trace() as reads:
        note(RECORDS, record.id)  # the page shows the record, whatever else it looks up
        overflow = Overflow(site.catalogue)
        page, files = record_page(record, site, overflow)
        pages = [indexed_page(page, record, site), *overflow_pages(site, overflow)]
        record_file, nquads = record_machine_files(record, site.linked)
        files.append(record_file)
    noted = () if values is None else values.noted(reads)
    if spill is None:
        return Unit(record.id, pages, files, nquads, noted)
    blob = spill.lines(nquads)
    return Unit(record.id, [spill.page(p) for p in pages], [spill.file(f) for f in files],
                [] if blob else nquads, noted, blob)


def build_units(record_ids: list[str], site: SiteContext, values: Values | None,
                jobs: int, spill: Spill | None = None) -> Iterator[Unit]:
    """The units of ``record_ids``, in that order; in ``jobs`` worker processes when there are
    enough of them (each worker puts its units' bodies in ``spill`` itself: only their names
    travel back)."""
    records = site.catalogue.records
    return forked_map(lambda record_id: build_unit(dict.__getitem__(records, record_id), site,
                                                   values, spill), record_ids, jobs)


def surely_changed(cache: BuildCache, values: Values, record_ids: list[str]) -> list[str]:
    """The records of ``record_ids`` whose units are built again whatever else they read:
    those the cache keeps none for, and those whose own folder changed (a unit reads its own
    record: ``build_unit``)."""
    found = []
    for record_id in record_ids:
        unit = cache.units.get(record_id)
        if unit is None or (RECORDS, record_id, values.record(record_id)) not in unit.reads:
            found.append(record_id)
    return found


def reusable(cache: BuildCache, values: Values,
             record_ids: list[str]) -> Mapping[str, CachedUnit]:
    """The cached units still valid for ``record_ids``."""
    found = {}
    for record_id in record_ids:
        unit = cache.units.get(record_id)
        if unit is not None and values.still(unit.reads) and cache.has(unit):
            found[record_id] = unit
    return found
