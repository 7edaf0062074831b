"""The head's tags as the theme writes them (``head_tags``): every part escaped, as the theme's
autoescaping templates escape, and only ``<link>`` and ``<meta>`` elements."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import escape

from site_generator.head_tags import head_html, install


def test_every_element_name_and_value_is_escaped_as_jinja_escapes_it() -> None:
    hostile = '"><script>alert(1)</script> & \'co\''
    tags = [{"element": "meta", "attributes": {"name": "citation_title", "content": hostile}},
            {"element": "link", "attributes": {"rel": "alternate", hostile: "x"}},
            {"element": "script", "attributes": {"src": "https://example.org/evil.js"}}]
    html = head_html(tags)
    env = Environment(autoescape=True)
    loop = env.from_string(
        '{% for tag in tags %}{% if tag.element in ("link", "meta") %}\n  <{{ tag.element }}'
        '{% for n, v in tag.attributes.items() %} {{ n }}="{{ v }}"{% endfor %}>'
        '{% endif %}{% endfor %}').render(tags=tags)
    assert html == loop
    assert "<script" not in html and "evil.js" not in html
    assert f'content="{escape(hostile)}"' in html and "&#34;&gt;&lt;script&gt;" in html


def test_the_theme_template_calls_it_and_nothing_is_written_without_tags() -> None:
    env = Environment(autoescape=True)
    install(env)
    template = env.from_string("{{- omh_head_html(tags) }}")
    assert template.render(tags=None) == "" and template.render(tags=[]) == ""
    one = [{"element": "meta", "attributes": {"property": "og:type", "content": "article"}}]
    assert template.render(tags=one) == '\n  <meta property="og:type" content="article">'
