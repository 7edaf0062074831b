"""Records as JSON-LD: one mapping per kind, following the data model's "Metadata Integration"
tables (schema.org and Dublin Core for every asset, Croissant for datasets, FAIR4ML for models,
PROV-O and ML-Schema for experiments, schema.org SoftwareSourceCode and a PROV-O plan for
workflows, the HPC ontology for resources). Each record's ``@type`` is its kind's
``schema_types`` (refined by the data for resources and organisations).

Each term is used within its definition:

- models, datasets and workflows are schema.org CreativeWorks and PROV-O entities: they are
  ``prov:wasAttributedTo`` their creators and ``prov:wasGeneratedBy`` / ``prov:wasDerivedFrom``
  what made them;
- an experiment is a run: a PROV-O activity (``prov:wasAssociatedWith`` its people, it
  ``prov:used`` and ``prov:generated`` things), an ML-Schema ``mls:Run`` (its inputs are the
  data, the base model and the hyperparameter settings, each ``mls:specifiedBy`` a
  hyperparameter; its outputs are models and evaluations ``mls:specifiedBy`` a measure) and a
  schema.org ``Action`` (agent, object, result, instrument, times, status). What a CreativeWork
  would say of it (licence, version, publisher, dates) is said with Dublin Core terms, which
  have no domain;
- resources are schema.org Products; people and organisations carry their dates in Dublin Core
  too.

A document's relative ``@id`` s (a dataset's files and record sets) resolve against the
record's page (``@base``), and blank nodes stay inside their document, so a dump of every
document is one graph (``catalogue.standards.rdf``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import quote

from catalogue.derive.carbon_rollup import CarbonReport
from catalogue.link.catalogue import Catalogue
from catalogue.model.dates import iso_day
from catalogue.model.kinds import per_kind
from catalogue.model.licenses import license_urls
from catalogue.model.lifecycle import DELETED
from catalogue.model.pointers import Pointer
from catalogue.model.records import Record
from catalogue.standards.citations import bibtex, citation_for
from catalogue.standards.croissant import CroissantFiles, artefact_entry, file_names
from catalogue.standards.json_text import json_text
from catalogue.standards.urls import base_url, doi_url, file_url, orcid_url, page_url, ror_url
from catalogue.standards.vocabularies import (
    CROISSANT_CONFORMS_TO,
    CROISSANT_RAI_CONFORMS_TO,
    access_rights_iri,
    context,
)

JsonLd = dict[str, Any]

# Beyond this many columns the page embeds no recordSet (Google rejects huge blocks); the full
# description is the croissant.json download.
EMBEDDED_MAX_FIELDS = 50

ORGANIZATION_TYPES = {
    "university": "CollegeOrUniversity", "research-institute": "ResearchOrganization",
    "company": "Corporation", "government": "GovernmentOrganization", "non-profit": "NGO",
}
RESOURCE_TYPES = {"local": "hpc:Workstation", "cloud": "hpc:Computer", "hpc": "hpc:Cluster"}
STATUS_LABELS = {"active": "Active", "deprecated": "Deprecated", "deleted": "Deleted"}
ACTION_STATUS = {"pending": "sc:PotentialActionStatus", "running": "sc:ActiveActionStatus",
                 "completed": "sc:CompletedActionStatus", "failed": "sc:FailedActionStatus",
                 "cancelled": "sc:FailedActionStatus"}


class Emissions(NamedTuple):
    """A model's computed training footprint."""

    text: str
    """As FAIR4ML's ``hasCO2eEmissions`` wants it: the figure with its unit and method."""
    kg: float


