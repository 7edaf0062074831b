"""Fuzz: hostile strings in every text field of every kind (the example catalogue's records, all
seven kinds, rewritten), in every card and every setting, then a real build: nothing may run in
Chromium (no alert, no Content-Security-Policy violation, no request to a canary server), and no
file outside the build folder may change. Four builds and some two hundred page loads: about
a minute."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from security_support import Canary, browser, canary, serve_like_github_pages, tree_state, visit

from catalogue.model.kinds import KINDS, RECORD_FILE, SETTINGS_FILE
from catalogue.model.settings import Settings
from catalogue.pipeline import load_catalogue
from site_generator.build import build_site

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]
MARKUP = [
    '"><script>alert("m1")</script>',
    "'><img src=x onerror=alert('m2')>",
    "</script><script>alert('m3')</script><!--",
    "<svg/onload=alert('m4')>",
    "{{ 7 * 7 }}{% if true %}jinja{% endif %}",
    "]]></loc><script>alert('m5')</script>",
    'a"] --> b["x"]; click a call alert("m6"); %%{init: {"securityLevel": "loose"}}%%',
    "\u2028\u2029`${alert('m7')}`\\u003cscript\\u003ealert('m8')\\u003c/script\\u003e",
    "<a href=javascript:alert('m9')>x</a>",
    "\n\n# Heading\n\n<iframe src=javascript:alert('m10')></iframe>",
]
URLS = ["javascript:alert('u1')", "data:text/html,<script>alert('u2')</script>",
        " javascript:alert('u3')", "jav\tascript:alert('u4')"]


def _canary_values(found: Canary) -> list[str]:
    return [f"{found.url}c1", f"//127.0.0.1:{found.url.rsplit(':', 1)[1]}c2",
            f'{found.url}c3"><img src={found.url}c4>', f"<img src={found.url}c5>"]


def _rewrite(value: Any, hostile: Callable[[], str], keep: frozenset[str],
             key: str | None = None) -> Any:
    """``value`` with every text leaf replaced (mapping keys of free-form fields too), but the
    ``keep`` fields."""
    if isinstance(value, dict):
        return {(hostile() if key in FREE_FORM else k): _rewrite(v, hostile, keep, k)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, hostile, keep, key) for item in value]
    if isinstance(value, str) and key not in keep:
        return hostile()
    return value


FREE_FORM = frozenset({"hyperparameters", "configuration", "parameters", "extra"})
"""Fields whose keys are the contributor's own names."""


def _hostile_catalogue(root: Path, values: list[str], keep: frozenset[str]) -> None:
    cycle: Iterator[str] = itertools.cycle(values)

    def hostile() -> str:
        return next(cycle)

    for kind in KINDS.values():
        shutil.copytree(REPOSITORY / kind.folder, root / kind.folder)
    for record_file in sorted(root.glob(f"*/*/{RECORD_FILE}")):
        data = yaml.safe_load(record_file.read_text(encoding="utf-8"))
        record_file.write_text(yaml.safe_dump(_rewrite(data, hostile, keep), allow_unicode=True),
                               encoding="utf-8")
        card = record_file.parent / "README.md"
        if card.is_file():
            card.write_text(card.read_text(encoding="utf-8") + "\n\n" + "\n\n".join(values),
                            encoding="utf-8")
    settings = {"title": hostile(), "description": hostile(), "publisher": hostile(),
                "site_url": hostile(), "repository_url": hostile(), "language": hostile()}
    (root / SETTINGS_FILE).write_text(yaml.safe_dump(settings), encoding="utf-8")


SITE_URL = 'https://hub.example/"><script>alert("s1")</script>'
"""A hostile site address MkDocs' own configuration check still takes for a URL."""


def _unchecked_settings(values: list[str]) -> Settings:
    """Settings past validation: every text setting hostile."""
    cycle = itertools.cycle(values)
    texts = {f.name: next(cycle) for f in dataclasses.fields(Settings)
             if f.type in ("str", "str | None")}
    return Settings(**{**texts, "site_url": SITE_URL})


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] != "pagefind")


def _sample(site: Path) -> list[str]:
    """Where settings show: the home page, the 404 page, a list and a record page of each kind."""
    pages = _pages(site)
    chosen = {"index.html", "404.html"}
    for kind in KINDS.values():
        chosen.update([p for p in pages if p.startswith(kind.folder + "/")][:2])
    return sorted(chosen & set(pages))


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with browser(tmp_path_factory.mktemp("chromium-profile")) as found:
        yield found


KEPT = frozenset({"kind", "id", "created_by", "organization", "affiliations",
                  "training_datasets", "datasets", "dataset", "resource", "produced_models",
                  "workflow", "parent_version", "model", "replaced_by", "base_model", "members",
                  "status", "access_rights", "created_at", "updated_at", "start_time",
                  "end_time"})
"""References, lifecycle and dates: kept in the second round, so that the pages that only a
sound record gets (lineage, related lists, timelines) carry the hostile text too."""


@pytest.mark.parametrize(("name", "keep"), [
    ("every field", frozenset({"kind"})),
    ("references and dates kept", KEPT),
])
def test_hostile_text_everywhere_runs_nothing(tmp_path: Path, driver: Any, name: str,
                                             keep: frozenset[str]) -> None:
    with canary() as found:
        values = MARKUP + URLS + _canary_values(found)
        root = tmp_path / "hub"
        _hostile_catalogue(root, values, keep)
        victim = tmp_path / "outside.txt"
        victim.write_text("must not change\n")
        site_dir = tmp_path / "site"
        before = tree_state(tmp_path)
        site = build_site(root, site_dir, force=True).site_dir
        assert tree_state(tmp_path, site_dir) == before
        catalogue, _ = load_catalogue(root, check=False)
        unchecked = dataclasses.replace(catalogue, settings=_unchecked_settings(values))
        second = build_site(root, tmp_path / "unchecked", catalogue=unchecked).site_dir
        problems = []
        for built, pages in ((site, _pages(site)), (second, _sample(second))):
            with serve_like_github_pages(built) as url:
                for relative in pages:
                    seen = visit(driver, url + relative)
                    if seen["alerts"] or seen["violations"]:
                        problems.append((built.name, relative, seen))
        assert problems == []
        assert found.requests == []
        assert victim.read_text() == "must not change\n"
