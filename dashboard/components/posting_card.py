from urllib.parse import urlsplit

from dash import html

from dashboard.theme import month_label, source_label


def posting_card(row: dict, link: bool = True):
    """One example posting, naming the source it is listed on (some boards' terms ask for it);
    its text is shown as plain text, never as HTML.

    :param row: a row of :func:`analysis.queries.example_postings` (``company, title,
        month, source, url, text, evidence``).
    :param link: offer the posting's URL; off for generated demo data, whose ids would
        point at unrelated real HN items.
    """
    header = [
        html.Strong(row.get("company") or "Unknown company"),
        html.Span(f" — {row['title']}" if row.get("title") else ""),
        html.Span(month_label(row["month"]), className="posting-month") if row.get("month") else None,
        html.Span(f"on {source_label(row['source'])}", className="posting-source") if row.get("source") else None,
    ]
    url = row.get("url") or ""
    if link and urlsplit(url).scheme in ("http", "https"):
        header.append(
            html.A("open", href=url, target="_blank", rel="noopener noreferrer", className="posting-link")
        )
    children = [html.Div(header, className="posting-header")]
    if row.get("evidence"):
        children.append(html.P(["Why it counts: “", row["evidence"], "”"], className="posting-evidence"))
    children.append(html.Pre(row.get("text") or "", className="posting-text"))
    return html.Article(children, className="posting")
