"""Namespaces and the inline JSON-LD ``@context`` every document uses, in one place.

The context is Croissant 1.0's (a superset of schema.org with ``@vocab``) plus prefixes for the
other standards the data model maps to, so every document expands offline and a dataset's
JSON-LD is also a valid Croissant description.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://schema.org/"
CROISSANT = "http://mlcommons.org/croissant/"
CROISSANT_RAI = "http://mlcommons.org/croissant/RAI/"
CROISSANT_CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
MLS = "http://www.w3.org/ns/mls#"
FAIR4ML = "https://w3id.org/fair4ml#"
HPC = "https://hpc-fair.github.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPDX = "http://spdx.org/rdf/terms#"
OMH = "https://w3id.org/openmodelshub/vocab#"
"""Terms of this catalogue's own for what no standard names (resource usage figures)."""

CONTEXT: dict[str, Any] = {
    "@language": "en",
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
