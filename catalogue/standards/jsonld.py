"""Records as JSON-LD: one mapping per kind, following the data model's "Metadata Integration"
tables (schema.org and Dublin Core for every asset, Croissant for datasets, FAIR4ML for models,
PROV-O and ML-Schema for experiments, schema.org SoftwareSourceCode and a PROV-O plan for
workflows, the HPC ontology for resources). Each record's ``@type`` is its kind's
``schema_types`` (refined by the data for resources and organisations)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from catalogue.derive.carbon_rollup import CarbonReport
from catalogue.link.catalogue import Catalogue
from catalogue.model.kinds import per_kind
from catalogue.model.licenses import license_urls
from catalogue.model.pointers import Pointer, usable_pointers
from catalogue.model.records import Record
from catalogue.standards.citations import bibtex, citation_for
from catalogue.standards.urls import base_url, doi_url, file_url, orcid_url, page_url, ror_url
from catalogue.standards.vocabularies import CONTEXT, CROISSANT_CONFORMS_TO

JsonLd = dict[str, Any]

# Beyond this many columns the page embeds no recordSet (Google rejects huge blocks); the full
# description is the croissant.json download.
EMBEDDED_MAX_FIELDS = 50

COLUMN_TYPES = {
    "string": "sc:Text", "text": "sc:Text", "category": "sc:Text", "integer": "sc:Integer",
    "float": "sc:Float", "boolean": "sc:Boolean", "date": "sc:Date", "datetime": "sc:DateTime",
    "image": "sc:ImageObject", "audio": "sc:AudioObject", "binary": "sc:Text", "array": "sc:Text",
}
TABULAR_MEDIA_TYPES = {"text/csv": ",", "text/tab-separated-values": "\t"}
ORGANIZATION_TYPES = {
    "university": "CollegeOrUniversity", "research-institute": "ResearchOrganization",
    "company": "Corporation", "government": "GovernmentOrganization", "non-profit": "NGO",
}
RESOURCE_TYPES = {"local": "hpc:Workstation", "cloud": "hpc:Computer", "hpc": "hpc:Cluster"}
STATUS_LABELS = {"active": "Active", "deprecated": "Deprecated", "deleted": "Deleted"}


@dataclass
class LinkedData:
    """Maps the records of one catalogue to JSON-LD with absolute identifiers."""

    catalogue: Catalogue
    base: str = ""
    emissions: Mapping[str, str] = field(default_factory=dict)
    """Per model id, its computed footprint as text (e.g. "12.4 kg CO2e, estimated")."""

    def __post_init__(self) -> None:
        self.base = self.base or base_url(self.catalogue.settings.site_url)

    # -- helpers ---------------------------------------------------------------------------
    def url(self, record_id: str) -> str:
        return page_url(self.base, record_id)

    def ref(self, record_id: Any) -> JsonLd | None:
        if not isinstance(record_id, str) or record_id not in self.catalogue.records:
            return None
        return {"@id": self.url(record_id)}

    def refs(self, ids: Any) -> list[JsonLd]:
        values = ids if isinstance(ids, list) else [ids]
        return [r for r in (self.ref(i) for i in values) if r is not None]

    def person(self, record_id: str) -> JsonLd | None:
        record = self.catalogue.get(record_id)
        if record is None:
            return None
        data = record.data
        node: JsonLd = {"@type": _types(record), "@id": self.url(record_id),
                        "name": record.title}
        _put(node, "givenName", data.get("first_name"))
        _put(node, "familyName", data.get("last_name"))
        if data.get("orcid_id"):
            node["identifier"] = node["sameAs"] = orcid_url(data["orcid_id"])
        affiliations = [self.organization_ref(o) for o in record.items("affiliations")]
        _put(node, "affiliation", [a for a in affiliations if a])
        return node

    def organization_ref(self, record_id: str) -> JsonLd | None:
        record = self.catalogue.get(record_id)
        if record is None:
            return None
        node: JsonLd = {"@type": _organization_types(record), "@id": self.url(record_id),
                        "name": record.title}
        if record.data.get("ror_id"):
            node["identifier"] = node["sameAs"] = ror_url(record.data["ror_id"])
        return node

    def download(self, record: Record, pointer: Pointer) -> str:
        return file_url(self.base, record.id, pointer)

    # -- per kind --------------------------------------------------------------------------
    def record(self, record: Record, embedded: bool = False) -> JsonLd:
        """The record's JSON-LD with its inline ``@context``; ``embedded`` keeps it small."""
        mapper = _MAPPERS[record.kind.name]
        return {"@context": CONTEXT, **mapper(self, record, embedded)}

    def _common(self, record: Record) -> JsonLd:
        data = record.data
        node: JsonLd = {"@id": self.url(record.id), "name": record.title,
                        "url": self.url(record.id)}
        _put(node, "description", data.get("description"))
        _put(node, "dateCreated", data.get("created_at"))
        _put(node, "dateModified", data.get("updated_at"))
        return node

    def _asset(self, record: Record) -> JsonLd:
        data = record.data
        node = self._common(record)
        pid = doi_url(data.get("persistent_identifier"))
        node["identifier"] = pid or self.url(record.id)
        _put(node, "version", data.get("version"))
        if isinstance(data.get("license"), str):
            urls = license_urls(data["license"])
            _put(node, "license", urls[0] if len(urls) == 1 else urls)
        creators = [self.person(r) for r in record.items("created_by")]
        _put(node, "creator", [c for c in creators if c])
        _put(node, "prov:wasAttributedTo", self.refs(record.items("created_by")))
        _put(node, "publisher", self.organization_ref(data.get("organization", "")))
        _put(node, "keywords", record.items("subjects"))
        _put(node, "dct:accessRights", data.get("access_rights"))
        node["isAccessibleForFree"] = data.get("access_rights") == "public"
        node["creativeWorkStatus"] = STATUS_LABELS.get(record.status, record.status)
        parent = self.ref(data.get("parent_version"))
        if parent:
            node["isBasedOn"] = parent
            node["prov:wasDerivedFrom"] = parent
        publications = [p.get("citation") for p in record.mappings("related_publications")]
        _put(node, "citation", [p for p in publications if isinstance(p, str)])
        return node

    def _media(self, record: Record) -> list[JsonLd]:
        if record.status == "deleted":
            return []
        pointers = usable_pointers(record)
        return [_drop_none({"@type": "MediaObject", "name": name,
                            "contentUrl": self.download(record, p),
                            "encodingFormat": p.media_type or None, "sha256": p.sha256,
                            "contentSize": f"{p.size_bytes} B", "description": p.role})
                for p, name in zip(pointers, _file_names(pointers), strict=True)]

    def model(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        graph = self.catalogue.graph
        node = {"@type": _types(record), **self._asset(record)}
        _put(node, "fair4ml:trainedOn", self.refs(record.items("training_datasets")))
        _put(node, "fair4ml:fineTunedFrom", self.ref(data.get("base_model")))
        _put(node, "fair4ml:mlTask", [t for t in (data.get("model_type"), data.get("task")) if t])
        _put(node, "fair4ml:modelCategory", data.get("architecture"))
        _put(node, "fair4ml:intendedUse", data.get("intended_use"))
        _put(node, "fair4ml:modelRisksBiasLimitations", data.get("limitations"))
        _put(node, "fair4ml:sharedBy", self.organization_ref(data.get("organization", "")))
        _put(node, "fair4ml:hasCO2eEmissions", self.emissions.get(record.id))
        framework = " ".join(str(data[k]) for k in ("framework", "framework_version") if k in data)
        _put(node, "softwareRequirements", framework)
        evaluations = []
        for item in record.mappings("evaluations"):
            evaluation: JsonLd = {"@type": "fair4ml:MLModelEvaluation",
                                  "fair4ml:evaluationMetrics": item.get("metric"),
                                  "fair4ml:evaluationResults": str(item.get("value"))}
            _put(evaluation, "fair4ml:evaluationDataset", self.ref(item.get("dataset")))
            evaluations.append(evaluation)
        _put(node, "fair4ml:hasEvaluation", evaluations)
        _put(node, "fair4ml:evaluatedOn", _unique(self.refs(
            [e.get("dataset") for e in record.mappings("evaluations")])))
        _put(node, "prov:wasGeneratedBy", self.refs(graph.related(record.id, "produced_by")))
        _put(node, "associatedMedia", self._media(record))
        return node

    def dataset(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node: JsonLd = {"@type": _types(record), "conformsTo": CROISSANT_CONFORMS_TO,
                        **self._asset(record)}
        _put(node, "datePublished", data.get("created_at"))
        node["citeAs"] = bibtex(citation_for(record, self.catalogue))
        node["includedInDataCatalog"] = {"@type": "DataCatalog",
                                         "name": self.catalogue.settings.title,
                                         "url": self.base}
        if isinstance(data.get("license"), str) and "license" not in node:
            node["license"] = data["license"]
        files = self._file_objects(record)
        _put(node, "distribution", files)
        columns = record.mappings("columns")
        _put(node, "variableMeasured", [_drop_none({
            "@type": "PropertyValue", "name": c.get("name"), "description": c.get("description"),
            "unitText": c.get("unit")}) for c in columns][:EMBEDDED_MAX_FIELDS if embedded
                                                         else None])
        record_set = self._record_set(record, files, columns)
        if record_set and not (embedded and len(columns) > EMBEDDED_MAX_FIELDS):
            node["recordSet"] = [record_set]
        coverage = data.get("temporal_coverage")
        if isinstance(coverage, dict) and coverage:
            node["temporalCoverage"] = f"{coverage.get('start', '..')}/{coverage.get('end', '..')}"
        _put(node, "spatialCoverage", data.get("spatial_coverage"))
        _put(node, "rai:dataCollection", data.get("collection_method"))
        _put(node, "rai:dataSocialImpact", data.get("ethical_considerations"))
        _put(node, "measurementTechnique", data.get("sampling_strategy"))
        if "contains_personal_data" in data:
            node["rai:personalSensitiveInformation"] = (
                "Contains personal data." if data["contains_personal_data"]
                else "Contains no personal data.")
        return node

    def _file_objects(self, record: Record) -> list[JsonLd]:
        if record.status == "deleted":
            return []
        pointers = usable_pointers(record)
        names = _file_names(pointers)
        return [_drop_none({"@type": "cr:FileObject", "@id": name, "name": name,
                            "contentUrl": self.download(record, p),
                            "encodingFormat": p.media_type or None, "sha256": p.sha256,
                            "contentSize": f"{p.size_bytes} B", "description": p.role})
                for p, name in zip(pointers, names, strict=True)]

    def _record_set(self, record: Record, files: list[JsonLd],
                    columns: list[dict[str, Any]]) -> JsonLd | None:
        """Fields read from the first tabular data file; none when there is no such file."""
        tabular = [f for f in files if f.get("encodingFormat") in TABULAR_MEDIA_TYPES
                   and f.get("description") in ("data", "sample-data")]
        if not tabular or not columns:
            return None
        source = tabular[0]["@id"]
        fields = []
        for column in columns:
            name = str(column.get("name"))
            fields.append(_drop_none({
                "@type": "cr:Field", "@id": f"records/{name}", "name": name,
                "description": column.get("description"),
                "dataType": COLUMN_TYPES.get(str(column.get("data_type")), "sc:Text"),
                "source": {"fileObject": {"@id": source}, "extract": {"column": name}}}))
        return {"@type": "cr:RecordSet", "@id": "records", "name": "records", "field": fields}

    def experiment(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node: JsonLd = {"@type": _types(record), **self._asset(record)}
        for key, term in (("start_time", "prov:startedAtTime"), ("end_time", "prov:endedAtTime")):
            if isinstance(data.get(key), str):
                node[term] = {"@value": data[key], "@type": "xsd:dateTime"}
        datasets = _unique(self.refs([u.get("dataset") for u in record.mappings("datasets")]))
        base = self.refs(data.get("base_model"))
        resources = _unique(self.refs(
            [u.get("resource") for u in record.mappings("resource_utilizations")]))
        _put(node, "prov:used", datasets + base + resources)
        _put(node, "mls:hasInput", datasets + base)
        produced = self.refs(record.items("produced_models"))
        _put(node, "prov:generated", produced)
        _put(node, "mls:hasOutput", produced)
        _put(node, "prov:wasAssociatedWith", self.refs(record.items("created_by")))
        workflow = self.ref(data.get("workflow"))
        if workflow:
            node["instrument"] = workflow
            node["prov:qualifiedAssociation"] = {"@type": "prov:Association",
                                                 "prov:hadPlan": workflow}
        _put(node, "codeRepository", data.get("code_repository_url"))
        settings = [{"@type": "mls:HyperParameterSetting", "name": str(k),
                     "mls:hasValue": str(v)} for k, v in _mapping(data, "hyperparameters")]
        _put(node, "mls:hasHyperParameter", settings)
        _put(node, "mls:hasOutput", produced + [
            _drop_none({"@type": "mls:ModelEvaluation", "name": m.get("name"),
                        "mls:hasValue": m.get("value")})
            for m in record.mappings("metrics") if "value" in m])
        usages = []
        for usage in record.mappings("resource_utilizations"):
            entry = _drop_none({
                "@type": "prov:Usage", "prov:entity": self.ref(usage.get("resource")),
                "hpc:averageExecutionTime": usage.get("duration_seconds"),
                "hpc:memoryOccupancy": usage.get("memory_usage_gb"),
                "hpc:dataTransferSize": usage.get("network_io_gb"),
                "omh:cpuUtilizationPercent": usage.get("cpu_utilization_percent"),
                "omh:gpuUtilizationPercent": usage.get("gpu_utilization_percent"),
                "omh:energyConsumptionKwh": usage.get("energy_consumption_kwh"),
                "omh:nodes": usage.get("nodes")})
            usages.append(entry)
        _put(node, "prov:qualifiedUsage", usages)
        return node

    def workflow(self, record: Record, embedded: bool) -> JsonLd:
        """The code as schema.org SoftwareSourceCode, and as the PROV-O plan its runs (the
        experiments naming it) followed."""
        data = record.data
        node: JsonLd = {"@type": _types(record), **self._asset(record)}
        _put(node, "codeRepository", data.get("code_repository_url")
             or (self.catalogue.settings.repository_url if data.get("code_path") else None))
        _put(node, "programmingLanguage", data.get("programming_language"))
        environment = data.get("environment_specification")
        environment = environment if isinstance(environment, dict) else {}
        image = environment.get("container_image")
        digest = environment.get("container_digest")
        _put(node, "runtimePlatform", f"{image}@{digest}" if image and digest else image)
        packages = [p for p in environment.get("packages", []) if isinstance(p, str)]
        _put(node, "softwareRequirements", packages or environment.get("file"))
        for key, term in (("code_path", "omh:codePath"), ("code_commit_hash", "omh:commitHash"),
                          ("code_release_tag", "omh:releaseTag"),
                          ("entrypoint", "omh:entrypoint")):
            _put(node, term, data.get(key))
        for key, term in (("inputs", "omh:input"), ("outputs", "omh:output")):
            _put(node, term, [_drop_none({"@type": "PropertyValue", "name": item.get("name"),
                                          "description": item.get("description"),
                                          "encodingFormat": item.get("format")})
                              for item in record.mappings(key)])
        _put(node, "associatedMedia", self._media(record))
        return node

    def resource(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node = {"@type": RESOURCE_TYPES.get(str(data.get("resource_type")), _types(record)),
                **self._common(record)}
        for key, term in (("cpu_cores", "hpc:cpuCoreCount"), ("memory_gb", "hpc:memorySize"),
                          ("total_nodes", "hpc:computeNodeCount"),
                          ("node_configuration", "hpc:systemArchitecture"),
                          ("max_job_duration_hours", "hpc:maxExecutionTime"),
                          ("interconnect_type", "hpc:gpuInterconnect"),
                          ("power_consumption_watts", "hpc:power"),
                          ("energy_efficiency", "hpc:powerEfficiency"),
                          ("gpu_memory_gb", "hpc:gpuMemorySizePerNode"),
                          ("gpu_count", "omh:gpuCount"), ("gpu_model", "omh:gpuModel"),
                          ("cpu_model", "omh:cpuModel"), ("pue", "omh:powerUsageEffectiveness")):
            _put(node, term, data.get(key))
        location = data.get("location")
        location = location if isinstance(location, dict) else {}
        _put(node, "hpc:country", location.get("country") or data.get("provider_region"))
        _put(node, "omh:owner", self.organization_ref(data.get("organization", "")))
        return node

    def researcher(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node = {**(self.person(record.id) or {}), **self._common(record)}
        node["@type"] = _types(record)
        _put(node, "email", data.get("email"))
        _put(node, "knowsAbout", record.items("expertise_areas")
             + record.items("research_interests"))
        _put(node, "memberOf", self.refs(record.items("affiliations")))
        return node

    def organization(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node = {**(self.organization_ref(record.id) or {}), **self._common(record)}
        website = data.get("website")
        if isinstance(website, str) and website.startswith(("https://", "http://")):
            node["url"] = website
        location = data.get("location")
        if isinstance(location, dict) and location:
            node["address"] = _drop_none({"@type": "PostalAddress",
                                          "addressLocality": location.get("city"),
                                          "addressCountry": location.get("country")})
        _put(node, "parentOrganization", self.ref(data.get("parent_organization")))
        graph = self.catalogue.graph
        _put(node, "member", self.refs(graph.related(record.id, "members")))
        _put(node, "subOrganization", self.refs(graph.related(record.id, "sub_organizations")))
        return node

    # -- the catalogue ---------------------------------------------------------------------
    def data_catalog(self, limit: int | None = None) -> JsonLd:
        """The catalogue as a schema.org DataCatalog; ``limit`` keeps an embedded copy small
        (the newest datasets first)."""
        settings = self.catalogue.settings
        node: JsonLd = {"@context": CONTEXT, "@type": "DataCatalog", "@id": self.base,
                        "name": settings.title, "url": self.base}
        _put(node, "description", settings.description)
        _put(node, "publisher", self.organization_ref(settings.publisher or ""))
        datasets = [r for r in self.catalogue.of_kind("dataset") if r.status != "deleted"]
        datasets.sort(key=lambda r: (str(r.data.get("created_at", "")), r.id), reverse=True)
        node["dataset"] = [{"@type": "Dataset", "@id": self.url(r.id), "name": r.title,
                            "url": self.url(r.id)} for r in datasets[:limit]]
        return node


_MAPPERS: dict[str, Callable[[LinkedData, Record, bool], JsonLd]] = per_kind("JSON-LD mappings", {
    "model": LinkedData.model, "dataset": LinkedData.dataset,
    "experiment": LinkedData.experiment, "workflow": LinkedData.workflow,
    "resource": LinkedData.resource, "researcher": LinkedData.researcher,
    "organization": LinkedData.organization,
})


def model_emissions(report: CarbonReport) -> dict[str, str]:
    """Each model's computed training footprint as FAIR4ML's hasCO2eEmissions text."""
    texts = {}
    for model_id, footprint in report.models.items():
        totals = footprint.own
        if totals.runs:
            share = totals.estimated_share
            method = ("measured" if not share else "estimated" if share == 1
                      else f"{share:.0%} estimated")
            texts[model_id] = (f"{totals.kg:.3g} kg CO2e ({method}; {totals.kwh:.3g} kWh over "
                               f"{totals.runs} run(s); range {totals.kg_low:.3g}-"
                               f"{totals.kg_high:.3g} kg)")
    return texts


def _put(node: JsonLd, key: str, value: Any) -> None:
    """Set ``key`` unless the value is empty: JSON-LD has no use for nulls."""
    if value is None or value == "" or value == [] or value == {}:
        return
    node[key] = value


def _drop_none(node: JsonLd) -> JsonLd:
    return {k: v for k, v in node.items() if v is not None and v != ""}


def _unique(nodes: list[JsonLd]) -> list[JsonLd]:
    seen: list[JsonLd] = []
    for node in nodes:
        if node not in seen:
            seen.append(node)
    return seen


def _mapping(data: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = data.get(key)
    return sorted(value.items()) if isinstance(value, dict) else []


def _file_names(pointers: list[Pointer]) -> list[str]:
    """Short, unique names for a record's files (the last part of the path or URL)."""
    names: list[str] = []
    for pointer in pointers:
        name = PurePosixPath(pointer.name).name or "file"
        candidate, counter = name, 2
        while candidate in names:
            candidate, counter = f"{counter}-{name}", counter + 1
        names.append(candidate)
    return names


def _types(record: Record) -> str | list[str]:
    """The kind's JSON-LD type(s), a single one as a plain string."""
    types = record.kind.schema_types
    return types[0] if len(types) == 1 else list(types)


def _organization_types(record: Record) -> str | list[str]:
    """Always the kind's ``Organization`` (what consumers such as Croissant look for), plus the
    subtype."""
    subtype = ORGANIZATION_TYPES.get(str(record.data.get("organization_type")))
    return [*record.kind.schema_types, subtype] if subtype else _types(record)


def script_json(document: JsonLd) -> str:
    """JSON for a ``<script type="application/ld+json">`` element: no value can close the
    element or open markup, because ``<``, ``>`` and ``&`` are written as escapes."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=False, indent=None)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
