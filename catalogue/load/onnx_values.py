"""The values an ONNX model takes and gives: the catalogue's name of every ONNX element type,
the type of an input or output (a tensor, a sequence, a map, an optional or a sparse tensor,
nested), and values read from ONNX's own protos (``TensorProto``, ``SequenceProto``,
``MapProto``, ``OptionalProto``) with ``onnx.numpy_helper``.

A value is a NumPy array (a tensor), a list (a sequence), a dict (a map) or ``None`` (an empty
optional); a present optional is its element. Element type names are ONNX's
``TensorProto.DataType`` names in lower case, with ``FLOAT`` and ``DOUBLE`` named by their
width (``float32``, ``float64``) like NumPy: the schema's ``dtype`` list is this list (a test
holds them together).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Dim = int | str | None
"""A dimension: a fixed size, a symbolic name (any size), or ``None`` (unknown, any size)."""

Value = Any
"""np.ndarray | list[Value] | dict[Any, Value] | None"""

_OPTIONAL_FIELDS = ("tensor_value", "sparse_tensor_value", "sequence_value", "map_value",
                    "optional_value")
KINDS = ("tensor", "sequence", "map", "optional", "sparse_tensor")
_RENAMED = {"FLOAT": "float32", "DOUBLE": "float64"}


@functools.cache
def dtype_names() -> dict[int, str]:
    """ONNX element type number -> the catalogue's name, for every type this onnx defines."""
    from onnx import TensorProto

    return {number: _RENAMED.get(name, name.lower())
            for name, number in TensorProto.DataType.items() if number != TensorProto.UNDEFINED}


def dtype_name(elem_type: int) -> str:
    return dtype_names().get(elem_type, f"elem_type_{elem_type}")


def format_shape(shape: Sequence[Dim] | None) -> str:
    if shape is None:
        return "[unknown rank]"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


@dataclass(frozen=True)
class ValueType:
    """The type of an input or output, as the model states it or as a record describes it."""

    kind: str
    """One of ``KINDS``, or ``unknown``."""
    dtype: str | None = None
    """The element type of a tensor or sparse tensor; the key type of a map."""
    shape: tuple[Dim, ...] | None = None
    """A tensor's shape; ``None`` when the rank is not stated."""
    element: ValueType | None = None
    """The element of a sequence or optional; the value type of a map."""

    @property
    def is_tensor(self) -> bool:
        return self.kind == "tensor"

    def describe(self) -> str:
        if self.kind in ("tensor", "sparse_tensor"):
            prefix = "sparse " if self.kind == "sparse_tensor" else ""
            shape = "" if self.shape is None else " " + format_shape(self.shape)
            return f"{prefix}{self.dtype}{shape}"
        inner = self.element.describe() if self.element is not None else "?"
        if self.kind == "map":
            return f"map({self.dtype}, {inner})"
        if self.kind in ("sequence", "optional"):
            return f"{self.kind}({inner})"
        return self.kind

    def leaves(self) -> Iterator[ValueType]:
        """The tensor types inside (itself for a tensor)."""
        if self.kind in ("tensor", "sparse_tensor"):
            yield self
        elif self.element is not None:
            yield from self.element.leaves()


def value_type(type_proto: Any) -> ValueType:
    """The ``ValueType`` of an ONNX ``TypeProto``."""
    which = type_proto.WhichOneof("value")
    if which in ("tensor_type", "sparse_tensor_type"):
        tensor = getattr(type_proto, which)
        kind = which.removesuffix("_type")
        if not tensor.HasField("shape"):
            return ValueType(kind, dtype_name(tensor.elem_type))
        dims: list[Dim] = []
        for dim in tensor.shape.dim:
            which_dim = dim.WhichOneof("value")
            dims.append(dim.dim_value if which_dim == "dim_value" else
                        dim.dim_param if which_dim == "dim_param" and dim.dim_param else None)
        return ValueType(kind, dtype_name(tensor.elem_type), tuple(dims))
    if which == "sequence_type":
        return ValueType("sequence", element=value_type(type_proto.sequence_type.elem_type))
    if which == "optional_type":
        return ValueType("optional", element=value_type(type_proto.optional_type.elem_type))
    if which == "map_type":
        return ValueType("map", dtype_name(type_proto.map_type.key_type),
                         element=value_type(type_proto.map_type.value_type))
    return ValueType("unknown" if which is None else which.removesuffix("_type"))


