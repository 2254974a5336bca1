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


@pytest.mark.parametrize(
    ("html", "text"),
    [
        # A list item keeps a mark, as the descriptions the sentence models learnt from write it
        # (a bare line "Model deployment and monitoring" reads as a heading).
        ("<h3>What you'll do</h3><ul><li>Model deployment and monitoring</li><li>Feature engineering</li></ul>",
         "What you'll do\n\n• Model deployment and monitoring\n• Feature engineering"),
        # Greenhouse and Ashby wrap each item in a paragraph; a typed mark is not doubled.
        ('<ul>\n<li><p class="x">Train models</p></li>\n<li>\n<div><span>Ship them</span></div></li></ul>',
         "• Train models\n• Ship them"),
        ("<ol><li>• First</li><li>Second<ul><li>nested</li></ul></li></ol>", "• First\n• Second\n\n• nested"),
        # Cells, definition lists and sectioning tags are apart, not glued ("LanguagesPython").
        ("<table><tr><td>Languages</td><td>Python, C++</td></tr><tr><th>Frameworks</th><td>PyTorch</td></tr></table>",
         "Languages\nPython, C++\nFrameworks\nPyTorch"),
        ("<dl><dt>Languages</dt><dd>Python</dd><dt>Cloud</dt><dd>AWS</dd></dl>", "Languages\nPython\nCloud\nAWS"),
        ("<section>About us</section><section>We build LLM apps</section>x<hr>y",
         "About us\n\nWe build LLM apps\n\nx\ny"),
        ("<header>Acme</header><article>Role</article><footer>EOE</footer>", "Acme\n\nRole\n\nEOE"),
        # A ">" inside a quoted attribute value is not the tag's end.
        ('<span title="a > b">Python</span> and <img alt=\'x>y\' src="p.png">Go', "Python and Go"),
        ('<a title="unclosed>Rust</a>', "Rust"),
        ('<div title="a > b">Python</div><p data-x="1>2">SQL</p><ul><li title="a > b">Go</li></ul>'
         '<table><tr><td title="a>b">Rust</td></tr></table>', "Python\n\nSQL\n\n• Go\n\nRust"),
        ('Apply: <a title="x > y" href="https://acme.example/jobs">https://acme.example/jobs</a>',
         "Apply: https://acme.example/jobs"),
        # An item's text wrapped twice is one line too.
        ("<ul><li><div><p>Three</p></div></li><li><span><p>Four</p></span></li></ul>", "• Three\n• Four"),
        # Invisible characters go: a soft hyphen or zero-width space inside a name hid it.
        ("Kuber&shy;netes, Py\u200bTorch and Tensor\u00adFlow.\u200b Next\ufeff", "Kubernetes, PyTorch and TensorFlow. Next"),
    ],
)
def test_job_board_markup(html, text):
    assert to_text(html) == text


def test_escaped_markup_stays_text_and_real_markup_goes():
    text = to_text('<img src=x onerror="alert(1)">&lt;img src=x onerror=alert(2)&gt;')
    assert text == "<img src=x onerror=alert(2)>"


def test_old_hn_comments_literal_line_breaks_become_line_breaks():
    html = "<p>Technology we use:\\nRuby/JRuby,\\nJava</p>"
    frame = pl.DataFrame({"html": [html]})
    assert frame.select(html_to_text(hn_line_breaks(pl.col("html")))).item() == "Technology we use:\nRuby/JRuby,\nJava"
