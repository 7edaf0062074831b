"""Code a reader copies to use an asset, generated from its record: a model run with
onnxruntime from its own signature, sample inputs and class labels; a Hub file fetched with
``huggingface_hub``; a dataset downloaded and checked; the package's environment installed; a
workflow checked out at its commit.

Every snippet downloads files from where the site publishes them and checks each against the
sha256 the record gives. The page's own address is written in as ``PAGE`` (the catalogue's
``site_url``); the page's script puts the address it is actually served from in its place, so
a snippet copied from a preview or a mirror fetches from there.
"""

from __future__ import annotations

import json
import textwrap
import zipfile
from typing import Any, NamedTuple

from catalogue.load.artefacts import local_file
from catalogue.model.pointers import ArtefactError, Pointer, record_pointers
from catalogue.model.records import Record
from site_generator.downloads import Download

WIDTH = 88
NUMPY_TYPES = {
    "float16": "float16", "float32": "float32", "float64": "float64", "int8": "int8",
    "int16": "int16", "int32": "int32", "int64": "int64", "uint8": "uint8",
    "uint16": "uint16", "uint32": "uint32", "uint64": "uint64", "bool": "bool_",
}
FETCH = '''

def fetch(url: str, sha256: str) -> bytes:
    """A file of the package, checked against the sha256 its record gives."""
    with urllib.request.urlopen(url) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{url} does not match its sha256")
    return data
'''


class Snippet(NamedTuple):
    key: str
    title: str
    explanation: str
    code: str
    language: str = "python"


def _published(rows: list[Download], pointer: Pointer) -> bool:
    """The file has a link on the page: published beside it, or remote and real."""
    return any(row.name == pointer.name and row.href for row in rows) and not pointer.is_example


def _source(pointer: Pointer) -> str:
    """A Python expression for the file's URL."""
    if pointer.is_local:
        return f"PAGE + {json.dumps(pointer.target)}"
    return json.dumps(pointer.target)


def _comment(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH - len(indent) - 2,
                         initial_indent=indent + "# ", subsequent_indent=indent + "# ")


def _shape(value: Any) -> str:
    return " x ".join(str(d) for d in value) if isinstance(value, list) else "?"


def _npz_keys(record: Record, pointer: Pointer) -> set[str]:
    """The arrays an ``.npz`` sample file holds (read from its zip directory only)."""
    try:
        with zipfile.ZipFile(local_file(record.folder, pointer.target)) as archive:
            return {n.removesuffix(".npy") for n in archive.namelist() if n.endswith(".npy")}
    except (ArtefactError, OSError, zipfile.BadZipFile):
        return set()


def _samples(record: Record, rows: list[Download], names: list[str]) -> Pointer | None:
    """A published ``.npz`` holding an array for every input."""
    for _, pointer, _ in record_pointers(record):
        if pointer is not None and pointer.is_local and pointer.suffix == ".npz" \
                and pointer.role in ("sample-data", "reference-output") \
                and _published(rows, pointer) and set(names) <= _npz_keys(record, pointer):
            return pointer
    return None


def _example_input(tensor: dict[str, Any]) -> str:
    dtype = NUMPY_TYPES.get(str(tensor.get("dtype")))
    shape = tensor.get("shape")
    if tensor.get("type", "tensor") != "tensor" or dtype is None or not isinstance(shape, list):
        return "...  # build this input as the model's card describes"
    dims = ", ".join(str(d) if isinstance(d, int) else "1" for d in shape)
    return f"np.zeros(({dims}{',' if len(shape) == 1 else ''}), dtype=np.{dtype})"


def _labelled_output(record: Record, labels: list[str]) -> str | None:
    """The first output with one score per class, along its last axis."""
    for tensor in record.mappings("output_schema"):
        shape = tensor.get("shape")
        if tensor.get("type", "tensor") == "tensor" and isinstance(shape, list) and shape \
                and shape[-1] == len(labels) and str(tensor.get("dtype", "")).startswith("float"):
            return str(tensor.get("name"))
    return None


def onnx_snippet(record: Record, rows: list[Download], page: str) -> Snippet | None:
    """Run the model's ONNX file with onnxruntime on the package's samples (or a zero input
    of the declared shape), and print the predicted class of each row."""
    onnx = next((p for _, p, _ in record_pointers(record)
                 if p is not None and p.role == "onnx" and _published(rows, p)), None)
    if onnx is None or onnx.hf is not None:
        return None
    inputs = [t for t in record.mappings("input_schema") if isinstance(t.get("name"), str)]
    names = [str(t["name"]) for t in inputs]
    samples = _samples(record, rows, names) if names else None
    version = record.data.get("version")
    lines = [f"# {record.title}{f' v{version}' if isinstance(version, str) else ''}: "
             "run the ONNX model with onnxruntime", "# pip install numpy onnxruntime",
             "import hashlib", *(["import io"] if samples else []), "import urllib.request",
             "", "import numpy as np", "import onnxruntime as ort", "",
             f"PAGE = {json.dumps(page)}"]
    lines += FETCH.splitlines()
    lines += ["", "",
              f"model = fetch({_source(onnx)}, {json.dumps(onnx.sha256)})",
              'session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])']
    if samples is not None:
        lines += ["samples = np.load(io.BytesIO(fetch("
                  f"{_source(samples)}, {json.dumps(samples.sha256)})))"]
    lines.append("inputs = {")
    for tensor in inputs:
        name = str(tensor["name"])
        about = f"{name}: {tensor.get('dtype', tensor.get('type', ''))}, shape " \
                f"{_shape(tensor.get('shape'))}. {tensor.get('description') or ''}"
        lines += _comment(about, "    ")
        value = f"samples[{json.dumps(name)}]" if samples else _example_input(tensor)
        lines.append(f"    {json.dumps(name)}: {value},")
    lines += ["}", "outputs = dict(zip([o.name for o in session.get_outputs()], "
              "session.run(None, inputs)))"]
    labels = [str(label) for label in record.items("class_labels")]
    scores = _labelled_output(record, labels) if labels else None
    if scores is not None:
        lines += [f"labels = {json.dumps(labels)}",
                  f"for row in outputs[{json.dumps(scores)}]:",
                  "    print(labels[int(np.argmax(row))])"]
    else:
        lines += ["for name, value in outputs.items():",
                  "    print(name, getattr(value, \"shape\", type(value)))"]
    what = "the package's sample inputs" if samples else "an input of the declared shape"
    return Snippet("onnxruntime", "Python (onnxruntime)",
                   f"Downloads the ONNX file, checks its sha256, runs it on {what} and prints "
                   "the predicted class of each row.", "\n".join(lines) + "\n")