def described_type(entry: Mapping[str, Any]) -> ValueType | None:
    """The ``ValueType`` a record's ``input_schema`` / ``output_schema`` entry describes (or a
    nested ``element`` / ``value``), ``None`` when it is too broken to say (the schema check
    reports that)."""
    kind = entry.get("type", "tensor")
    if kind in ("tensor", "sparse_tensor"):
        shape = entry.get("shape")
        dims = tuple(d if isinstance(d, int | str) else None for d in shape) \
            if isinstance(shape, list) else None
        dtype = entry.get("dtype")
        return ValueType(kind, dtype if isinstance(dtype, str) else None, dims)
    inner = entry.get("value" if kind == "map" else "element")
    element = described_type(inner) if isinstance(inner, Mapping) else None
    if kind == "map":
        key = entry.get("key_dtype")
        return ValueType("map", key if isinstance(key, str) else None, element=element)
    if kind in ("sequence", "optional"):
        return ValueType(kind, element=element)
    return None


def yaml_type(value: ValueType) -> str:
    """How a record describes ``value`` (flow-style YAML, without the name), for messages."""
    if value.kind in ("tensor", "sparse_tensor"):
        dims = ", ".join("batch" if d is None else str(d) for d in (value.shape or ()))
        kind = "type: sparse_tensor, " if value.kind == "sparse_tensor" else ""
        return f"{kind}dtype: {value.dtype}, shape: [{dims}]"
    inner = "{" + yaml_type(value.element) + "}" if value.element is not None else "{}"
    if value.kind == "map":
        return f"type: map, key_dtype: {value.dtype}, value: {inner}"
    return f"type: {value.kind}, element: {inner}"


# -- values from ONNX protos (test_data_set_N/*.pb) ---------------------------------------


class UnreadableValue(Exception):
    """A sample file that does not hold the value its model's type asks for."""


def _external_tensors(message: Any) -> bool:
    """Whether any TensorProto inside ``message`` keeps its data in an external file (such
    data would be read from a path the file names: never followed)."""
    from onnx import TensorProto

    if isinstance(message, TensorProto):
        return message.data_location == TensorProto.EXTERNAL
    for descriptor, field_value in message.ListFields():
        if descriptor.message_type is None:
            continue
        items = field_value if descriptor.is_repeated else [field_value]
        if any(_external_tensors(item) for item in items):
            return True
    return False


def _proto_class(kind: str) -> Any:
    import onnx

    classes = {"tensor": onnx.TensorProto, "sequence": onnx.SequenceProto,
               "map": onnx.MapProto, "optional": onnx.OptionalProto}
    if kind not in classes:
        raise UnreadableValue(f"a {kind} value cannot be read from a .pb sample")
    return classes[kind]


def read_proto_value(data: bytes, value: ValueType) -> tuple[str, Value]:
    """(the proto's name, its value) of a serialised proto of the kind ``value`` asks for."""
    from onnx import numpy_helper

    proto = _proto_class(value.kind)()
    try:
        proto.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError
        raise UnreadableValue(f"it is not a serialised {type(proto).__name__} "
                          f"({value.describe()}): {exc}") from None
    if _external_tensors(proto):
        raise UnreadableValue("it keeps tensor data in an external file; sample values must hold "
                          "their data")
    try:
        if value.kind == "tensor":
            result: Value = numpy_helper.to_array(proto)
        elif value.kind == "sequence":
            result = numpy_helper.to_list(proto)
        elif value.kind == "map":
            result = numpy_helper.to_dict(proto)
        elif not any(proto.HasField(f) for f in _OPTIONAL_FIELDS):  # empty, whatever
            result = None                                             # elem_type says
        else:
            result = numpy_helper.to_optional(proto)
    except Exception as exc:  # an element type numpy cannot hold, or a malformed proto
        raise UnreadableValue(f"its {type(proto).__name__} cannot be read as "
                          f"{value.describe()}: {exc}") from None
    return str(proto.name), normalise(result)


def normalise(value: Value) -> Value:
    """Strings as ``str`` (onnx gives bytes, onnxruntime str), scalars as 0-d arrays, map keys
    as Python ints or strs: the same value compares equal whichever side made it."""
    import numpy as np

    if value is None:
        return None
    if isinstance(value, dict):
        return {_key(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    array = np.asarray(value)
    if array.dtype.kind in ("O", "S"):
        flat = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for v in array.reshape(-1).tolist()]
        return np.array(flat, dtype=str).reshape(array.shape) if flat else \
            np.zeros(array.shape, dtype="<U1")
    return array


def _key(key: Any) -> Any:
    if isinstance(key, bytes):
        return key.decode("utf-8", "replace")
    return key.item() if hasattr(key, "item") else key


def value_bytes(value: Value) -> int:
    """Bytes a value holds in memory (its arrays), for the sample budget."""
    import numpy as np

    if value is None:
        return 0
    if isinstance(value, dict):
        return sum(value_bytes(v) + 8 for v in value.values())
    if isinstance(value, list):
        return sum(value_bytes(v) for v in value)
    return int(np.asarray(value).nbytes)
