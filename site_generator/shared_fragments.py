"""Parts of the theme that come out the same on many pages, rendered once a build.

Material renders its navigation, the sidebar's and the tabs', on every page: at 10,000 records
that was two fifths of the theme's work for a page. On a page outside the navigation (a
record's, a list's past its first page) no item is the page or holds it, so the navigation
differs from one such page to the next only by its links, which are relative to the page. The
theme's ``partials/nav.html`` and ``partials/tabs.html`` include Material's own through
``omh_shared``, which renders it once for each set of links and gives the same HTML to every
page that has them; a page in the navigation has it rendered for itself, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from mkdocs.structure import StructureItem
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

MATERIAL = "material"
"""The prefix under which the theme's templates include Material's own of the same name."""
_MEMO = "_omh_shared"
_LINKS = "_omh_links"


def install(env: Environment) -> None:
    """Give ``env``'s templates ``omh_shared`` and Material's templates under ``material/``."""
    assert env.loader is not None
    env.loader = ChoiceLoader([env.loader, PrefixLoader(
        {MATERIAL: PackageLoader(MATERIAL, "templates")})])
    env.globals["omh_shared"] = shared


@pass_context
def shared(context: Context, name: str, caller: Callable[[], Markup]) -> Markup:
    """What the call block renders on this page: on a page outside the navigation, rendered
    once for every page whose links to the navigation's targets are the same (kept with the
    build's navigation, so a new build starts afresh)."""
    page, nav = context.get("page"), context.get("nav")
    if not isinstance(page, Page) or not isinstance(nav, Navigation) or \
            page.parent is not None or any(item is page for item in nav.pages):
        return caller()
    links = page.__dict__.get(_LINKS)
    if links is None:  # (the tabs and the sidebar ask on the same page)
        config = context.get("config")
        targets = [*_urls(nav.items), nav.homepage.url if nav.homepage is not None else None,
                   config.extra.get("homepage") if config is not None else None,
                   config.theme.get("logo") if config is not None else None]
        links = page.__dict__[_LINKS] = tuple(
            None if t is None else normalize_url(str(t), page) for t in targets)
    memo: dict[tuple[str, tuple[str | None, ...]], Markup] = nav.__dict__.setdefault(_MEMO, {})
    found = memo.get((name, links))
    if found is None:
        found = memo[(name, links)] = caller()
    return found


def _urls(items: Sequence[StructureItem]) -> Iterator[str]:
    for item in items:
        if isinstance(item, Section):
            yield from _urls(item.children)
        elif isinstance(item, Page | Link):
            yield item.url
