"""Template placeholders: ``<FILL what to write>`` marks where a contributor's knowledge is needed
in a scaffolded record or card."""

from __future__ import annotations

import re
from collections.abc import Iterator

PLACEHOLDER = re.compile(r"<FILL\b([^>]*)>")
RULE = "placeholder"


def placeholder(hint: str) -> str:
    return f"<FILL {hint}>"


def find_placeholders(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, hint) of every ``<FILL ...>`` placeholder in ``text``."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    line = 0
    for match in PLACEHOLDER.finditer(text):
        while line + 1 < len(starts) and starts[line + 1] <= match.start():
            line += 1
        hint = " ".join(match.group(1).split())
        yield line + 1, match.start() - starts[line] + 1, hint
