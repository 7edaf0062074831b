"""The model page shows what parity rests on: the inputs and outputs with their features, units
and ranges, small static plots of the shipped sample values beside the evidence, the tolerance
and why it is looser when it is, and the tensors and metadata of safetensors weights."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from parity_helpers import IRIS, REPO, edit_record, iris_catalogue, replace_file

from site_generator.build import build_site

pytestmark = pytest.mark.slow
SKLEARN = "models/iris-logistic-regression-sklearn"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from safetensors.numpy import save

    root = iris_catalogue(tmp_path_factory.mktemp("catalogue"))
    shutil.copytree(REPO / SKLEARN, root / SKLEARN)
    weights = save({"linear.weight": np.zeros((3, 4), np.float32),
                    "linear.bias": np.zeros(3, np.float32)},
                   metadata={"class_names": '["setosa", "versicolor", "virginica"]',
                             "note": "<script>alert(1)</script>"})
    replace_file(root, "model.safetensors", weights)
    edit_record(root, lambda d: d.update(parity={
        "rtol": 0.0001, "atol": 0.0001,
        "tolerance_reason": "Kept at the default; <b>shown</b> as text."}))
    out = tmp_path_factory.mktemp("site")
    build_site(root, out, force=True)
    return out


def _page(site: Path, record_id: str) -> str:
    return (site / record_id / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("record_id", [IRIS, SKLEARN])
def test_the_feature_table_has_units_and_ranges(site: Path, record_id: str) -> None:
    page = _page(site, record_id)
    table = page[page.index('id="features-inputs-1"'):]
    table = table[:table.index("</table>")]
    for name, low, high in (("sepal_length_cm", "4.3", "7.9"), ("petal_width_cm", "0.1", "2.5")):
        assert re.search(rf"<code>{name}</code></td><td>cm</td><td>{low} to {high}</td>", table)


@pytest.mark.parametrize(("record_id", "plots"), [
    (IRIS, ["measurements: sepal_length_cm", "probabilities: virginica", "class_index"]),
    (SKLEARN, ["measurements: petal_width_cm", "output_label", "output_probability['setosa']"]),
])
def test_sample_values_are_plotted_as_static_svg(site: Path, record_id: str,
                                                 plots: list[str]) -> None:
    page = _page(site, record_id)
    section = page[page.index('id="sample-values"'):]
    section = section[:section.index("</div>")]
    svgs = re.findall(r"<svg .*?</svg>", section, re.S)
    assert len(svgs) >= 5
    for svg in svgs:
        assert "<script" not in svg and "href" not in svg and " on" not in svg
        assert "style" not in svg
    for name in plots:
        assert f"<code>{name.replace(chr(39), '&#39;')}</code>" in section, name
    assert page.index('id="parity"') < page.index('id="sample-values"')


def test_the_tolerance_reason_and_weights_are_shown_escaped(site: Path) -> None:
    page = _page(site, IRIS)
    assert "Tolerance looser than the catalogue's maximum:</strong> Kept at the default; " \
           "&lt;b&gt;shown&lt;/b&gt; as text." in page
    weights = page[page.index('id="weights-1"'):]
    assert "model.safetensors" in weights[:200]
    assert "2 tensors, 15 values" in weights
    assert "<code>linear.weight</code></td><td><code>F32</code>" in weights
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in weights and "<script>alert" not in page
