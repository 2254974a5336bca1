"""Landing rows → normalized listings: clean text, parsed header, content hash, posting id."""

from __future__ import annotations

import hashlib

import polars as pl

from etl.hn_header import parse_header, remote_policy
from etl.html_text import hn_line_breaks, html_to_text

# Bump when normalize_listings gives other output for the same landing rows (text conversion,
# header parsing, hashing): the next `skilltrends etl` then rebuilds from every landing file,
# since stored texts and the posting ids hashed from them are otherwise never recomputed.
# 2: old HN comments' literal "\n" line breaks; 3: job titles in posting ids; 4: listings without
# a date count in the month first seen (etl.pipeline), so older warehouses are rebuilt with them;
# 5: listings keep their own company, title, location and remote flag (etl.pipeline), which
# listings stored before lack; 6: a link with words for its text keeps them (etl.html_text);
# 7: list items keep a mark, table cells and sectioning tags break lines, invisible characters go,
# a ">" in a quoted attribute value no longer ends its tag; 8: only HN posts are read for a header,
# which is not cut inside parentheses; a lone place is a location; a sentence is no company;
# posting keys fold Unicode forms, curly quotes and links' tracking parameters; 9: texts and
# names lose control characters and are cut at MAX_TEXT_CHARS / MAX_NAME_CHARS; 10: urls lose
# control characters, overlong HTML its inline data: images; 11: posting keys keep letter case
NORMALIZE_VERSION = "11"

HEADER_FIELDS = {"company": pl.String, "title": pl.String, "location": pl.String, "remote": pl.Boolean}
HEADER_DTYPE = pl.Struct(HEADER_FIELDS)

text = pl.col("text")

# No job posting is this long: a longer one is a broken or hostile page, and tagging and showing
# it whole cost time and memory out of all proportion (one 10 MB description: 5.2 s and ~1 GB
# peak to load, 1.0 s and ~0.5 GB cut; three of 5-20 MB peaked at 8.5 GB uncut). The
# HTML is cut before conversion, the text after it; landing files keep the record whole.
MAX_HTML_CHARS = 1_000_000
MAX_TEXT_CHARS = 100_000
MAX_NAME_CHARS = 300  # company, title, location
# C0 and C1 control characters but tab and line breaks: never meant in a posting, and
# terminal escapes when a researcher prints a table.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"

# What a copy of a post may change without being another post: the Unicode form of its
# characters (NFKC: "e" + combining accent is "é", a no-break space a space), curly for
# straight quotes, and tracking parameters on its links. Not letter case: skills are matched
# with their case ("JAX", not "jax"), so two texts apart only in case can be tagged apart, and
# a posting merging them would take its tags from whichever was loaded first (an incremental
# ETL and a --full one could then disagree). A job title's case is folded: boards write the
# same title "ML Engineer" and "ML engineer", and a title is no more than a few words.
TRACKING_PARAMETER = r"[?&](?:utm_[a-z]+|gh_src)=[^\s&#]*"


def _normalized(column: pl.Expr, fold_case: bool = False) -> pl.Expr:
    column = column.str.normalize("NFKC")
    if fold_case:  # after NFKC, which turns some characters into capitals ("™" is "TM")
        column = column.str.to_lowercase()
    return (
        column
        .str.replace_all(r"[‘’‚‛′]", "'").str.replace_all(r"[“”„‟″]", '"')
        .str.replace_all(TRACKING_PARAMETER, "")
        .str.replace_all(r"\s+", " ").str.strip_chars()
    )


normalized_text = _normalized(text)
# What makes listings one posting: the same normalized text, under the same job title where
# the source keeps the title apart from the text (job boards; an HN post's title is in its
# text, so its key is the text alone). A listing without text is a posting of its own.
posting_key = (
    pl.when(normalized_text == "")
    .then(pl.concat_str([pl.lit("no text"), pl.col("source"), pl.col("source_id").cast(pl.String)], separator="\0"))
    .when(pl.col("title").is_null())
    .then(normalized_text)
    .otherwise(pl.concat_str([_normalized(pl.col("title"), fold_case=True), normalized_text], separator="\n"))
)
first_line = text.str.split_exact("\n", 1).struct.field("field_0")


def _sha1_16(values: pl.Series) -> pl.Series:
    return values.map_elements(
        lambda value: hashlib.sha1(value.encode("utf-8")).hexdigest()[:16], return_dtype=pl.String
    )


