"""Catalogue-wide settings (``catalogue.yaml`` at the root), validated like a record and read
once, into these typed sections.

Every default of a setting is declared here (the schema's ``default`` annotations say the same;
a test holds them together). The carbon section is the exception by design: its defaults are
figures of carbon accounting with their sources (``catalogue.derive.carbon_defaults``), so here
a carbon setting is an override, ``None`` when ``catalogue.yaml`` leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from catalogue.model.yaml_source import DEFAULT_MAX_BYTES

DEFAULT_TITLE = "Open Models Hub"
DEFAULT_LANGUAGE = "en"
DEFAULT_CACHE_DIR = ".omh-cache"
DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_PARITY_TIMEOUT_SECONDS = 120.0
DEFAULT_PARITY_MEMORY_MB = 4096
DEFAULT_MAX_SAMPLE_BYTES = 512 * 1024**2
DEFAULT_MAX_RTOL = 1e-3
DEFAULT_MAX_ATOL = 1e-3
DEFAULT_MINIMUM_SCORE = 0
"""No quality minimum unless catalogue.yaml sets one."""

ApplyTo = Literal["changed", "all"]
APPLY_TO: tuple[ApplyTo, ...] = ("changed", "all")
DEFAULT_APPLY_TO: ApplyTo = "changed"


@dataclass(frozen=True)
class Limits:
    max_record_bytes: int = DEFAULT_MAX_BYTES
    """A record file larger than this is refused unread."""


@dataclass(frozen=True)
class ArtefactSettings:
    """How remote artefacts are fetched and cached."""

    cache_dir: str = DEFAULT_CACHE_DIR
    """Relative to the catalogue root, outside every kind and record folder; the
    ``OMH_CACHE_DIR`` environment variable overrides it."""
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    """The longest one download may take, from connecting to its last byte."""


@dataclass(frozen=True)
class QualitySettings:
    """The quality score a new or changed asset must reach (0: no minimum)."""

    minimum_score: int = DEFAULT_MINIMUM_SCORE
    apply_to: ApplyTo = DEFAULT_APPLY_TO
    """``changed``: records named or changed since ``--base``; ``all``: every asset checked."""


@dataclass(frozen=True)
class ParitySettings:
    """Bounds of ``omh parity`` (and of ``omh validate``, which runs it on local models): each
    onnxruntime session runs in a child process with these limits, sample archives are read up
    to ``max_sample_bytes`` decompressed, and a record may loosen the tolerance up to
    ``max_rtol`` / ``max_atol`` only with a ``tolerance_reason``. The defaults fit a CI runner."""

    timeout_seconds: float = DEFAULT_PARITY_TIMEOUT_SECONDS
    memory_limit_mb: int = DEFAULT_PARITY_MEMORY_MB
    """Address space of the child process (``RLIMIT_AS``), onnxruntime and Python included."""
    max_sample_bytes: int = DEFAULT_MAX_SAMPLE_BYTES
    max_rtol: float = DEFAULT_MAX_RTOL
    max_atol: float = DEFAULT_MAX_ATOL


@dataclass(frozen=True)
class CarbonBands:
    medium_kg: float | None = None
    high_kg: float | None = None


@dataclass(frozen=True)
class CarbonSettings:
    """Overrides of carbon accounting's defaults; ``None``: keep the sourced default."""

    pue: float | None = None
    pue_local: float | None = None
    cpu_power_watts_per_core: float | None = None
    gpu_power_watts: float | None = None
    memory_power_watts_per_gb: float | None = None
    world_intensity_gco2_per_kwh: float | None = None
    threshold_kg: float | None = None
    bands: CarbonBands = field(default_factory=CarbonBands)


@dataclass(frozen=True)
class Settings:
    title: str = DEFAULT_TITLE
    description: str = ""
    publisher: str | None = None
    site_url: str | None = None
    repository_url: str | None = None
    language: str = DEFAULT_LANGUAGE
    limits: Limits = field(default_factory=Limits)
    artefacts: ArtefactSettings = field(default_factory=ArtefactSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    carbon: CarbonSettings = field(default_factory=CarbonSettings)
    parity: ParitySettings = field(default_factory=ParitySettings)
