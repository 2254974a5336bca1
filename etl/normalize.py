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
# posting keys fold Unicode forms, curly quotes and links' tracking parameters
NORMALIZE_VERSION = "8"

HEADER_FIELDS = {"company": pl.String, "title": pl.String, "location": pl.String, "remote": pl.Boolean}
HEADER_DTYPE = pl.Struct(HEADER_FIELDS)

text = pl.col("text")

# What a copy of a post may change without being another post: the Unicode form of its
# characters (NFKC: "e" + combining accent is "é", a no-break space a space), curly for
# straight quotes, and tracking parameters on its links.
TRACKING_PARAMETER = r"[?&](?:utm_[a-z]+|gh_src)=[^\s&#]*"


def _normalized(column: pl.Expr) -> pl.Expr:
    return (
        column.str.normalize("NFKC").str.to_lowercase()
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
    .otherwise(pl.concat_str([_normalized(pl.col("title")), normalized_text], separator="\n"))
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


def normalize_listings(landing: pl.LazyFrame) -> pl.LazyFrame:
    """One row per landing record with ``text``, header fields, ``content_hash``, ``posting_id``.

    The posting id is the hash of ``posting_key``, so identical posts (a company reposting
    the same comment, one job listed for several cities) share one posting. Company, title
    and location are the source's own, else (HN posts only) the header's. ``remote`` is the
    source's own flag where it gives one, else the HN header's, else the text's capitals
    ("REMOTE"), for every source.
    """
    header = pl.col("header")
    return (
        landing.with_columns(html_to_text(
            pl.when(pl.col("source") == "hn").then(hn_line_breaks(pl.col("html"))).otherwise(pl.col("html"))
        ).fill_null("").alias("text"))
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
            pl.coalesce(pl.col("company"), header.struct.field("company")).alias("company"),
            pl.coalesce(pl.col("title"), header.struct.field("title")).alias("title"),
            pl.coalesce(pl.col("location"), header.struct.field("location")).alias("location"),
            pl.coalesce(pl.col("remote"), header.struct.field("remote"), pl.col("text_remote")).alias("remote"),
        )
        .drop("header", "text_remote")
    )
