"""Small plots of the sample values shipped with a model, one per input feature and per output
(seed 002: "plots of input and output variables for validation samples"), drawn at build time
as static SVG: a histogram of numbers, or a bar per value of a category (strings, booleans,
a few distinct integers). The SVG is built with ElementTree, which escapes every text and
attribute; it holds no script, no link and no style sheet, and goes inline in the page.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from catalogue.check.onnx_package import Problem, TensorSpec
from catalogue.check.parity_samples import collect_cases, record_signature
from catalogue.load.artefacts import Resolver
from catalogue.load.samples import Budget
from catalogue.model.records import Record
from catalogue.model.settings import Settings

WIDTH, HEIGHT, BINS = 220, 56, 20
MAX_PLOTS = 32
MAX_COLUMNS = 16
"""A tensor whose last axis is longer is plotted as one distribution."""
MAX_CATEGORIES = 12
MAX_LABEL = 14
MAX_LABELLED = 6
"""More categories than this are named in the plot's title only."""


class Plot(NamedTuple):
    side: str
    name: str
    unit: str | None
    total: int
    summary: str
    svg: Markup


def sample_plots(record: Record, root: Path, settings: Settings) -> tuple[Plot, ...]:
    """The plots of the record's local (or cached) samples, inputs first; empty when it
    ships none that can be read."""
    signature = record_signature(record)
    if not signature.inputs and not signature.outputs:
        return ()
    resolver = Resolver.from_settings(root, settings.artefacts, offline=True)
    problems: list[Problem] = []
    cases, _ = collect_cases(record, None, True, signature, resolver,
                             Budget(settings.parity.max_sample_bytes), problems)
    plots: list[Plot] = []
    for side, specs, key in (("input", signature.inputs, "inputs"),
                             ("output", signature.outputs, "outputs")):
        entries = {e.get("name"): e for e in record.mappings(f"{side}_schema")}
        for spec in specs:
            values = [getattr(case, key)[spec.name] for case in cases
                      if spec.name in getattr(case, key)]
            if values:
                plots.extend(_plots(side, spec, entries.get(spec.name, {}), values))
    return tuple(plots[:MAX_PLOTS])


def _plots(side: str, spec: TensorSpec, entry: dict[str, Any], values: list[Any]
           ) -> Iterator[Plot]:
    import numpy as np

    unit = entry.get("unit") if isinstance(entry.get("unit"), str) else None
    features = [f for f in entry.get("features", []) if isinstance(f, dict)] \
        if isinstance(entry.get("features"), list) else []
    if spec.type.kind == "sequence" and spec.type.element is not None and \
            spec.type.element.kind == "map":
        by_key: dict[Any, list[Any]] = {}
        for sequence in values:
            for mapping in sequence or []:
                for map_key, item in mapping.items():
                    by_key.setdefault(map_key, []).append(np.asarray(item).reshape(-1))
        for map_key, items in by_key.items():
            yield _plot(side, f"{spec.name}[{map_key!r}]", unit, np.concatenate(items))
        return
    arrays = [np.asarray(v) for v in values if v is not None and not isinstance(v, list | dict)]
    if not arrays:
        return
    if all(a.ndim >= 2 and a.shape[-1] == arrays[0].shape[-1] for a in arrays) and \
            arrays[0].shape[-1] <= MAX_COLUMNS:
        columns = np.concatenate([a.reshape(-1, a.shape[-1]) for a in arrays])
        for index in range(columns.shape[1]):
            feature = features[index] if index < len(features) else {}
            name = f"{spec.name}[..., {index}]"
            if isinstance(feature.get("name"), str):
                name = f"{spec.name}: {feature['name']}"
            feature_unit = feature.get("unit") if isinstance(feature.get("unit"), str) else unit
            yield _plot(side, name, feature_unit, columns[:, index])
        return
    yield _plot(side, spec.name, unit, np.concatenate([a.reshape(-1) for a in arrays]))


def _plot(side: str, name: str, unit: str | None, values: Any) -> Plot:
    import numpy as np

    if values.dtype.kind in "fc" or (values.dtype.kind in "iu" and
                                     len(np.unique(values)) > MAX_CATEGORIES):
        return _histogram(side, name, unit, values.real.astype(np.float64))
    counts = Counter(str(v) for v in values.tolist())
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CATEGORIES]
    summary = f"{len(values)} values, {len(counts)} distinct"
    return Plot(side, name, unit, len(values), summary,
                _bars(name, [c for _, c in ordered], [k for k, _ in ordered], summary))


def _histogram(side: str, name: str, unit: str | None, values: Any) -> Plot:
    import numpy as np

    finite = values[np.isfinite(values)]
    missing = len(values) - len(finite)
    if len(finite) == 0:
        summary = f"{len(values)} values, none finite"
        return Plot(side, name, unit, len(values), summary, _bars(name, [], [], summary))
    low, high = float(finite.min()), float(finite.max())
    counts, _ = np.histogram(finite, bins=BINS if high > low else 1,
                             range=(low, high) if high > low else None)
    summary = f"{len(values)} values from {_number(low)} to {_number(high)}"
    if missing:
        summary += f" ({missing} not finite)"
    labels = [_number(low), _number(high)]
    return Plot(side, name, unit, len(values), summary,
                _bars(name, [int(c) for c in counts], labels, summary, axis=True))


def _number(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else str(value)


def _bars(name: str, counts: list[int], labels: list[str], summary: str, *,
          axis: bool = False) -> Markup:
    """The SVG: one bar per count; ``labels`` under the ends of the axis (a histogram) or
    under each bar (categories)."""
    plot_height = HEIGHT - 14
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(WIDTH),
                             "height": str(HEIGHT), "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                             "role": "img", "class": "omh-plot-svg"})
    ET.SubElement(svg, "title").text = f"{name}: {summary}"
    top = max(counts, default=0) or 1
    step = WIDTH / max(len(counts), 1)
    for index, count in enumerate(counts):
        height = plot_height * count / top
        ET.SubElement(svg, "rect", {
            "x": f"{index * step + 0.5:.1f}", "y": f"{plot_height - height:.1f}",
            "width": f"{max(step - 1, 1):.1f}", "height": f"{height:.1f}",
            "fill": "currentColor", "fill-opacity": "0.6"})
    ET.SubElement(svg, "line", {"x1": "0", "y1": str(plot_height), "x2": str(WIDTH),
                                "y2": str(plot_height), "stroke": "currentColor",
                                "stroke-opacity": "0.4"})
    text = {"font-size": "9", "fill": "currentColor", "y": str(HEIGHT - 3)}
    if axis and len(labels) == 2:
        ET.SubElement(svg, "text", {**text, "x": "0"}).text = labels[0]
        ET.SubElement(svg, "text", {**text, "x": str(WIDTH), "text-anchor": "end"}).text = \
            labels[1]
    elif len(labels) <= MAX_LABELLED:
        for index, label in enumerate(labels):
            shown = label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "\u2026"
            ET.SubElement(svg, "text", {**text, "x": f"{(index + 0.5) * step:.1f}",
                                        "text-anchor": "middle"}).text = shown
    return Markup(ET.tostring(svg, encoding="unicode"))
