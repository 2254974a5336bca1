"""HTML → clean plain text, as one Polars expression (HN comments and job-board HTML alike).

Tags are removed before entities are decoded, so an escaped ``&lt;script&gt;`` becomes the
literal text ``<script>`` (shown as text by the dashboard), never markup.
"""

from __future__ import annotations

import html

import polars as pl

_DROP_BLOCKS = [r"(?is)<script\b[^>]*>.*?</script\s*>", r"(?is)<style\b[^>]*>.*?</style\s*>", r"(?s)<!--.*?-->"]
# One piece of a tag's attributes, a quoted value read whole: '<div title="a > b">' is one tag.
_ATTRIBUTE = r"""(?:[^<>"']|"[^"]*"|'[^']*')"""
_ATTRIBUTES = _ATTRIBUTE + "*"
# A list item is a line with a mark, as descriptions typed by hand write it (and as the
# sentence models learnt them): a bare short line reads as a heading. The paragraph or span
# job boards wrap an item's text in (<li><p>…</p></li>) and a mark typed in it are absorbed.
_ITEM = rf"(?i)\s*<li\b{_ATTRIBUTES}>(?:\s|<(?:p|div|span)\b{_ATTRIBUTES}>)*(?:[•◦▪●‣]\s+)?"
_ITEM_TEXT_END = r"(?i)</(?:p|div)\s*>(?:\s|</(?:p|div|span)\s*>)*(</li\s*>)"
_PARAGRAPH = (r"(?i)</?\s*(p|div|ul|ol|dl|table|h[1-6]|pre|blockquote|section|article|header|footer|main|aside|nav"
              rf"|figure|address|center|details|summary|fieldset|form)\b{_ATTRIBUTES}>")
_LINE = rf"(?i)<\s*(br|hr|td|th|dt|dd)\b{_ATTRIBUTES}>"  # each cell a line, so rows need no break of their own
# Soft hyphens and zero-width characters: invisible, but they split a name ("Py\u200bTorch").
_INVISIBLE = "[\u00ad\u200b\u200c\u200d\u2060\ufeff]"
# HN shows a link's URL as its text, often cut short with "...": such a link is its href,
# which is whole. A link with words for its text ("built with <a href=…>PyTorch</a>", as job
# boards write them) keeps its words, like any other tag's text.
_URL_LINK = (rf'(?is)<a\b{_ATTRIBUTE}*?\bhref\s*=\s*"([^"]*)"{_ATTRIBUTES}>\s*'
             r'(?:https?:(?:/|&#x2f;|&#47;){2}|www\.)[^<]*</a\s*>')  # HN escapes the slashes: "https:&#x2F;&#x2F;"
# A tag, its quoted attribute values read whole; then, for a tag whose quote never closes,
# up to the first ">".
_QUOTED_TAG = rf"(?s)</?[A-Za-z]{_ATTRIBUTES}>"
_ANY_TAG = r"(?s)</?[A-Za-z][^<>]*>"


def _unescape(values: pl.Series) -> pl.Series:
    return values.map_elements(html.unescape, return_dtype=pl.String, skip_nulls=True)


def hn_line_breaks(html: pl.Expr) -> pl.Expr:
    """Old HN comments carry some line breaks as a literal backslash and "n" (30 of the 219
    postings of April 2011, none of 2023), which glues the next word to an "n" ("nRuby").
    For HN only: elsewhere a backslash-n is as likely a path or code ("C:\\nginx")."""
    return html.str.replace_all("\\n", "\n", literal=True)


def html_to_text(column: str | pl.Expr) -> pl.Expr:
    """Plain text from an HTML column: paragraphs as blank lines, list items as lines marked
    "• ", table cells as lines, a link whose text is an address as its whole URL, any other
    link as its text."""
    expr = pl.col(column) if isinstance(column, str) else column
    for pattern in _DROP_BLOCKS:
        expr = expr.str.replace_all(pattern, "")
    return (
        expr.str.replace_all(_ITEM_TEXT_END, "${1}")
        .str.replace_all(_ITEM, "\n• ")
        .str.replace_all(_PARAGRAPH, "\n\n")
        .str.replace_all(_LINE, "\n")
        .str.replace_all(_URL_LINK, "${1}")
        .str.replace_all(_QUOTED_TAG, "")
        .str.replace_all(_ANY_TAG, "")
        .map_batches(_unescape, return_dtype=pl.String)
        .str.replace_all(_INVISIBLE, "")
        .str.replace_all("\u00a0", " ", literal=True)
        .str.replace_all(r"[ \t\r\f\v]+", " ")
        .str.replace_all(r" ?\n ?", "\n")
        .str.replace_all(r"\n{3,}", "\n\n")
        .str.strip_chars()
    )
