"""W3C DCAT 3 for each dataset and model, and for the whole catalogue.

Where DCAT expects a resource it gets one: licences are SPDX licence IRIs, access rights the EU
access-rights vocabulary, media types the IANA registry's IRIs (an unregistered type is a
``dct:format`` with its label), the publisher and creators are agents. Dates are typed, sizes
are ``xsd:nonNegativeInteger``, every file has its ``spdx:checksum``, and versions are linked
with ``dcat:version`` and ``dcat:previousVersion``. A model is catalogued as a ``dcat:Dataset``
of type FAIR4ML ``MLModel`` (its files are its distributions).
"""

from __future__ import annotations

from typing import Any

from catalogue.model.dates import iso_day
from catalogue.model.licenses import license_ids
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import usable_pointers
from catalogue.model.records import Record
from catalogue.standards.croissant import artefact_entry, file_names
from catalogue.standards.jsonld import LinkedData
from catalogue.standards.urls import doi_url
from catalogue.standards.vocabularies import (
    DCAT,
    DCT,
    FAIR4ML,
    FOAF,
    RDFS,
    SPDX,
    SPDX_LICENSES,
    XSD,
    access_rights_iri,
    media_type_iri,
)

JsonLd = dict[str, Any]
DCAT_KINDS = ("dataset", "model")
"""The kinds catalogued in DCAT: the assets whose files are what a reader downloads."""
LANGUAGES = "http://id.loc.gov/vocabulary/iso639-1/"
CONTEXT: JsonLd = {"dcat": DCAT, "dct": DCT, "foaf": FOAF, "spdx": SPDX, "xsd": XSD,
                   "rdfs": RDFS}


def has_dcat(record: Record) -> bool:
    return record.kind.name in DCAT_KINDS


def dcat_record(record: Record, linked: LinkedData) -> JsonLd:
    """The record's own DCAT description (``dcat.jsonld`` beside its page)."""
    return {"@context": CONTEXT, **_dataset(record, linked)}


def dcat_catalog(linked: LinkedData) -> JsonLd:
    """The catalogue as a ``dcat:Catalog`` of every dataset and model."""
    catalogue = linked.catalogue
    settings = catalogue.settings
    node: JsonLd = {"@context": CONTEXT, "@id": linked.base, "@type": "dcat:Catalog",
                    "dct:title": _text(settings.title, linked),
                    "foaf:homepage": {"@id": linked.base},
                    "dct:language": {"@id": LANGUAGES + settings.language.split("-")[0]}}
    if settings.description:
        node["dct:description"] = _text(settings.description, linked)
    publisher = _agent(linked, settings.publisher, "foaf:Organization")
    if publisher:
        node["dct:publisher"] = publisher
    node["dcat:dataset"] = [_dataset(record, linked) for kind in DCAT_KINDS
                            for record in catalogue.of_kind(kind)]
    return node


def _dataset(record: Record, linked: LinkedData) -> JsonLd:
    data = record.data
    page = linked.url(record.id)
    node: JsonLd = {"@id": page, "@type": "dcat:Dataset", "dct:title": _text(record.title, linked),
                    "dct:identifier": doi_url(data.get("persistent_identifier")) or page,
                    "dcat:landingPage": {"@id": page}}
    if record.kind.name == "model":
        node["dct:type"] = {"@id": FAIR4ML + "MLModel"}
    if data.get("description"):
        node["dct:description"] = _text(str(data["description"]), linked)
    for key, term in (("created_at", "dct:issued"), ("updated_at", "dct:modified")):
        if iso_day(data.get(key)):
            node[term] = _date(iso_day(data.get(key)))
    licences = [{"@id": SPDX_LICENSES + key, "@type": "dct:LicenseDocument"}
                for key in license_ids(str(data.get("license", "")))]
    if licences:
        node["dct:license"] = licences[0] if len(licences) == 1 else licences
    rights = access_rights_iri(data.get("access_rights"))
    if rights:
        node["dct:accessRights"] = {"@id": rights, "@type": "dct:RightsStatement"}
    publisher = _agent(linked, data.get("organization"), "foaf:Organization")
    if publisher:
        node["dct:publisher"] = publisher
    creators = [_agent(linked, person, "foaf:Person") for person in record.items("created_by")]
    if any(creators):
        node["dct:creator"] = [c for c in creators if c]
    if record.items("subjects"):
        node["dcat:keyword"] = [_text(str(s), linked) for s in record.items("subjects")]
    if data.get("version"):
        node["dcat:version"] = str(data["version"])
    parent = linked.ref(data.get("parent_version"))
    if parent:
        node["dcat:previousVersion"] = parent
    replacement = linked.ref(data.get("replaced_by"))
    if replacement:
        node["dct:isReplacedBy"] = replacement
    coverage = data.get("temporal_coverage")
    if isinstance(coverage, dict) and coverage:
        period: JsonLd = {"@type": "dct:PeriodOfTime"}
        for key, term in (("start", "dcat:startDate"), ("end", "dcat:endDate")):
            if iso_day(coverage.get(key)):
                period[term] = _date(iso_day(coverage.get(key)))
        node["dct:temporal"] = period
    distributions = _distributions(record, linked, node.get("dct:license"))
    if distributions:
        node["dcat:distribution"] = distributions
    return node


def _distributions(record: Record, linked: LinkedData, licence: Any) -> list[JsonLd]:
    if record.status == DELETED:
        return []
    page = linked.url(record.id)
    pointers = usable_pointers(record)
    nodes = []
    for pointer, name in zip(pointers, file_names(pointers), strict=True):
        entry = artefact_entry(record, pointer)
        node: JsonLd = {
            "@id": f"{page}#distribution-{name}", "@type": "dcat:Distribution",
            "dct:title": name, "dcat:accessURL": {"@id": page},
            "dcat:downloadURL": {"@id": linked.download(record, pointer)},
            "dcat:byteSize": {"@value": str(pointer.size_bytes),
                              "@type": "xsd:nonNegativeInteger"},
            "spdx:checksum": {"@type": "spdx:Checksum",
                              "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                              "spdx:checksumValue": {"@value": pointer.sha256,
                                                     "@type": "xsd:hexBinary"}}}
        if entry.get("description"):
            node["dct:description"] = _text(str(entry["description"]), linked)
        iana = media_type_iri(pointer.media_type) if pointer.media_type else None
        if iana:
            node["dcat:mediaType"] = {"@id": iana, "@type": "dct:MediaType"}
        elif pointer.media_type:
            node["dct:format"] = {"@type": "dct:MediaTypeOrExtent",
                                  "rdfs:label": pointer.media_type}
        if licence:
            node["dct:license"] = licence
        nodes.append(node)
    return nodes


def _agent(linked: LinkedData, record_id: Any, agent_type: str) -> JsonLd | None:
    record = linked.catalogue.get(record_id)
    if record is None:
        return None
    return {"@id": linked.url(record.id), "@type": ["foaf:Agent", agent_type],
            "foaf:name": record.title}


def _text(value: str, linked: LinkedData) -> JsonLd:
    return {"@value": value, "@language": linked.language}


def _date(day: str | None) -> JsonLd:
    return {"@value": day, "@type": "xsd:date"}
