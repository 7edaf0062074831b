"""SPDX licence identifiers and expressions, checked against the SPDX list bundled with
license-expression (offline), and their canonical URLs for the metadata exports."""

from __future__ import annotations

import difflib
import functools
import re
from typing import Any

from license_expression import ExpressionError, get_spdx_licensing

_LICENSE_REF = re.compile(r"\b(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+\b")
SPDX_URL = "https://spdx.org/licenses/{}.html"


@functools.cache
def _licensing() -> Any:
    return get_spdx_licensing()


@functools.cache
def _known_keys() -> tuple[str, ...]:
    return tuple(sorted(str(symbol.key) for symbol in _licensing().known_symbols.values()))


@functools.lru_cache(maxsize=4096)
def check_spdx_expression(expression: str) -> str | None:
    """``None`` when ``expression`` is a valid SPDX expression written canonically, otherwise a
    message that says what is wrong and how to write it."""
    refs = _LICENSE_REF.findall(expression)
    probe = expression
    for ref in refs:  # LicenseRefs are valid by definition; stand a known id in for parsing
        probe = probe.replace(ref, "MIT", 1)
    try:
        info = _licensing().validate(probe, strict=True)
    except ExpressionError as exc:
        return f"not a valid SPDX expression ({exc})"
    except AttributeError:  # license-expression fails this way on a dangling operator
        return "not a complete SPDX expression (check AND, OR, WITH and parentheses)"
    if info.invalid_symbols:
        unknown = ", ".join(str(s) for s in info.invalid_symbols)
        close = difflib.get_close_matches(str(info.invalid_symbols[0]), _known_keys(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return (f"unknown SPDX licence identifier {unknown}{hint} (see https://spdx.org/licenses/;"
                " use LicenseRef-<name> for a licence not on the list)")
    if info.errors:
        return "; ".join(str(e) for e in info.errors)
    if not refs and info.normalized_expression != expression:
        return f"write it in SPDX form: '{info.normalized_expression}'"
    return None


def license_ids(expression: str) -> list[str]:
    """The SPDX identifiers an expression names, in order (LicenseRefs left out)."""
    return list(_license_ids(expression))


@functools.lru_cache(maxsize=4096)
def _license_ids(expression: str) -> tuple[str, ...]:
    """``license_ids``, kept for the last few thousand expressions: a catalogue uses a handful
    of licences, and the DCAT catalogue asks for every record's."""
    probe = _LICENSE_REF.sub("", expression)
    try:
        keys = _licensing().license_keys(probe)
    except ExpressionError:
        return ()
    return tuple(str(key) for key in keys if not str(key).startswith("LicenseRef-"))


def license_urls(expression: str) -> list[str]:
    """The SPDX pages of every licence an expression names."""
    return [SPDX_URL.format(key) for key in license_ids(expression)]