@dataclass
class LinkedData:
    """Maps the records of one catalogue to JSON-LD with absolute identifiers."""

    catalogue: Catalogue
    base: str = ""
    emissions: Mapping[str, Emissions] = field(default_factory=dict)
    """Per model id, its computed training footprint."""

    def __post_init__(self) -> None:
        self.base = self.base or base_url(self.catalogue.settings.site_url)

    @property
    def language(self) -> str:
        return self.catalogue.settings.language

    # -- helpers ---------------------------------------------------------------------------
    def url(self, record_id: str) -> str:
        return page_url(self.base, record_id)

    def ref(self, record_id: Any) -> JsonLd | None:
        if not isinstance(record_id, str) or record_id not in self.catalogue.records:
            return None
        return {"@id": self.url(record_id)}

    def refs(self, ids: Any) -> list[JsonLd]:
        values = ids if isinstance(ids, list) else [ids]
        return _unique([r for r in (self.ref(i) for i in values) if r is not None])

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

    def organization_ref(self, record_id: Any) -> JsonLd | None:
        record = self.catalogue.get(record_id)
        if record is None:
            return None
        node: JsonLd = {"@type": _organization_types(record), "@id": self.url(record.id),
                        "name": record.title}
        if record.data.get("ror_id"):
            node["identifier"] = node["sameAs"] = ror_url(record.data["ror_id"])
        return node

    def download(self, record: Record, pointer: Pointer) -> str:
        return file_url(self.base, record.id, pointer)

    # -- documents -------------------------------------------------------------------------
    def record(self, record: Record, embedded: bool = False, croissant: bool = False) -> JsonLd:
        """The record's JSON-LD with its inline ``@context``; ``embedded`` keeps it small.

        ``croissant``: the flavour Croissant loaders read (URLs as ``xsd:anyURI`` strings,
        relative ids left to the loader); otherwise identifiers are IRIs and relative ids
        resolve against the record's page."""
        mapper = _MAPPERS[record.kind.name]
        terms = context(self.language, croissant=croissant)
        if not croissant:
            terms["@base"] = self.url(record.id)
        document: JsonLd = _numbers({"@context": terms, **mapper(self, record, embedded)})
        return document

    def croissant(self, record: Record, embedded: bool = False) -> JsonLd:
        """A dataset's Croissant description (``croissant.json``; the page embeds it)."""
        return self.record(record, embedded=embedded, croissant=True)

    # -- what every record says ------------------------------------------------------------
    def _thing(self, record: Record) -> JsonLd:
        data = record.data
        node: JsonLd = {"@id": self.url(record.id), "name": record.title,
                        "url": self.url(record.id)}
        _put(node, "description", data.get("description"))
        _put(node, "alternateName", record.slug)
        pid = doi_url(data.get("persistent_identifier"))
        if record.kind.is_asset:
            node["identifier"] = pid or self.url(record.id)
            _put(node, "sameAs", pid)
        return node

    def _dated(self, record: Record, node: JsonLd) -> JsonLd:
        """Dates of a record that is not a CreativeWork, as Dublin Core."""
        _put(node, "dct:created", iso_day(record.data.get("created_at")))
        _put(node, "dct:modified", iso_day(record.data.get("updated_at")))
        _put(node, "dct:isReplacedBy", self.ref(record.data.get("replaced_by")))
        return node

    def _creative_work(self, record: Record) -> JsonLd:
        """Models, datasets and workflows: schema.org CreativeWorks and PROV-O entities."""
        data = record.data
        node = self._thing(record)
        _put(node, "dateCreated", iso_day(data.get("created_at")))
        _put(node, "datePublished", iso_day(data.get("created_at")))
        _put(node, "dateModified", iso_day(data.get("updated_at")))
        _put(node, "version", data.get("version"))
        _put(node, "license", self._license(record))
        creators = [self.person(r) for r in record.items("created_by")]
        _put(node, "creator", [c for c in creators if c])
        _put(node, "prov:wasAttributedTo", self.refs(record.items("created_by")))
        _put(node, "publisher", self.organization_ref(data.get("organization")))
        _put(node, "keywords", record.items("subjects"))
        _put(node, "dct:accessRights", _iri(access_rights_iri(data.get("access_rights"))))
        node["isAccessibleForFree"] = data.get("access_rights") == "public"
        node["creativeWorkStatus"] = STATUS_LABELS.get(record.status, record.status)
        parent = self.ref(data.get("parent_version"))
        if parent:
            node["isBasedOn"] = parent
        _put(node, "prov:wasDerivedFrom", self.refs(
            [data.get("parent_version"), data.get("base_model"),
             *record.items("training_datasets")]))
        _put(node, "dct:isReplacedBy", self.ref(data.get("replaced_by")))
        _put(node, "citation", self._publications(record))
        funders = [self.organization_ref(f.get("funder")) for f in record.mappings("funding")]
        _put(node, "funder", _unique([f for f in funders if f]))
        _put(node, "funding", self._grants(record))
        node["isPartOf"] = {"@id": self.base}
        return node

    def _license(self, record: Record) -> str | list[str] | None:
        licence = record.data.get("license")
        if not isinstance(licence, str):
            return None
        urls = license_urls(licence)
        return (urls[0] if len(urls) == 1 else urls) or None

    def _publications(self, record: Record) -> list[JsonLd]:
        works = []
        for publication in record.mappings("related_publications"):
            text, doi, url = (publication.get(k) for k in ("citation", "doi", "url"))
            link = "https://doi.org/" + doi if isinstance(doi, str) and doi else url
            work: JsonLd = {"@type": "CreativeWork", "name": text}
            if isinstance(link, str) and link:
                work["@id"] = work["url"] = link
            works.append(_drop_none(work))
        return works

    def _grants(self, record: Record) -> list[JsonLd]:
        grants = []
        for item in record.mappings("funding"):
            funder = self.ref(item.get("funder"))
            if funder is None:
                continue
            url = item.get("award_url")
            grant: JsonLd = {"@type": "Grant", "funder": funder, "name": item.get("award_title"),
                             "url": url if isinstance(url, str) else None}
            if item.get("award_number"):
                grant["identifier"] = {"@value": str(item["award_number"])}
            grants.append(_drop_none(grant))
        return grants

    def _media(self, record: Record) -> list[JsonLd]:
        files = CroissantFiles(record, lambda p: self.download(record, p))
        return [_drop_none({"@type": "MediaObject", "@id": self.download(record, p),
                            "name": name, "contentUrl": self.download(record, p),
                            "encodingFormat": p.media_type or None, "sha256": p.sha256,
                            "contentSize": f"{p.size_bytes} B",
                            "description": artefact_entry(record, p).get("description")
                            or p.role})
                for p, name in zip(files.pointers, file_names(files.pointers), strict=True)]

    # -- per kind --------------------------------------------------------------------------
    def model(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        graph = self.catalogue.graph
        node = {"@type": _types(record), **self._creative_work(record)}
        _put(node, "fair4ml:trainedOn", self.refs(record.items("training_datasets")))
        _put(node, "fair4ml:fineTunedFrom", self.ref(data.get("base_model")))
        _put(node, "fair4ml:mlTask", [t for t in (data.get("model_type"), data.get("task")) if t])
        _put(node, "fair4ml:modelCategory", data.get("architecture"))
        _put(node, "fair4ml:intendedUse", data.get("intended_use"))
        _put(node, "fair4ml:modelRisksBiasLimitations", data.get("limitations"))
        _put(node, "fair4ml:sharedBy", self.organization_ref(data.get("organization")))
        emissions = self.emissions.get(record.id)
        if emissions is not None:
            node["fair4ml:hasCO2eEmissions"] = emissions.text
            node["omh:co2eKg"] = {"@value": _decimal(emissions.kg), "@type": "xsd:decimal"}
        framework = " ".join(str(data[k]) for k in ("framework", "framework_version") if k in data)
        _put(node, "omh:framework", framework)
        evaluations = []
        for item in record.mappings("evaluations"):
            evaluation: JsonLd = {"@type": "fair4ml:MLModelEvaluation",
                                  "fair4ml:evaluationMetrics": item.get("metric"),
                                  "fair4ml:evaluationResults": str(item.get("value"))}
            _put(evaluation, "fair4ml:evaluationDataset", self.ref(item.get("dataset")))
            evaluations.append(evaluation)
        _put(node, "fair4ml:hasEvaluation", evaluations)
        _put(node, "fair4ml:evaluatedOn", self.refs(
            [e.get("dataset") for e in record.mappings("evaluations")]))
        _put(node, "prov:wasGeneratedBy", self.refs(graph.related(record.id, "produced_by")))
        _put(node, "associatedMedia", self._media(record))
        return node

    def dataset(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        files = CroissantFiles(record, lambda p: self.download(record, p))
        node: JsonLd = {"@type": _types(record),
                        "conformsTo": [CROISSANT_CONFORMS_TO, CROISSANT_RAI_CONFORMS_TO],
                        **self._creative_work(record)}
        if files.records_are_a_sample():
            node["description"] = (f"{node.get('description', '')} The records described "
                                   "here are a sample: the full data is not published as a "
                                   "table.").strip()
        node["citeAs"] = bibtex(citation_for(record, self.catalogue))
        node["includedInDataCatalog"] = {"@type": "DataCatalog", "@id": self.base,
                                         "name": self.catalogue.settings.title,
                                         "url": self.base}
        node["inLanguage"] = self.language
        _put(node, "sdLicense", node.get("license"))
        _put(node, "distribution", files.distribution())
        columns = record.mappings("columns")
        _put(node, "variableMeasured", [_drop_none({
            "@type": "PropertyValue", "name": c.get("name"), "description": c.get("description"),
            "unitText": c.get("unit")}) for c in columns][:EMBEDDED_MAX_FIELDS if embedded
                                                         else None])
        _put(node, "recordSet", files.record_sets(EMBEDDED_MAX_FIELDS if embedded else None))
        coverage = data.get("temporal_coverage")
        if isinstance(coverage, dict) and coverage:
            node["temporalCoverage"] = (f"{iso_day(coverage.get('start')) or '..'}/"
                                        f"{iso_day(coverage.get('end')) or '..'}")
        _put(node, "spatialCoverage", data.get("spatial_coverage"))
        _put(node, "measurementTechnique", data.get("sampling_strategy"))
        node.update(files.rai(self._uses(record)))
        return node

    def _uses(self, record: Record) -> list[str]:
        """What the catalogue knows the data was used for: each run and its role."""
        uses = []
        for experiment_id in self.catalogue.graph.related(record.id, "used_in"):
            experiment = self.catalogue.get(experiment_id)
            if experiment is None:
                continue
            roles = sorted({str(u.get("role")) for u in experiment.mappings("datasets")
                            if u.get("dataset") == record.id and u.get("role")})
            uses.append(f"{', '.join(roles) or 'used'} data of the experiment "
                        f"\"{experiment.title}\" ({self.url(experiment_id)})")
        return uses

    def experiment(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        page = self.url(record.id)
        node: JsonLd = {"@type": _types(record), **self._thing(record)}
        _put(node, "dct:created", iso_day(data.get("created_at")))
        _put(node, "dct:modified", iso_day(data.get("updated_at")))
        _put(node, "dcat:version", data.get("version"))
        _put(node, "dct:license", _iri(self._license(record)))
        _put(node, "dct:publisher", self.ref(data.get("organization")))
        _put(node, "dct:accessRights", _iri(access_rights_iri(data.get("access_rights"))))
        _put(node, "dct:subject", record.items("subjects"))
        _put(node, "dct:isVersionOf", self.ref(data.get("parent_version")))
        _put(node, "dct:isReplacedBy", self.ref(data.get("replaced_by")))
        _put(node, "dct:bibliographicCitation", [p["citation"] for p in
                                                 record.mappings("related_publications")
                                                 if isinstance(p.get("citation"), str)])
        node["omh:lifecycleStatus"] = STATUS_LABELS.get(record.status, record.status)
        creators = self.refs(record.items("created_by"))
        _put(node, "agent", creators)
        _put(node, "prov:wasAssociatedWith", creators)
        for key, terms in (("start_time", ("startTime", "prov:startedAtTime")),
                           ("end_time", ("endTime", "prov:endedAtTime"))):
            if isinstance(data.get(key), str):
                for term in terms:
                    node[term] = data[key]
        status = ACTION_STATUS.get(str(data.get("experiment_status")))
        if status:
            node["actionStatus"] = {"@id": status}
        datasets = self.refs([u.get("dataset") for u in record.mappings("datasets")])
        base = self.refs(data.get("base_model"))
        resources = self.refs([u.get("resource") for u in record.mappings("resource_utilizations")])
        produced = self.refs(record.items("produced_models"))
        _put(node, "object", datasets + base)
        _put(node, "result", produced)
        _put(node, "prov:used", datasets + base + resources)
        _put(node, "prov:generated", produced)
        workflow = self.ref(data.get("workflow"))
        if workflow:
            node["instrument"] = workflow
            node["mls:executes"] = workflow
            node["prov:qualifiedAssociation"] = {"@type": "prov:Association",
                                                 "prov:hadPlan": workflow}
        _put(node, "omh:codeRepository", _iri(data.get("code_repository_url")))
        hyperparameter_base = (workflow or {"@id": page})["@id"]
        settings = [{"@type": "mls:HyperParameterSetting",
                     "@id": f"{page}#setting-{quote(str(k), safe='')}",
                     "mls:specifiedBy": {
                         "@type": "mls:HyperParameter", "name": str(k),
                         "@id": f"{hyperparameter_base}#hyperparameter-{quote(str(k), safe='')}"},
                     "mls:hasValue": _value(v)} for k, v in _mapping(data, "hyperparameters")]
        _put(node, "mls:hasInput", datasets + base + settings)
        evaluations = []
        for metric in record.mappings("metrics"):
            if "value" not in metric or not metric.get("name"):
                continue
            measure = str(metric.get("metric_type") or metric["name"])
            evaluations.append(_drop_none({
                "@type": "mls:ModelEvaluation",
                "@id": f"{page}#evaluation-{quote(str(metric['name']), safe='')}",
                "name": metric.get("name"), "mls:hasValue": _value(metric.get("value")),
                "mls:specifiedBy": {"@type": "mls:EvaluationMeasure", "name": measure,
                                    "@id": f"{page}#measure-{quote(measure, safe='')}"}}))
        _put(node, "mls:hasOutput", produced + evaluations)
        usages = []
        for usage in record.mappings("resource_utilizations"):
            usages.append(_drop_none({
                "@type": "prov:Usage", "prov:entity": self.ref(usage.get("resource")),
                "hpc:averageExecutionTime": usage.get("duration_seconds"),
                "hpc:memoryOccupancy": usage.get("memory_usage_gb"),
                "hpc:dataTransferSize": usage.get("network_io_gb"),
                "omh:cpuUtilizationPercent": usage.get("cpu_utilization_percent"),
                "omh:gpuUtilizationPercent": usage.get("gpu_utilization_percent"),
                "omh:energyConsumptionKwh": usage.get("energy_consumption_kwh"),
                "omh:nodes": usage.get("nodes")}))
        _put(node, "prov:qualifiedUsage", usages)
        return node

    def workflow(self, record: Record, embedded: bool) -> JsonLd:
        """The code as schema.org SoftwareSourceCode, the PROV-O plan its runs (the
        experiments naming it) followed, and the ML-Schema implementation they executed."""
        data = record.data
        node: JsonLd = {"@type": _types(record), **self._creative_work(record)}
        _put(node, "codeRepository", data.get("code_repository_url")
             or (self.catalogue.settings.repository_url if data.get("code_path") else None))
        _put(node, "programmingLanguage", data.get("programming_language"))
        environment = data.get("environment_specification")
        environment = environment if isinstance(environment, dict) else {}
        image = environment.get("container_image")
        digest = environment.get("container_digest")
        packages = [p for p in environment.get("packages", []) if isinstance(p, str)]
        dependencies: list[Any] = list(packages) or [environment.get("file")]
        platform = [f"{image}@{digest}" if image and digest else image, *dependencies]
        _put(node, "runtimePlatform", [str(p) for p in platform if p])
        for key, term in (("code_path", "omh:codePath"), ("code_commit_hash", "omh:commitHash"),
                          ("code_release_tag", "omh:releaseTag"),
                          ("entrypoint", "omh:entrypoint")):
            _put(node, term, data.get(key))
        for key, term in (("inputs", "omh:input"), ("outputs", "omh:output")):
            _put(node, term, [_drop_none({"@type": "CreativeWork", "name": item.get("name"),
                                          "description": item.get("description"),
                                          "encodingFormat": item.get("format")})
                              for item in record.mappings(key)])
        _put(node, "associatedMedia", self._media(record))
        return node

    def resource(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        hpc_type = RESOURCE_TYPES.get(str(data.get("resource_type")))
        node = {"@type": [hpc_type, "Product"] if hpc_type else _types(record),
                **self._dated(record, self._thing(record))}
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
        _put(node, "omh:owner", self.organization_ref(data.get("organization")))
        return node

    def researcher(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node = {**(self.person(record.id) or {}), **self._dated(record, self._thing(record))}
        node["@type"] = _types(record)
        if data.get("orcid_id"):
            node["identifier"] = node["sameAs"] = orcid_url(data["orcid_id"])
        _put(node, "email", data.get("email"))
        _put(node, "knowsAbout", record.items("expertise_areas")
             + record.items("research_interests"))
        _put(node, "memberOf", self.refs(record.items("affiliations")))
        return node

    def organization(self, record: Record, embedded: bool) -> JsonLd:
        data = record.data
        node = {**(self.organization_ref(record.id) or {}),
                **self._dated(record, self._thing(record))}
        if data.get("ror_id"):
            node["identifier"] = node["sameAs"] = ror_url(data["ror_id"])
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
        (the newest datasets first). Each dataset it names carries its name and description,
        so that every Dataset item on a page is a valid one."""
        settings = self.catalogue.settings
        node: JsonLd = {"@context": context(self.language), "@type": "DataCatalog",
                        "@id": self.base, "name": settings.title, "url": self.base}
        _put(node, "description", settings.description)
        _put(node, "publisher", self.organization_ref(settings.publisher))
        node["inLanguage"] = self.language
        datasets = [r for r in self.catalogue.of_kind("dataset") if r.status != DELETED]
        datasets.sort(key=lambda r: (str(r.data.get("created_at", "")), r.id), reverse=True)
        node["dataset"] = [_drop_none({
            "@type": "Dataset", "@id": self.url(r.id), "name": r.title,
            "description": r.data.get("description"), "url": self.url(r.id)})
            for r in datasets[:limit]]
        return node


_MAPPERS: dict[str, Callable[[LinkedData, Record, bool], JsonLd]] = per_kind("JSON-LD mappings", {
    "model": LinkedData.model, "dataset": LinkedData.dataset,
    "experiment": LinkedData.experiment, "workflow": LinkedData.workflow,
    "resource": LinkedData.resource, "researcher": LinkedData.researcher,
    "organization": LinkedData.organization,
})


def model_emissions(report: CarbonReport) -> dict[str, Emissions]:
    """Each model's computed training footprint, as text and in kilograms."""
    emissions = {}
    for model_id, footprint in report.models.items():
        totals = footprint.own
        if totals.runs:
            share = totals.estimated_share
            method = ("measured" if not share else "estimated" if share == 1
                      else f"{share:.0%} estimated")
            emissions[model_id] = Emissions(
                f"{totals.kg:.3g} kg CO2e ({method}; {totals.kwh:.3g} kWh over "
                f"{totals.runs} run(s); range {totals.kg_low:.3g}-{totals.kg_high:.3g} kg)",
                totals.kg)
    return emissions


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


JSON_LITERALS = frozenset({"data", "examples", "@context"})
"""Keys whose values are JSON itself (``@json``) or the context, never RDF values."""


def _numbers(value: Any) -> Any:
    """``value`` with its numbers written so that every JSON-LD processor makes the same RDF
    of them: a whole float (a YAML ``1.0``) as an integer (pyld reads ``1.0`` as
    ``xsd:integer``, rdflib as ``xsd:double``), any other float as the ``xsd:decimal`` the
    record wrote (a JSON number becomes an ``xsd:double`` in the JSON-LD algorithm's canonical
    form, which keeps 16 significant digits where a value can need 17)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return {"@value": _decimal_text(value), "@type": "xsd:decimal"}
    if isinstance(value, dict):
        if "@value" in value:
            return value
        return {k: v if k in JSON_LITERALS else _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def _iri(value: str | list[str] | None) -> JsonLd | list[JsonLd] | None:
    """A link as a node reference, for terms (Dublin Core's) the context does not coerce."""
    if value is None:
        return None
    if isinstance(value, list):
        return [{"@id": v} for v in value]
    return {"@id": value}


def _value(value: Any) -> Any:
    """A setting's or metric's value: numbers and booleans as they are, anything else as text."""
    return value if isinstance(value, (int, float, bool)) else str(value)


def _decimal(value: float) -> str:
    """``value`` as an ``xsd:decimal`` lexical form (no exponent), to the gram."""
    return _decimal_text(round(value, 3))


def _decimal_text(value: float) -> str:
    """The shortest decimal that reads back as ``value``, without an exponent."""
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _mapping(data: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = data.get(key)
    return sorted(value.items()) if isinstance(value, dict) else []


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
    text = json_text(document)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