def _parse_headers(lines: pl.Series) -> pl.Series:
    return pl.Series(
        [parse_header(line).__dict__ for line in lines], dtype=HEADER_DTYPE
    )


def _text_remote(texts: pl.Series) -> pl.Series:
    """HN's keyword convention: REMOTE / ONSITE in capitals anywhere in the post."""
    return texts.map_elements(
        lambda value: remote_policy(" ".join(w for w in value.split() if w.isupper())),
        return_dtype=pl.Boolean,
    )


# Inline data: images in an overlong page: a pasted screenshot is megabytes of base64, and a
# cut inside one would leave a tag that never closes.
INLINE_DATA = r"""(?i)(\b(?:src|href|srcset)\s*=\s*)(?:"data:[^"]*"|'data:[^']*'|data:[^\s>]*)"""


def _html_within_bounds() -> pl.Expr:
    """The HTML, or for one over ``MAX_HTML_CHARS`` the same without inline data: images."""
    html = pl.col("html")
    return pl.when(html.str.len_chars() > MAX_HTML_CHARS).then(html.str.replace_all(INLINE_DATA, '${1}""')) \
        .otherwise(html)


def _cut_html(html: pl.Expr) -> pl.Expr:
    """HTML cut at ``MAX_HTML_CHARS``, without the tag the cut leaves open."""
    return pl.when(html.str.len_chars() > MAX_HTML_CHARS) \
        .then(html.str.slice(0, MAX_HTML_CHARS).str.replace(r"</?[A-Za-z!?][^>]*$", "")).otherwise(html)


def _clean_name(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(CONTROL_CHARACTERS, "").str.strip_chars().str.slice(0, MAX_NAME_CHARS)


def normalize_listings(landing: pl.LazyFrame) -> pl.LazyFrame:
    """One row per landing record with ``text``, header fields, ``content_hash``, ``posting_id``.

    The posting id is the hash of ``posting_key``, so identical posts (a company reposting
    the same comment, one job listed for several cities) share one posting. Company, title
    and location are the source's own, else (HN posts only) the header's. ``remote`` is the
    source's own flag where it gives one, else the HN header's, else the text's capitals
    ("REMOTE"), for every source. ``text_cut``: the text was longer than ``MAX_TEXT_CHARS``
    (or its HTML than ``MAX_HTML_CHARS``) and is cut there.
    """
    header = pl.col("header")
    html = _cut_html(pl.col("html"))
    return (
        landing.with_columns(_html_within_bounds().alias("html"))
        .with_columns(html_to_text(
            pl.when(pl.col("source") == "hn").then(hn_line_breaks(html)).otherwise(html)
        ).str.replace_all(CONTROL_CHARACTERS, "").fill_null("").alias("text"))
        .with_columns(
            ((text.str.len_chars() > MAX_TEXT_CHARS) | (pl.col("html").str.len_chars() > MAX_HTML_CHARS))
            .fill_null(False).alias("text_cut"),
            text.str.slice(0, MAX_TEXT_CHARS),
            *(_clean_name(name) for name in ("company", "title", "location")),
            pl.col("url").str.replace_all(CONTROL_CHARACTERS, ""),
        )
        .with_columns(
            normalized_text.map_batches(_sha1_16, return_dtype=pl.String).alias("content_hash"),
            posting_key.map_batches(_sha1_16, return_dtype=pl.String).alias("posting_id"),
            # Only an HN post opens with a "Company | Role | Place" header; a job board's
            # description opens with prose ("About us | Series B | ..."), and its source gives
            # those fields.
            pl.when(pl.col("source") == "hn").then(first_line)
            .map_batches(_parse_headers, return_dtype=HEADER_DTYPE).alias("header"),
            text.map_batches(_text_remote, return_dtype=pl.Boolean).alias("text_remote"),
            pl.coalesce(pl.col("month"), pl.col("posted_at").dt.truncate("1mo").cast(pl.Date)).alias("month"),
        )
        .with_columns(
            *(pl.coalesce(pl.col(name), header.struct.field(name).str.slice(0, MAX_NAME_CHARS)).alias(name)
              for name in ("company", "title", "location")),
            pl.coalesce(pl.col("remote"), header.struct.field("remote"), pl.col("text_remote")).alias("remote"),
        )
        .drop("header", "text_remote")
    )
