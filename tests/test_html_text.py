"""etl.html_text: HN (and messier) HTML to clean text."""

import polars as pl
import pytest

from etl.html_text import hn_line_breaks, html_to_text


def to_text(html: str | None) -> str | None:
    return pl.DataFrame({"html": [html]}, schema={"html": pl.String}).select(html_to_text("html")).item()


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Acme | Engineer<p>Line two<p>Line three", "Acme | Engineer\n\nLine two\n\nLine three"),
        ("We&#x27;re &quot;hiring&quot; &amp; growing: C&#x2F;C++", "We're \"hiring\" & growing: C/C++"),
        ('<a href="https:&#x2F;&#x2F;acme.example&#x2F;careers&#x2F;ml" rel="nofollow">https:&#x2F;&#x2F;acme.example&#x2F;car...</a>',
         "https://acme.example/careers/ml"),
        ('Apply: <a href="http://acme.example/jobs">http://acme.example/jobs</a> or <a href="https://b.example/x">'
         'www.b.example/x</a>', "Apply: http://acme.example/jobs or https://b.example/x"),
        # A link with words for its text, as job boards write them, keeps its words.
        ('Fine-tune models in <a href="https://acme.example/blog/stack">PyTorch</a> and serve them with '
         "<a href='https://acme.example/platform'>Triton</a>.", "Fine-tune models in PyTorch and serve them with Triton."),
        ("<i>REMOTE</i> <b>ok</b>", "REMOTE ok"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<p><p><p>spaced   \t out</p>\n\n\n\n<p>end", "spaced out\n\nend"),
        ("<script>alert('x')</script>safe<style>p{}</style>", "safe"),
        ("<!-- hidden -->shown", "shown"),
        ("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;", "<script>alert(1)</script>"),
        ("salary &lt; 100k and 5 > 3", "salary < 100k and 5 > 3"),
        ("unclosed <b>bold <i", "unclosed bold <i"),
        ("caf\u00e9 na\u00efve \u2014 \u65e5\u672c", "caf\u00e9 na\u00efve \u2014 \u65e5\u672c"),
        ("&#128640; rockets&nbsp;here", "\U0001f680 rockets here"),
        ("Windows: C:\\nginx\\conf", "Windows: C:\\nginx\\conf"),
        ("", ""),
        (None, None),
    ],
)
def test_html_to_text(html, text):
    assert to_text(html) == text


def test_escaped_markup_stays_text_and_real_markup_goes():
    text = to_text('<img src=x onerror="alert(1)">&lt;img src=x onerror=alert(2)&gt;')
    assert text == "<img src=x onerror=alert(2)>"


def test_old_hn_comments_literal_line_breaks_become_line_breaks():
    html = "<p>Technology we use:\\nRuby/JRuby,\\nJava</p>"
    frame = pl.DataFrame({"html": [html]})
    assert frame.select(html_to_text(hn_line_breaks(pl.col("html")))).item() == "Technology we use:\nRuby/JRuby,\nJava"
