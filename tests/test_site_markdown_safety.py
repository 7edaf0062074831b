"""Untrusted text on pages: cards are sanitised, URLs stay inside the record's folder, record
text is escaped everywhere, and lineage labels are text in the drawing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from markupsafe import Markup

from catalogue.model.card import parse_card, read_card
from site_generator.csp import add_policy, with_nonce
from site_generator.lineage import Lineage, Node, draw
from site_generator.markdown_safety import card_body, card_url, is_publishable, render_card
from site_generator.render import Links, paragraphs, relative_url

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    record = tmp_path / "models" / "m"
    record.mkdir(parents=True)
    (record / "figure.png").write_bytes(PNG)
    (record / "notes.txt").write_text("notes")
    (record / "evil.html").write_text("<script>alert(1)</script>")
    (record / "evil.svg").write_text("<svg onload='alert(1)'/>")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    os.symlink(tmp_path / "secret.txt", record / "link.txt")
    return record


PAYLOADS = """
# Card

<script>window.omhPwned = 1</script>
<img src=x onerror="window.omhPwned=1">
<svg onload="window.omhPwned=1"><circle r="5"></circle></svg>
<iframe src="javascript:parent.omhPwned=1"></iframe>
<iframe srcdoc="&lt;script&gt;parent.omhPwned=1&lt;/script&gt;"></iframe>
<object data="javascript:window.omhPwned=1"></object><embed src="javascript:x">
<math><mtext><table><mglyph><style><img src=x onerror=window.omhPwned=1></style></mglyph>
</table></mtext></math>
<details open ontoggle="window.omhPwned=1"><summary>s</summary>x</details>
<form action="javascript:window.omhPwned=1"><button>go</button></form>
<base href="javascript:/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<style>body { background: url(https://evil.example/x.png) }</style>
<link rel="stylesheet" href="https://evil.example/x.css">
<p style="background:url(javascript:alert(1))" class="md-button">styled</p>
<div id="mermaid">clobber</div><a id="__search" name="__config">clobber</a>
<a href="java&#x09;script:window.omhPwned=1">tab</a>
<a href=" JaVaScRiPt:window.omhPwned=1">case</a>