def hub_snippet(record: Record) -> Snippet | None:
    """Fetch the record's Hugging Face Hub files at their pinned revision."""
    hub = [p for _, p, _ in record_pointers(record)
           if p is not None and p.hf is not None and p.field[0] == "artefacts"]
    if not hub:
        return None
    lines = ["# pip install huggingface_hub", "from huggingface_hub import hf_hub_download", ""]
    for pointer in hub:
        assert pointer.hf is not None
        repo_type = f", repo_type={json.dumps(pointer.hf.repo_type)}" \
            if pointer.hf.repo_type else ""
        lines += _comment(f"{pointer.role}: sha256 {pointer.sha256}")
        lines.append(f"path = hf_hub_download(repo_id={json.dumps(pointer.hf.repo_id)}, "
                     f"filename={json.dumps(pointer.hf.filename)}, "
                     f"revision={json.dumps(pointer.hf.revision)}{repo_type})")
    return Snippet("huggingface_hub", "Hugging Face Hub",
                   "Downloads the files from the Hub at the revision the record pins (cached "
                   "by huggingface_hub).", "\n".join(lines) + "\n")


def environment_snippet(record: Record, rows: list[Download], page: str) -> Snippet | None:
    """Install the package's pinned environment."""
    for _, pointer, _ in record_pointers(record):
        if pointer is not None and pointer.role == "environment" and pointer.is_local \
                and _published(rows, pointer) and pointer.suffix == ".txt":
            code = f"python3 -m venv .venv && . .venv/bin/activate\n" \
                   f"pip install -r {page}{pointer.target}\n"
            return Snippet("environment", "Environment",
                           f"Installs the packages {pointer.name} pins, in a new virtual "
                           "environment.", code, "bash")
    return None


def dataset_snippet(record: Record, rows: list[Download], page: str) -> Snippet | None:
    """Download the dataset's data file, check it, and read it when it is CSV."""
    data = next((p for _, p, _ in record_pointers(record)
                 if p is not None and p.field[0] == "artefacts" and p.hf is None
                 and p.role in ("data", "other") and _published(rows, p)), None)
    if data is None:
        return None
    lines = ["import hashlib", *(["import csv", "import io"] if data.suffix in (".csv", ".tsv")
                                 else []), "import urllib.request", "",
             f"PAGE = {json.dumps(page)}"]
    lines += FETCH.splitlines()
    lines += ["", "", f"data = fetch({_source(data)}, {json.dumps(data.sha256)})"]
    if data.suffix in (".csv", ".tsv"):
        delimiter = "\\t" if data.suffix == ".tsv" else ","
        lines += ["rows = list(csv.DictReader(io.StringIO(data.decode(\"utf-8\")), "
                  f"delimiter=\"{delimiter}\"))", "print(len(rows), \"rows; first:\", rows[0])"]
    else:
        lines += [f"with open({json.dumps(data.name.rsplit('/', 1)[-1])}, \"wb\") as file:",
                  "    file.write(data)"]
    return Snippet("download", "Python", f"Downloads {data.name}, checks its sha256"
                   + (" and reads its rows." if data.suffix in (".csv", ".tsv") else "."),
                   "\n".join(lines) + "\n")


def workflow_snippet(record: Record, repository: str | None) -> Snippet | None:
    """Check the code out at its commit and run its entry point."""
    commit = record.data.get("code_commit_hash") or record.data.get("code_release_tag")
    entrypoint = record.data.get("entrypoint")
    if not repository or not isinstance(entrypoint, str):
        return None
    folder = repository.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "code"
    lines = [f"git clone {repository} {folder}", f"cd {folder}"]
    if isinstance(commit, str):
        lines.append(f"git checkout {commit}")
    path = record.data.get("code_path")
    lines += [*([f"# the code is in {path}"] if isinstance(path, str) else []), entrypoint]
    return Snippet("workflow", "Run it", "Checks the code out at the recorded commit and "
                   "runs its entry point.", "\n".join(lines) + "\n", "bash")


def snippets(record: Record, rows: list[Download], page: str, repository: str | None = None
             ) -> list[Snippet]:
    """Every snippet that applies to the record, the most direct first."""
    kind = record.kind.name
    found: list[Snippet | None] = []
    if kind == "model":
        found = [onnx_snippet(record, rows, page), hub_snippet(record),
                 environment_snippet(record, rows, page)]
    elif kind == "dataset":
        found = [dataset_snippet(record, rows, page), hub_snippet(record)]
    elif kind == "workflow":
        found = [workflow_snippet(record, repository)]
    return [s for s in found if s is not None]
