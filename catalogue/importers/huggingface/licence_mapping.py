"""Hugging Face licence ids to SPDX: ``apache-2.0`` is ``Apache-2.0``; a licence outside the
SPDX list becomes ``LicenseRef-<name>``."""

from __future__ import annotations

import functools
import re

from catalogue.model.licenses import check_spdx_expression

# Hugging Face licence ids that differ from their SPDX id, beyond letter case.
LICENSE_ALIASES = {
    "gpl": "GPL-3.0-or-later", "gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-3.0": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only",
    "lgpl-lr": "LGPLLR", "odbl": "ODbL-1.0", "odc-by": "ODC-By-1.0", "pddl": "PDDL-1.0",
    "c-uda": "C-UDA-1.0", "cc": "LicenseRef-cc", "bsd": "BSD-3-Clause",
    "apple-ascl": "LicenseRef-apple-ascl",
}


@functools.cache
def _spdx_keys() -> dict[str, str]:
    from license_expression import get_spdx_licensing

    keys = (str(s.key) for s in get_spdx_licensing().known_symbols.values())
    return {k.lower(): k for k in keys if not k.startswith("LicenseRef-")}


def spdx_license(hf_license: str, license_name: str | None = None) -> str:
    """The SPDX form of a Hugging Face licence id (``LicenseRef-...`` when SPDX has none)."""
    value = hf_license.strip()
    lowered = value.lower()
    if lowered == "other" and license_name:
        value, lowered = license_name.strip(), license_name.strip().lower()
    candidate = LICENSE_ALIASES.get(lowered) or _spdx_keys().get(lowered)
    if candidate and (candidate.startswith("LicenseRef-")
                      or check_spdx_expression(candidate) is None):
        return candidate
    if check_spdx_expression(value) is None:
        return value
    return "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.]+", "-", value).strip("-.") or "other")
