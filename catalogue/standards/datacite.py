"""DataCite Metadata Schema 4.6 XML for an asset that has a DOI, ready to register it.

DataCite registers DOIs only, so an asset without one gets no DataCite record (reserve a DOI,
put it in ``persistent_identifier``, and the export is complete); the catalogue page is an
alternate identifier. Related assets are named by their DOI when they have one (so that the
DOI graph, DataCite's and Scholix's, links versions and lineage), with relation types that
agree from both ends (``catalogue.standards.relations``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from catalogue.link.catalogue import Catalogue
from catalogue.model.dates import year_of
from catalogue.model.licenses import SPDX_URL, license_ids
from catalogue.model.lifecycle import DELETED
from catalogue.model.records import Record
from catalogue.standards.relations import related_assets
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


def has_datacite(record: Record) -> bool:
    """Whether the record gets a DataCite XML: an asset with a DOI."""
    return record.kind.citing is not None and \
        doi_of(record.data.get("persistent_identifier")) is not None


def datacite_xml(record: Record, catalogue: Catalogue) -> str:
    """The asset's DataCite XML; ``ValueError`` for a record that is not an asset or has no
    DOI."""
    if record.kind.citing is None:
        raise ValueError(f"{record.id} is a {record.kind.name}; only assets get a DOI")
    data = record.data
    doi = doi_of(data.get("persistent_identifier"))
    if doi is None:
        raise ValueError(f"{record.id} has no DOI; DataCite registers DOIs only (reserve one "
                         "and put it in persistent_identifier)")
    base = base_url(catalogue.settings.site_url)
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{NAMESPACE}}}resource", {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    _sub(root, "identifier", doi, identifierType="DOI")
    _sub(_sub(root, "alternateIdentifiers"), "alternateIdentifier", page_url(base, record.id),
         alternateIdentifierType="URL")

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

    related = related_identifiers(record, catalogue)
    if related:
        holder = _sub(root, "relatedIdentifiers")
        for value, kind, relation in related:
            _sub(holder, "relatedIdentifier", value, relatedIdentifierType=kind,
                 relationType=relation)
    sizes = [f"{a['size_bytes']} bytes" for a in record.mappings("artefacts")
             if isinstance(a.get("size_bytes"), int)]
    formats = sorted({str(a["media_type"]) for a in record.mappings("artefacts")
                      if a.get("media_type")})
    if sizes and record.status != DELETED:
        holder = _sub(root, "sizes")
        for size in sizes:
            _sub(holder, "size", size)
    if formats and record.status != DELETED:
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
    _funding(root, record, catalogue)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False).join(
        ['<?xml version="1.0" encoding="UTF-8"?>\n', "\n"])


def _affiliation(parent: ET.Element, org: Record) -> None:
    attributes = {}
    if org.data.get("ror_id"):
        attributes = {"affiliationIdentifier": ror_url(org.data["ror_id"]),
                      "affiliationIdentifierScheme": "ROR", "schemeURI": "https://ror.org/"}
    _sub(parent, "affiliation", org.title, **attributes)


def related_identifiers(record: Record, catalogue: Catalogue) -> list[tuple[str, str, str]]:
    """(identifier, relatedIdentifierType, relationType) of every related asset (by DOI when
    it has one, else its page) and of every related publication with a DOI or URL."""
    base = base_url(catalogue.settings.site_url)
    related = []
    for other_id, relation in related_assets(record, catalogue):
        other = catalogue.records[other_id]
        doi = doi_of(other.data.get("persistent_identifier"))
        related.append((doi, "DOI", relation) if doi
                       else (page_url(base, other_id), "URL", relation))
    for publication in record.mappings("related_publications"):
        if publication.get("doi"):
            related.append((str(publication["doi"]), "DOI", "Cites"))
        elif publication.get("url"):
            related.append((str(publication["url"]), "URL", "Cites"))
    return related


def _funding(root: ET.Element, record: Record, catalogue: Catalogue) -> None:
    funders = [(funder, item) for item in record.mappings("funding")
               if (funder := catalogue.get(item.get("funder"))) is not None]
    if not funders:
        return
    holder = _sub(root, "fundingReferences")
    for funder, item in funders:
        reference = _sub(holder, "fundingReference")
        _sub(reference, "funderName", funder.title)
        if funder.data.get("ror_id"):
            _sub(reference, "funderIdentifier", ror_url(funder.data["ror_id"]),
                 funderIdentifierType="ROR", schemeURI="https://ror.org/")
        if item.get("award_number"):
            award = {"awardURI": str(item["award_url"])} if item.get("award_url") else {}
            _sub(reference, "awardNumber", str(item["award_number"]), **award)
        if item.get("award_title"):
            _sub(reference, "awardTitle", str(item["award_title"]))
