"""Namespaces and the inline JSON-LD ``@context`` every document uses, in one place.

The context is Croissant 1.0's (a superset of schema.org with ``@vocab``) plus prefixes for the
other standards the data model maps to, so every document expands offline and a dataset's
JSON-LD is also a valid Croissant description. On top of Croissant's terms it says what each
value is in RDF:

- identifiers (``url``, ``sameAs``, ``license``, ``contentUrl``, ...) are IRIs, so a SPARQL join
  on an ORCID or a licence works;
- dates are typed (``xsd:date``, ``xsd:dateTime``);
- the default language tags natural-language text only: codes, checksums, sizes, versions,
  package specifications and the like are plain strings.

mlcroissant reads a handful of URL properties as strings and refuses IRIs there, so the
Croissant flavour of the context (``croissant=True``, for ``croissant.json`` and the dataset
page's embedded block) types those few as ``xsd:anyURI`` literals instead.
"""

from __future__ import annotations

import functools
from typing import Any

SCHEMA = "https://schema.org/"
CROISSANT = "http://mlcommons.org/croissant/"
CROISSANT_RAI = "http://mlcommons.org/croissant/RAI/"
CROISSANT_CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
CROISSANT_RAI_CONFORMS_TO = "http://mlcommons.org/croissant/RAI/1.0"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
MLS = "http://www.w3.org/ns/mls#"
FAIR4ML = "https://w3id.org/fair4ml#"
HPC = "https://hpc-fair.github.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OMH = "https://w3id.org/openmodelshub/vocab#"
"""Terms of this catalogue's own for what no standard names (resource usage figures)."""

_CROISSANT_TERMS: dict[str, Any] = {
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

IRI_TERMS = ("url", "sameAs", "license", "sdLicense", "contentUrl", "conformsTo",
             "codeRepository", "identifier", "downloadUrl", "usageInfo")
"""schema.org properties whose values here are always links."""
CROISSANT_STRING_URLS = frozenset({"url", "sameAs", "license", "sdLicense", "contentUrl",
                                   "conformsTo", "identifier"})
"""The ones mlcroissant reads as strings (it refuses a node there, and a node that is the
dataset itself sends its reader round in a loop)."""
DATE_TERMS = ("dateCreated", "dateModified", "datePublished", "dct:created", "dct:modified",
              "dct:issued", "rai:dataCollectionTimeFrame")
DATE_TIME_TERMS = ("startTime", "endTime", "prov:startedAtTime", "prov:endedAtTime")
NOT_TEXT_TERMS = (
    "sha256", "md5", "contentSize", "encodingFormat", "version", "email", "citeAs",
    "creativeWorkStatus", "actionStatus", "omh:framework", "runtimePlatform",
    "programmingLanguage", "temporalCoverage", "alternateName", "givenName", "familyName",
    "unitText", "unitCode", "inLanguage", "telephone", "addressCountry", "includes", "regex",
    "column", "fileProperty", "fair4ml:evaluationMetrics", "fair4ml:evaluationResults",
    "mls:hasValue", "hpc:country", "omh:codePath", "omh:commitHash", "omh:releaseTag",
    "omh:entrypoint", "omh:lifecycleStatus", "dcat:version", "dct:accessRights")
"""Terms whose strings are codes, figures or identifiers, never language-tagged text."""


def context(language: str = "en", croissant: bool = False) -> dict[str, Any]:
    """The inline ``@context``: Croissant's, the other standards' prefixes and the typing of
    values (see the module's docstring); ``language`` tags the text. A dict of its own (a
    document adds its ``@base``); the terms' definitions in it are made once and shared by
    every document (three or four of a record's files each), so they are never changed."""
    return dict(_context(language, croissant))


@functools.lru_cache(maxsize=8)
def _context(language: str, croissant: bool) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "@language": language,
        "@vocab": SCHEMA,
        "sc": SCHEMA,
        "cr": CROISSANT,
        "rai": CROISSANT_RAI,
        "dct": DCT,
        "dcat": DCAT,
        "prov": PROV,
        "mls": MLS,
        "fair4ml": FAIR4ML,
        "hpc": HPC,
        "xsd": XSD,
        "spdx": SPDX,
        "omh": OMH,
        **_CROISSANT_TERMS,
    }
    for term in NOT_TEXT_TERMS:
        terms[term] = {"@id": _iri_of(term), "@language": None}
    for term in IRI_TERMS:
        literal = croissant and term in CROISSANT_STRING_URLS
        terms[term] = {"@id": _iri_of(term), "@type": "xsd:anyURI" if literal else "@id"}
    for term in DATE_TERMS:
        terms[term] = {"@id": _iri_of(term), "@type": "xsd:date"}
    for term in DATE_TIME_TERMS:
        terms[term] = {"@id": _iri_of(term), "@type": "xsd:dateTime"}
    return terms


def _iri_of(term: str) -> str:
    """The compact IRI of a term: Croissant's, its own prefix, or schema.org's (``sc:``)."""
    croissant = _CROISSANT_TERMS.get(term)
    if isinstance(croissant, str):
        return croissant
    return term if ":" in term else f"sc:{term}"


CONTEXT = context()
"""The context in the default language, for callers that need no other."""


# -- controlled vocabularies: values that are resources ---------------------------------------

ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"
ACCESS_RIGHTS_IRIS = {"public": ACCESS_RIGHTS + "PUBLIC",
                      "restricted": ACCESS_RIGHTS + "RESTRICTED",
                      "embargoed": ACCESS_RIGHTS + "NON_PUBLIC",
                      "private": ACCESS_RIGHTS + "NON_PUBLIC"}
"""The EU access-rights vocabulary DCAT-AP uses for ``dct:accessRights``."""
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
UNREGISTERED_MEDIA_TYPES = frozenset({"application/onnx"})
"""Media types in common use that IANA has not registered (beside every ``x-`` subtype)."""
SPDX_LICENSES = "http://spdx.org/licenses/"


def access_rights_iri(access_rights: object) -> str | None:
    return ACCESS_RIGHTS_IRIS.get(str(access_rights)) if access_rights else None


def media_type_iri(media_type: str) -> str | None:
    """The IANA registry's IRI of a registered media type (parameters dropped); None for an
    unregistered one (``x-`` subtypes and the like), which DCAT describes with ``dct:format``
    instead."""
    bare = media_type.split(";", 1)[0].strip().lower()
    if "/" not in bare:
        return None
    subtype = bare.split("/", 1)[1]
    if subtype.startswith("x-") or bare in UNREGISTERED_MEDIA_TYPES:
        return None
    return IANA_MEDIA_TYPES + bare
