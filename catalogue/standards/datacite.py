"""DataCite Metadata Schema 4.6 XML for an asset, ready to register a DOI."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from catalogue.link.catalogue import Catalogue
from catalogue.model.dates import year_of
from catalogue.model.licenses import SPDX_URL, license_ids
from catalogue.model.records import Record
from catalogue.standards.urls import base_url, doi_of, orcid_url, page_url, ror_url

NAMESPACE = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} https://schema.datacite.org/meta/kernel-4.6/metadata.xsd"
ACCESS_RIGHTS = {  # COAR / info:eu-repo access rights vocabulary
    "public": "info:eu-repo/semantics/openAccess",
    "restricted": "info:eu-repo/semantics/restrictedAccess",
    "embargoed": "info:eu-repo/semantics/embargoedAccess",
    "private": "info:eu-repo/semantics/closedAccess",
}


def _sub(parent: ET.Element, tag: str, text: str | None = None,
         **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def datacite_xml(record: Record, catalogue: Catalogue) -> str:
    """The asset's DataCite XML; ``ValueError`` for a record that is not an asset."""
    if record.kind.citing is None:
        raise ValueError(f"{record.id} is a {record.kind.name}; only assets get a DOI")
    data = record.data
    base = base_url(catalogue.settings.site_url)
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{NAMESPACE}}}resource", {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    doi = doi_of(data.get("persistent_identifier"))
    if doi:
        _sub(root, "identifier", doi, identifierType="DOI")
    else:
        _sub(root, "identifier", page_url(base, record.id), identifierType="URL")

    creators = _sub(root, "creators")
    people = [catalogue.get(i) for i in record.items("created_by") if isinstance(i, str)]
    for person in [p for p in people if p is not None]:
        creator = _sub(creators, "creator")
        given, family = person.data.get("first_name", ""), person.data.get("last_name", "")
        _sub(creator, "creatorName", f"{family}, {given}", nameType="Personal")
        _sub(creator, "givenName", str(given))
        _sub(creator, "familyName", str(family))
        if person.data.get("orcid_id"):
            _sub(creator, "nameIdentifier", orcid_url(person.data["orcid_id"]),
                 nameIdentifierScheme="ORCID", schemeURI="https://orcid.org")
        for org_id in person.items("affiliations"):
            org = catalogue.get(org_id) if isinstance(org_id, str) else None
            if org is not None:
                _affiliation(creator, org)
    if not len(creators):
        _sub(_sub(creators, "creator"), "creatorName", catalogue.settings.title,
             nameType="Organizational")

    _sub(_sub(root, "titles"), "title", record.title)
    organization = catalogue.get(data["organization"]) \
        if isinstance(data.get("organization"), str) else None
    publisher_attrs = {}
    if organization is not None and organization.data.get("ror_id"):
        publisher_attrs = {"publisherIdentifier": ror_url(organization.data["ror_id"]),
                           "publisherIdentifierScheme": "ROR", "schemeURI": "https://ror.org/"}
    _sub(root, "publisher", organization.title if organization else catalogue.settings.title,
         **publisher_attrs)
    _sub(root, "publicationYear", f"{year_of(data.get('created_at')) or 0:04d}")
    _sub(root, "resourceType", record.kind.label,
         resourceTypeGeneral=record.kind.citing.datacite)

    subjects = record.items("subjects")
    if subjects:
        holder = _sub(root, "subjects")
        for subject in subjects:
            _sub(holder, "subject", str(subject))
    dates = [(data.get(k), t) for k, t in (("created_at", "Created"), ("updated_at", "Updated"))
             if data.get(k)]
    if data.get("access_rights") == "embargoed" and data.get("embargo_until"):
        dates.append((data["embargo_until"], "Available"))
    if dates:
        holder = _sub(root, "dates")
        for value, kind in dates:
            _sub(holder, "date", str(value), dateType=kind)
    _sub(root, "language", catalogue.settings.language)

    related = _related(record, catalogue, base)
    if related:
        holder = _sub(root, "relatedIdentifiers")
        for url, relation in related:
            _sub(holder, "relatedIdentifier", url, relatedIdentifierType="URL",
                 relationType=relation)
    sizes = [f"{a['size_bytes']} bytes" for a in record.mappings("artefacts")
             if isinstance(a.get("size_bytes"), int)]
    formats = sorted({str(a["media_type"]) for a in record.mappings("artefacts")
                      if a.get("media_type")})
    if sizes and record.status != "deleted":
        holder = _sub(root, "sizes")
        for size in sizes:
            _sub(holder, "size", size)
    if formats and record.status != "deleted":
        holder = _sub(root, "formats")
        for media_type in formats:
            _sub(holder, "format", media_type)
    if data.get("version"):
        _sub(root, "version", str(data["version"]))
    rights = _sub(root, "rightsList")
    for key in license_ids(str(data.get("license", ""))):
        _sub(rights, "rights", key, rightsURI=SPDX_URL.format(key), rightsIdentifier=key,
             rightsIdentifierScheme="SPDX", schemeURI="https://spdx.org/licenses/")
    access = ACCESS_RIGHTS.get(str(data.get("access_rights")))
    if access:
        _sub(rights, "rights", str(data["access_rights"]), rightsURI=access)
    if data.get("description"):
        _sub(_sub(root, "descriptions"), "description", str(data["description"]),
             descriptionType="Abstract")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False).join(
        ['<?xml version="1.0" encoding="UTF-8"?>\n', "\n"])


def _affiliation(parent: ET.Element, org: Record) -> None:
    attributes = {}
    if org.data.get("ror_id"):
        attributes = {"affiliationIdentifier": ror_url(org.data["ror_id"]),
                      "affiliationIdentifierScheme": "ROR", "schemeURI": "https://ror.org/"}
    _sub(parent, "affiliation", org.title, **attributes)


def _related(record: Record, catalogue: Catalogue, base: str) -> list[tuple[str, str]]:
    data, graph = record.data, catalogue.graph
    pairs: list[tuple[str, str]] = []

    def add(target: object, relation: str) -> None:
        if isinstance(target, str) and target in catalogue.records:
            pairs.append((page_url(base, target), relation))

    add(data.get("parent_version"), "IsNewVersionOf")
    for newer in graph.related(record.id, "next_versions"):
        add(newer, "IsPreviousVersionOf")
    add(data.get("base_model"), "IsDerivedFrom")
    add(data.get("replaced_by"), "IsObsoletedBy")
    for dataset in record.items("training_datasets"):
        add(dataset, "IsDerivedFrom")
    for experiment in graph.related(record.id, "produced_by"):
        add(experiment, "IsSupplementTo")
    for usage in record.mappings("datasets"):
        add(usage.get("dataset"), "References")
    for model in record.items("produced_models"):
        add(model, "IsSourceOf")
    add(data.get("workflow"), "IsCompiledBy")
    for run in graph.related(record.id, "runs"):
        add(run, "Compiles")
    return pairs
