"""How onnxruntime's outputs are compared with the reference outputs, value by value.

Floating-point and complex tensors pass when ``numpy.isclose(onnxruntime, reference, rtol,
atol, equal_nan=True)`` holds everywhere, that is ``|onnxruntime - reference| <= atol + rtol *
|reference|`` with NaN matching NaN; integers, booleans and strings must be equal. Sequences
must have the same length and maps the same keys, then each element is compared the same way;
an optional must be empty on both sides or present on both. Each output keeps its worst
element (the largest excess over the tolerance; for an exact comparison, the first mismatch)
with its case, position and both values, so the message says what to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalogue.load.onnx_values import ValueType

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[Any]

RULE = "|onnxruntime - reference| <= atol + rtol * |reference|"
MAX_SHOWN = 80


@dataclass
class OutputResult:
    """One output compared over every case."""

    name: str
    comparison: str
    """``allclose`` (floats), ``exact`` (integers, booleans, strings) or ``mixed``."""
    values: int = 0
    mismatched: int = 0
    max_abs_error: float | None = None
    """``None`` when nothing numeric was compared (strings, booleans)."""
    max_rel_error: float | None = None
    worst_excess: float = float("-inf")
    worst: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    """Structure that differs: shapes, lengths, keys, empty optionals."""

    @property
    def passed(self) -> bool:
        return self.mismatched == 0 and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "comparison": self.comparison, "passed": self.passed,
            "values": self.values, "mismatched": self.mismatched,
            "max_abs_error": json_number(self.max_abs_error),
            "max_rel_error": json_number(self.max_rel_error),
            "worst": self.worst, "problems": self.problems,
        }


def comparison_of(value: ValueType) -> str:
    kinds = {"allclose" if leaf.dtype and _floating(leaf.dtype) else "exact"
             for leaf in value.leaves()}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _floating(dtype: str) -> bool:
    return dtype.startswith(("float", "bfloat", "complex"))


def compare_value(result: OutputResult, case: str, actual: Any, expected: Any,
                  value: ValueType, tolerance: tuple[float, float], path: str = "") -> None:
    """Fold one case's comparison of one output (or a part of it, at ``path``) into
    ``result``."""
    where = f"output '{result.name}{path}' in {case}"
    if value.kind == "optional":
        if (actual is None) != (expected is None):
            result.problems.append(
                f"{where}: onnxruntime gives {'an empty optional' if actual is None else 'a value'}"
                f" but the reference {'is empty' if expected is None else 'holds a value'}")
            return
        if actual is None:
            result.values += 1
            return
        value = value.element or ValueType("unknown")
    if value.kind == "sequence":
        if not isinstance(actual, list) or not isinstance(expected, list):
            result.problems.append(f"{where}: expected a sequence on both sides")
        elif len(actual) != len(expected):
            result.problems.append(f"{where}: onnxruntime gives a sequence of {len(actual)} "
                                   f"element(s) but the reference has {len(expected)}")
        else:
            for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
                compare_value(result, case, got, want, value.element or ValueType("unknown"),
                              tolerance, f"{path}[{index}]")
        return
    if value.kind == "map":
        if not isinstance(actual, dict) or not isinstance(expected, dict):
            result.problems.append(f"{where}: expected a map on both sides")
            return
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            result.problems.append(f"{where}: the keys differ: onnxruntime lacks "
                                   f"{_keys(missing)} and adds {_keys(extra)}")
            return
        for key in expected:
            compare_value(result, case, actual[key], expected[key],
                          value.element or ValueType("unknown"), tolerance, f"{path}[{key!r}]")
        return
    _compare_tensor(result, case, path, actual, expected, value, tolerance)


def _keys(keys: list[Any]) -> str:
    shown = ", ".join(repr(k) for k in keys[:5]) + (", ..." if len(keys) > 5 else "")
    return f"[{shown}]" if keys else "none"


def _compare_tensor(result: OutputResult, case: str, path: str, actual_value: Any,
                    expected_value: Any, value: ValueType,
                    tolerance: tuple[float, float]) -> None:
    import numpy as np

    actual, expected = np.asarray(actual_value), np.asarray(expected_value)
    if actual.shape != expected.shape:
        result.problems.append(
            f"output '{result.name}{path}' has shape {list(actual.shape)} but the reference in "
            f"{case} has shape {list(expected.shape)}")
        return
    result.values += int(expected.size)
    if expected.size == 0:
        return
    text = actual.dtype.kind in "USO" or expected.dtype.kind in "USO"
    floating = not text and (actual.dtype.kind in "fc" or expected.dtype.kind in "fc") and (
        value.dtype is None or _floating(value.dtype))
    if text:
        bad = actual.astype(str) != expected.astype(str)
        excess = bad.astype(np.float64)
        diff = reference = None
    elif not floating:
        bad = actual != expected
        excess = bad.astype(np.float64)
        numeric = actual.dtype.kind in "iu" and expected.dtype.kind in "iu"
        diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64)) if numeric \
            else None
        reference = np.abs(expected.astype(np.float64)) if numeric else None
    else:
        rtol, atol = tolerance
        wide = np.complex128 if "c" in (actual.dtype.kind, expected.dtype.kind) else np.float64
        got, want = actual.astype(wide), expected.astype(wide)
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
            raw = np.abs(got - want)
            diff = np.where(close & ~np.isfinite(raw), 0.0, np.where(np.isnan(raw), np.inf, raw))
            reference = np.abs(want)
            allowed = atol + rtol * np.where(np.isfinite(reference), reference, 0.0)
            excess = np.where(close, np.minimum(diff - allowed, 0.0), np.where(
                np.isfinite(diff - allowed), diff - allowed, np.inf))
        bad = ~close
    result.mismatched += int(np.count_nonzero(bad))
    if diff is not None and reference is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(diff == 0, 0.0, diff / reference)
        result.max_abs_error = max(result.max_abs_error or 0.0, float(np.max(diff)))
        worst_relative = float(np.max(relative))
        result.max_rel_error = max(result.max_rel_error or 0.0,
                                   np.inf if worst_relative != worst_relative else worst_relative)
    flat = int(np.argmax(excess))
    worst = float(excess.reshape(-1)[flat])
    if worst > result.worst_excess:
        index = [int(i) for i in np.unravel_index(flat, expected.shape)]
        result.worst_excess = worst
        result.worst = {"case": case, "path": path, "index": index,
                        "onnxruntime": _scalar(actual[tuple(index)]),
                        "reference": _scalar(expected[tuple(index)])}


def _scalar(value: Any) -> Any:
    item = value.item() if hasattr(value, "item") else value
    if isinstance(item, bytes):
        item = item.decode("utf-8", "replace")
    if isinstance(item, str):
        return item if len(item) <= MAX_SHOWN else item[:MAX_SHOWN] + "..."
    if isinstance(item, complex):
        return str(item)
    return json_number(item) if isinstance(item, float) else item


def json_number(value: float | None) -> float | str | None:
    if value is None:
        return None
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return value


def describe_failure(result: OutputResult, tolerance: tuple[float, float]) -> str:
    """What a contributor reads when an output fails: the count, the worst element with its
    case, position and both values, and the rule that was applied."""
    if result.problems:
        shown = result.problems[:3]
        more = len(result.problems) - len(shown)
        return "; ".join(shown) + (f"; and {more} more difference(s)" if more else "")
    worst = result.worst or {}
    where = f"{worst.get('case')}" + (f" at {worst.get('path')}" if worst.get("path") else "")
    message = (f"output '{result.name}' differs from the reference in {result.mismatched} of "
               f"{result.values} value(s); worst at {where} index {worst.get('index')}: "
               f"onnxruntime {_shown(worst.get('onnxruntime'))}, reference "
               f"{_shown(worst.get('reference'))}")
    if result.max_abs_error is not None:
        message += (f"; max abs error {result.max_abs_error:.3g}, max rel error "
                    f"{(result.max_rel_error or 0.0):.3g}")
    if result.comparison in ("allclose", "mixed") and result.max_abs_error is not None and \
            _floating_worst(worst):
        rtol, atol = tolerance
        message += f"; tolerance rtol={rtol:g}, atol={atol:g} ({RULE})"
    else:
        message += "; exact comparison (integers, booleans and strings have no tolerance)"
    return message


def _floating_worst(worst: dict[str, Any]) -> bool:
    value = worst.get("reference")
    return isinstance(value, float) or value in ("nan", "inf", "-inf")


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) and value not in ("nan", "inf", "-inf") \
        else str(value)