[js](javascript:window.omhPwned=1) [vb](vbscript:msgbox) [data](data:text/html,<script>x</script>)
![remote](https://evil.example/pixel.png) ![data](data:image/svg+xml,<svg/onload=alert(1)>)
![outside](../../datasets/d/record.yaml) ![absolute](/etc/passwd) ![up](../m/figure.png)
[leak](../../../../etc/passwd) [proto](//evil.example/x) [back](..\\..\\secret.txt)
[encoded](%2e%2e/%2e%2e/secret.txt) [symlink](link.txt) [page](evil.html) ![svg](evil.svg)
"""


def test_card_payloads_are_removed(folder: Path) -> None:
    html = render_card(PAYLOADS, folder).html
    lowered = html.lower()
    for forbidden in ("<script", "<iframe", "<object", "<embed", "<svg", "<math", "<form",
                      "<base", "<meta", "<style", "<link", "javascript:", "vbscript:", "data:",
                      "evil.example", "style=", "srcdoc", "../", "/etc/passwd", "secret",
                      "evil.html", "evil.svg", 'id="mermaid"', 'id="__search"', "name=",
                      "class=\"md-button\""):
        assert forbidden not in lowered, forbidden
    assert not re.search(r"\son[a-z]+\s*=", lowered)
    assert "<h3" in html and "clobber" in html  # text is kept, markup is not


def test_card_keeps_formatting_and_files_inside_its_folder(folder: Path) -> None:
    card = """---
license: mit
co2_eq_emissions: 10
---
# Title

## Usage

| a | b |
|---|---|
| 1 | 2 |

```python
print("hi")
```

![figure](figure.png) [notes](notes.txt) [site](https://example.org/x) [mail](mailto:a@b.c)
[section](#usage) `code` **bold**
"""
    rendered = render_card(parse_card(card).body, folder)
    html = rendered.html
    assert "license: mit" not in html
    assert '<h3 id="card-title">Title</h3>' in html and '<h4 id="card-usage">' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<code class="language-python">' in html
    assert '<img alt="figure" src="figure.png">' in html
    assert 'href="notes.txt"' in html and 'href="#card-usage"' in html
    assert 'href="https://example.org/x" rel="noopener noreferrer nofollow"' in html
    assert 'href="mailto:a@b.c"' in html
    assert [f.path for f in rendered.files] == ["figure.png", "notes.txt"]
    assert all(f.source.is_relative_to(folder) for f in rendered.files)


def test_deleted_record_cards_publish_no_files(folder: Path) -> None:
    rendered = render_card("![figure](figure.png) [notes](notes.txt)", folder, allow_files=False)
    assert rendered.files == () and "src=" not in rendered.html and "href=" not in rendered.html


def test_card_url_policy(folder: Path) -> None:
    assert card_url("figure.png", folder, image=True)[0] == "figure.png"
    assert card_url("notes.txt", folder, image=True) == (None, None)  # not an image
    assert card_url("https://x.example/a.png", folder, image=True) == (None, None)
    assert card_url("https://x.example/a", folder, image=False)[0] == "https://x.example/a"
    for url in ("javascript:alert(1)", "java\tscript:alert(1)", "\x01javascript:x", "//x.y",
                "/etc/passwd", "../m/figure.png", "..%2ffigure.png", "a\\b", "file:///etc",
                "link.txt", "missing.png", "evil.html", "evil.svg", ""):
        assert card_url(url, folder, image=False)[0] is None, url


def test_card_symlinked_out_of_its_folder_is_not_read(folder: Path) -> None:
    (folder / "README.md").symlink_to(folder.parent.parent / "secret.txt")
    text, problem = card_body(read_card(folder / "README.md", folder))
    assert text is None and problem is not None and "outside the record's folder" in problem


def test_publishable_files() -> None:
    assert is_publishable("labels.json") and is_publishable("model.onnx")
    assert is_publishable("sample_data/x.npz")
    for name in ("index.html", "x.HTM", "a.svg", "b.js", "c.mjs", "d.xhtml", "e.md", "f.css",
                 "g.xml", "page.html.gz", "notes.mkd", ".htaccess", "a/.env", "web.config", ""):
        assert not is_publishable(name), name


def test_front_matter_is_not_rendered() -> None:
    assert card_body(parse_card("---\na: 1\n---\n# T\n")).text == "# T\n"
    assert card_body(parse_card("# T\n---\n")).text == "# T\n---\n"


def test_record_text_is_escaped() -> None:
    assert paragraphs("<script>x</script>\n\nsecond") == Markup(
        "<p>&lt;script&gt;x&lt;/script&gt;</p><p>second</p>")


def test_external_links_are_http_only() -> None:
    links = Links.__new__(Links)
    assert 'href="https://a.example/"' in links.external("https://a.example/")
    for url in ("javascript:alert(1)", "data:text/html,x", "//evil", "https:// x", "/local"):
        assert "href" not in links.external(url), url
    assert "<a" not in links.mailto('x@y" onclick="alert(1)')
    assert 'href="mailto:a@b.example"' in links.mailto("a@b.example")


def test_relative_urls() -> None:
    assert relative_url("", "models/") == "models/"
    assert relative_url("models/x/", "datasets/y/") == "../../datasets/y/"
    assert relative_url("models/x/", "") == "../../"
    assert relative_url("", "") == "./"


def test_lineage_labels_are_text_in_the_drawing() -> None:
    payload = '</text></svg><script>alert(1)</script><a href="javascript:x">'
    graph = Lineage(catalogue=None, styles={})  # type: ignore[arg-type]
    graph.nodes = {"a": Node("a", "models/a", "model", payload, True),
                   "b": Node("b", "models/b", "model", "B \" onload=\"x")}
    graph.edge("a", "b", "<b>next</b>")
    svg = str(draw(graph, lambda record_id: "../../" + record_id + "/", payload))
    assert "<script" not in svg and 'href="javascript:' not in svg
    assert "&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;" in svg and "&lt;b&gt;next" in svg
    assert ' onload="' not in svg and svg.count("<svg") == 1 and svg.endswith("</svg>")


def test_csp_allows_the_sites_own_scripts_only_whatever_the_page_holds() -> None:
    page = ('<html><head><script>injected()</script></head><body>'
            '<div><script>alert(1)</script></div>'
            '<script type="application/json">{"a": 1}</script>'
            '<script src="x.js"></script></body></html>')
    with_policy = add_policy(page)
    assert with_policy.index('http-equiv="Content-Security-Policy"') < with_policy.index("inj")
    sources = with_policy.split("script-src")[1].split(";")[0].split()
    assert sources == ["'self'"]
    # The development server appends its live-reload script last; only that one gets the nonce.
    reloading = add_policy(page, nonce="n0nce").replace(
        "</body>", "<script>livereload(1, 2)</script></body>")
    served = with_nonce(reloading.encode(), "n0nce").decode()
    assert "'nonce-n0nce'" in served and '<script nonce="n0nce">livereload' in served
    assert "<script>alert(1)" in served and "<script>injected()" in served
