"""What the quality score is made of: a verdict per criterion and record, the results, and the
report that adds them up (``100 x points passed / points that apply``, rounded down)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NamedTuple

from catalogue.derive.quality.principles import PRINCIPLES
from catalogue.model.findings import Location

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"


class Verdict(NamedTuple):
    """What one check found on one record."""

    status: str
    detail: str
    fix: str | None = None
    """How to fix it, when more specific than the check's own hint."""
    field: str | None = None
    """The record field the verdict is about, for the location of a message."""


def passed(detail: str, field: str | None = None) -> Verdict:
    return Verdict(PASS, detail, None, field)


def failed(detail: str, fix: str | None = None, field: str | None = None) -> Verdict:
    return Verdict(FAIL, detail, fix, field)


def not_applicable(detail: str) -> Verdict:
    return Verdict(NOT_APPLICABLE, detail)


class CheckResult(NamedTuple):
    """One criterion's verdict on one record (a named tuple: a rebuild reads back ten thousand
    reports of seventeen results)."""

    id: str
    principle: str
    """F1 ... R1.3"""
    title: str
    weight: int
    status: str
    """``pass``, ``fail`` or ``n/a`` (does not apply to this record)."""
    detail: str
    """What was found."""
    fix: str | None
    """How to pass (only for a failed check)."""
    location: Location

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def applies(self) -> bool:
        return self.status != NOT_APPLICABLE

    @property
    def points(self) -> int:
        return self.weight if self.passed else 0

    @property
    def facet(self) -> str:
        """Findable, Accessible, Interoperable or Reusable."""
        return PRINCIPLES[self.principle][0]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "principle": self.principle, "facet": self.facet,
                "title": self.title, "weight": self.weight, "status": self.status,
                "points": self.points, "detail": self.detail, "fix": self.fix,
                "path": self.location.path, "line": self.location.line}


class PrincipleScore(NamedTuple):
    principle: str
    facet: str
    description: str
    checks: tuple[CheckResult, ...]

    @property
    def applicable(self) -> list[CheckResult]:
        """The checks that apply to the record, in order (those a page shows)."""
        return [c for c in self.checks if c.applies]

    @property
    def earned(self) -> int:
        return sum(c.points for c in self.applicable)

    @property
    def possible(self) -> int:
        return sum(c.weight for c in self.applicable)


@dataclass(frozen=True)
class QualityReport:
    """The score of one asset and every check behind it (its totals are worked out once: a
    page asks for them for every check it shows)."""

    record_id: str
    kind: str
    checks: tuple[CheckResult, ...]

    @functools.cached_property
    def applicable(self) -> list[CheckResult]:
        return [c for c in self.checks if c.applies]

    @functools.cached_property
    def earned(self) -> int:
        return sum(c.points for c in self.applicable)

    @functools.cached_property
    def possible(self) -> int:
        return sum(c.weight for c in self.applicable)

    @functools.cached_property
    def score(self) -> int:
        """0-100: points earned over points possible, rounded down."""
        return self.earned * 100 // self.possible if self.possible else 100

    @functools.cached_property
    def failed(self) -> list[CheckResult]:
        """Failed checks, the heaviest first."""
        return sorted((c for c in self.checks if c.status == FAIL),
                      key=lambda c: (-c.weight, _principle_order(c.principle), c.id))

    def gain(self, check: CheckResult) -> int:
        """How many score points passing ``check`` would add."""
        if check.passed or not check.applies or not self.possible:
            return 0
        return (self.earned + check.weight) * 100 // self.possible - self.score

    def principles(self) -> list[PrincipleScore]:
        """The checks grouped by FAIR principle, in F1 ... R1.3 order (principles with no
        applicable check are left out)."""
        groups = (PrincipleScore(principle, facet, description,
                                 tuple(c for c in self.checks if c.principle == principle))
                  for principle, (facet, description) in PRINCIPLES.items())
        return [group for group in groups if any(c.applies for c in group.checks)]

    def facets(self) -> dict[str, tuple[int, int]]:
        """(earned, possible) per facet: Findable, Accessible, Interoperable, Reusable."""
        totals: dict[str, tuple[int, int]] = {}
        for group in self.principles():
            earned, possible = totals.get(group.facet, (0, 0))
            totals[group.facet] = (earned + group.earned, possible + group.possible)
        return totals

    def as_json_value(self) -> list[Any]:
        """The report as plain JSON values, all of it (``as_dict`` is for readers and leaves
        the columns out); ``from_json_value`` gives it back."""
        return [self.record_id, self.kind, [
            [c.id, c.principle, c.title, c.weight, c.status, c.detail, c.fix, *c.location]
            for c in self.checks]]

    @classmethod
    def from_json_value(cls, value: Any) -> QualityReport:
        """The report ``as_json_value`` wrote. Raises ``ValueError`` for anything of another
        shape; the values' types are left to the caller to trust (a blob whose id is the digest
        of its content, in ``quality_memo``)."""
        try:
            record_id, kind, checks = value
            return cls(record_id, kind, tuple(
                CheckResult(id_, principle, title, weight, status, detail, fix,
                            Location(path, line, column))
                for id_, principle, title, weight, status, detail, fix, path, line, column
                in checks))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a quality report: {exc}") from None

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record_id, "kind": self.kind, "score": self.score,
            "earned": self.earned, "possible": self.possible,
            "facets": {name: {"earned": e, "possible": p}
                       for name, (e, p) in self.facets().items()},
            "checks": [c.as_dict() for c in self.checks],
        }


def _principle_order(principle: str) -> int:
    return list(PRINCIPLES).index(principle)
