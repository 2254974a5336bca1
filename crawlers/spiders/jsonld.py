"""Any careers site: schema.org ``JobPosting`` read from the HTML pages themselves.

Many careers pages describe their job in structured data for search engines (Google's job
search asks for it): a ``JobPosting`` in JSON-LD (``<script type="application/ld+json">``,
alone, in a list, in an ``@graph`` or nested, e.g. as a page's ``mainEntity``) or in
microdata (``itemscope itemtype="https://schema.org/JobPosting"``). This spider fetches the
pages it is given and stores every ``JobPosting`` it finds.

**Which pages.** URLs come from the spider argument ``urls`` (comma-separated) or from
``--board`` (``board``/``boards``): each a page, or a sitemap — a URL ending in ``.xml`` or
``.xml.gz``, or a ``robots.txt`` whose ``Sitemap:`` lines are followed — and from the
argument ``sitemap``. Sitemap indexes are followed; of the pages a sitemap lists, only those
whose URL matches the regular expression ``follow`` (argument, or setting ``JSONLD_FOLLOW``;
default: every page) are fetched, at most ``JSONLD_MAX_PAGES`` (1000) per crawl, from at
most ``JSONLD_MAX_SITEMAPS`` (100) sitemaps.

Example: ``skilltrends crawl jsonld --board https://careers.example.com/sitemap.xml
--set JSONLD_FOLLOW=/jobs/``.

robots.txt is obeyed like everywhere (``ROBOTSTXT_OBEY``): a disallowed page is not fetched,
and the spiders' failure accounting counts it (``crawlers.spiders.base``).

**No API host.** The URLs are given, so there is no base URL to replace: crawls ignore
``SKILLTRENDS_JSONLD_URL``. Only ``scrapy check`` uses it, to resolve the example page of
this spider's contract (``@api_path``) on a local server.

See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

import codecs
import html
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawlers.items import PostingItem
from crawlers.spiders.base import BadArgument, SourceSpider
from crawlers.spiders.jobboard import amount, salary_period, text_or_none, utc_from_iso
from crawlers.spiders.jobfeed import CURRENCY_CODES, salary_from_text

DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_SITEMAPS = 100
JSONLD_SCRIPT = re.compile(r"""<script\b[^>]*\btype\s*=\s*["']?application/ld\+json""", re.IGNORECASE)
# What a JSON-LD block written inside is not one: a comment, another script's code.
OTHER_SCRIPT_OR_COMMENT = re.compile(
    r"""<!--.*?-->|<script\b(?![^>]*application/ld\+json)[^>]*>.*?</script\s*>""", re.IGNORECASE | re.DOTALL)
SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit, uncompressed
JSONLD_TYPE = "application/ld+json"
SCHEMA_ORG = re.compile(r"^https?://schema\.org/", re.IGNORECASE)
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)
# datePosted written other than ISO 8601 (Google asks for ISO; pages write these too).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The words a pay value may hold besides its amounts: "US$120,000 per year", "Up to €50k",
# "100,000 - 120,000 USD / annum". Any other word ("Competitive salary + 401k") makes it no amount.
PAY_WORDS = frozenset({
    "k", "m", "us", "ca", "a", "au", "nz", "r", "per", "an", "year", "years", "yr", "annum", "annual",
    "annually", "yearly", "hour", "hours", "hr", "hourly", "month", "monthly", "mo", "week", "weekly", "day",
    "daily", "up", "to", "from", "gross", "brutto", "net",
})
# Microdata values read from an attribute rather than the text (HTML's microdata rules).
URL_ATTRIBUTE = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src",
                 "video": "src", "source": "src", "iframe": "src", "embed": "src", "track": "src",
                 "object": "data"}
HTML_PROPERTIES = {"description", "responsibilities", "qualifications", "skills",
                   "experienceRequirements", "educationRequirements"}


def is_type(node: dict, wanted: str) -> bool:
    types = node.get("@type")
    for value in types if isinstance(types, list) else [types]:
        if isinstance(value, str) and re.split(r"[/:#]", value.strip())[-1] == wanted:
            return True
    return False


def job_postings(node):
    """Every JobPosting object in a JSON-LD value (lists, ``@graph`` and nested values)."""
    if isinstance(node, list):
        for value in node:
            yield from job_postings(value)
    elif isinstance(node, dict):
        if is_type(node, "JobPosting"):
            yield node
            return
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from job_postings(value)


def jsonld_documents(text: str):
    """The JSON of one script element; HTML comment and CDATA wrappers are tolerated, and so
    is a comma before a closing bracket, a common slip of hand-written JSON-LD."""
    cleaned = re.sub(r"^\s*(<!--|<!\[CDATA\[)|(-->|\]\]>)\s*$", "", text.strip())
    try:
        return json.loads(cleaned, strict=False)  # control characters inside strings happen
    except json.JSONDecodeError as error:
        without_trailing_commas = re.sub(r",(\s*[}\]])", r"\1", cleaned)
        try:
            return json.loads(without_trailing_commas, strict=False)
        except json.JSONDecodeError:
            raise error from None


def first(value):
    return value[0] if isinstance(value, list) and value else value


def nodes_by_id(node, found: dict | None = None, depth: int = 0) -> dict:
    """Every object with an ``@id`` and more than a reference's keys, by its ``@id``: what a
    ``{"@id": ...}`` elsewhere in the page's JSON-LD points to (an ``@graph``'s Organization)."""
    found = {} if found is None else found
    if depth > 100:
        return found
    if isinstance(node, list):
        for value in node:
            nodes_by_id(value, found, depth + 1)
    elif isinstance(node, dict):
        if isinstance(node.get("@id"), str) and set(node) - {"@id", "@type"}:
            found.setdefault(node["@id"], node)
        for value in node.values():
            if isinstance(value, (dict, list)):
                nodes_by_id(value, found, depth + 1)
    return found


def resolved(value, nodes: dict):
    """``value`` with a reference (``{"@id": ...}`` alone) replaced by the object it names."""
    if isinstance(value, list):
        return [resolved(item, nodes) for item in value]
    if isinstance(value, dict) and isinstance(value.get("@id"), str) and not set(value) - {"@id", "@type"}:
        return nodes.get(value["@id"], value)
    return value


# Properties whose value is often a reference to an object elsewhere on the page.
REFERENCED = ("hiringOrganization", "jobLocation", "baseSalary", "estimatedSalary")


def name_of(value) -> str | None:
    """A Thing's name (or a plain string). JSON-LD text is plain text, but pages often write it
    entity-escaped ("Research &amp; LLM"): entities are unescaped."""
    value = first(value)
    if isinstance(value, dict):
        value = text_or_none(value.get("name")) or text_or_none(value.get("@value"))
    text = text_or_none(value) if isinstance(value, str) else None
    return text_or_none(html.unescape(text)) if text and ENTITY.search(text) else text


def place_text(place) -> str | None:
    """"Locality, Region, Country" of a Place (its PostalAddress), or its name."""
    if isinstance(place, str):
        return text_or_none(place)
    if not isinstance(place, dict):
        return None
    address = place.get("address")
    if isinstance(address, str):
        return text_or_none(address)
    if isinstance(address, dict):
        parts = []
        for key in ("addressLocality", "addressRegion", "addressCountry"):
            part = name_of(address.get(key))
            if part and part not in parts:
                parts.append(part)
        if parts:
            return ", ".join(parts)
    return name_of(place)


def location(posting: dict) -> str | None:
    places = posting.get("jobLocation")
    texts = []
    for place in places if isinstance(places, list) else [places]:
        text = place_text(place)
        if text and text not in texts:
            texts.append(text)
    return "; ".join(texts) or None


def words(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [text.strip() for text in values if isinstance(text, str) and text.strip()]


def remote(posting: dict) -> bool | None:
    """``jobLocationType`` TELECOMMUTE means remote; nothing else says "not remote"."""
    return True if any(word.upper() == "TELECOMMUTE" for word in words(posting.get("jobLocationType"))) else None


def pay_range(value) -> tuple[float | None, float | None]:
    """(low, high) of a pay value: a number, or text that says only pay, read as pay lines are
    ("210,000", "85.000,00 €", "CHF 120'000", "US$120k per year", "80,000 - 100,000 USD",
    "Up to $120,000": no low). Text with other words ("Competitive salary + 401k") is no amount."""
    number = amount(value)
    if number is not None or not isinstance(value, str):
        return number, number
    words = {word.lower() for word in re.findall(r"[^\W\d_]+", value)}
    if not words <= PAY_WORDS | {code.lower() for code in CURRENCY_CODES}:
        return None, None
    found = salary_from_text(re.sub(r"(?<=\d)['’](?=\d{3}\b)", "", value))  # Swiss "120'000"
    return found.get("min"), found.get("max")


def salary(posting: dict) -> dict:
    """min, max, currency and period from ``baseSalary`` (a MonetaryAmount), else
    ``estimatedSalary``; a bare number with ``salaryCurrency`` is read too. The posting's
    ``salaryCurrency`` stands in for a MonetaryAmount without a ``currency``."""
    posting_currency = text_or_none(posting.get("salaryCurrency"))
    for key in ("baseSalary", "estimatedSalary"):
        money = first(posting.get(key))
        if isinstance(money, (int, float, str)):
            low, high = pay_range(money)
            if low is not None or high is not None:
                return {"min": low, "max": high, "currency": posting_currency}
            continue
        if not isinstance(money, dict):
            continue
        value = first(money.get("value"))
        if isinstance(value, dict):
            low, high = pay_range(value.get("value"))
            if value.get("minValue") is not None:
                low = pay_range(value["minValue"])[0]
            if value.get("maxValue") is not None:
                high = pay_range(value["maxValue"])[1]
            unit = value.get("unitText")
        else:
            low, high = pay_range(value)
            unit = money.get("unitText")
        if low is None and high is None:
            continue
        return {"min": low, "max": high, "currency": text_or_none(money.get("currency")) or posting_currency,
                "period": salary_period(unit)}
    return {}


def posted_at(value):
    """``datePosted``: ISO 8601, else a date as pages also write it ("15.09.2026", "2024-1-5",
    "January 15, 2024"); None if unreadable. Day-first where it is ambiguous ("03/04/2026"),
    as outside the US."""
    text = name_of(value)
    stamp = utc_from_iso(text)
    if stamp is not None or not text:
        return stamp
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
    return None


def same_site(url: str, page_url: str) -> bool:
    """Whether ``url`` is on the host of ``page_url`` (a leading "www." aside)."""
    def host(address: str) -> str:
        name = (urlsplit(address).hostname or "").lower()
        return name[4:] if name.startswith("www.") else name
    return bool(host(url)) and host(url) == host(page_url)


def posting_title(posting: dict) -> str | None:
    return name_of(posting.get("title")) or name_of(posting.get("name"))


def description_html(value) -> str:
    """The description as HTML; a description whose markup arrives entity-escaped is unescaped once."""
    text = first(value)
    if not isinstance(text, str):
        return ""
    if "<" not in text and re.search(r"&lt;/?[a-zA-Z]", text):
        return html.unescape(text)
    return text


class JsonLdSpider(SourceSpider):
    name = "jsonld"
    # Crawls take the URLs they are given; only `scrapy check` resolves its example page here.
    base_url_env = "SKILLTRENDS_JSONLD_URL"
    default_base_url = "https://careers.example.com"
    # --board values are URLs here, taken by __init__ itself: not a job-board source (no
    # registry, nothing for `skilltrends boards check`).
    takes_boards = False

    def __init__(self, *args, urls: str | None = None, board: str | None = None, boards: str | None = None,
                 sitemap: str | None = None, follow: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        given = url_list(urls, "urls") + url_list(board, "board") + url_list(boards, "board")
        self.page_urls = [url for url in given if not looks_like_sitemap(url)]
        self.sitemap_urls = [url for url in given if looks_like_sitemap(url)] + url_list(sitemap, "sitemap")
        self.follow_arg = follow
        if follow:
            compile_follow(follow)
        self.pages_from_sitemaps = 0
        self.sitemaps_requested = 0
        self.sitemap_cap_said = False
        self.seen_pages: set[str] = set()
        self.follow_pattern: re.Pattern | None = None

    @property
    def max_pages(self) -> int:
        return max(0, self.settings.getint("JSONLD_MAX_PAGES", DEFAULT_MAX_PAGES))

    async def start(self):
        if self.since or self.until:
            self.logger.warning("jsonld reads the pages as they are now: --since/--until are ignored.")
        follow = self.follow_arg or self.settings.get("JSONLD_FOLLOW") or ""
        try:
            self.follow_pattern = compile_follow(follow) if follow else None
        except BadArgument as exc:
            self.record_error("bad_argument", f"{exc} No sitemap page is followed.")
            self.follow_pattern = re.compile(r"(?!)")
        if not self.page_urls and not self.sitemap_urls:
            self.logger.warning("No pages to crawl: give --board URL (a page or a sitemap), "
                                "or the spider arguments urls=... / sitemap=...")
        for request in self.sitemap_requests(self.sitemap_urls):
            yield request
        for url in self.page_urls:
            yield self.page_request(url)

    def page_request(self, url: str) -> scrapy.Request:
        self.seen_pages.add(url)
        self.count("pages_requested")
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_request_failed)

    def sitemap_requests(self, urls, site: str | None = None):
        """A request for each sitemap, at most ``JSONLD_MAX_SITEMAPS`` in a crawl: an index
        that leads on to new sitemaps without end (sm1 → sm2 → …) is cut there, said once.
        ``site``: the address the crawl was given that led here (a robots.txt, an index), whose
        host the sitemap may list pages of besides its own (a sitemap on a CDN)."""
        cap = max(1, self.settings.getint("JSONLD_MAX_SITEMAPS", DEFAULT_MAX_SITEMAPS))
        for url in urls:
            if self.sitemaps_requested >= cap:
                if not self.sitemap_cap_said:
                    self.sitemap_cap_said = True
                    self.logger.warning("jsonld: stopped after %d sitemaps (the JSONLD_MAX_SITEMAPS setting); "
                                        "the pages they list are crawled.", cap)
                self.count("sitemap_cap_reached")
                continue
            self.sitemaps_requested += 1
            self.count("sitemaps_requested")
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_request_failed,
                                 meta={"jsonld_site": site or url})

    def parse_sitemap(self, response):
        """A sitemap, sitemap index or robots.txt: the pages (or sitemaps) it lists.

        @api_path /sitemap.xml
        @returns requests 1
        @returns items 0 0
        """
        site = response.meta.get("jsonld_site", response.url)
        if urlsplit(response.url).path.endswith("/robots.txt"):
            yield from self.sitemap_requests(sitemap_urls_from_robots(response.body, base_url=response.url), site)
            return
        body = sitemap_body(response)
        if body is None:
            self.record_error("not_a_sitemap", f"{response.url} is not a sitemap (XML, or gzipped XML); skipped.")
            return
        sitemap = Sitemap(body)
        if sitemap.type == "sitemapindex":
            yield from self.sitemap_requests((entry["loc"] for entry in sitemap), site)
            return
        if sitemap.type != "urlset":
            self.record_error("not_a_sitemap", f"{response.url} is not a sitemap (root <{sitemap.type}>); skipped.")
            return
        self.count("sitemaps_done")
        off_host = listed = 0
        for entry in sitemap:
            url = entry.get("loc", "")
            if not url.startswith(("http://", "https://")) or url in self.seen_pages:
                continue
            listed += 1
            # The sitemap protocol: a sitemap lists pages of its own host, or of the site whose
            # robots.txt names it.
            if not (same_site(url, response.url) or same_site(url, site)):
                self.count("sitemap_pages_off_host")
                off_host += 1
                continue
            if self.follow_pattern is not None and not self.follow_pattern.search(url):
                self.count("sitemap_pages_not_followed")
                continue
            if self.max_pages and self.pages_from_sitemaps >= self.max_pages:
                self.count("page_cap_reached")
                continue
            self.pages_from_sitemaps += 1
            yield self.page_request(url)
        if off_host and off_host == listed:
            hosts = "its own" if same_site(site, response.url) else f"its own and {urlsplit(site).hostname}"
            self.logger.warning("The sitemap %s lists only pages on other hosts than %s; the sitemap protocol "
                                "does not allow that, so none was fetched.", response.url, hosts)

    def parse_page(self, response):
        """One page: every JobPosting in its JSON-LD and microdata.

        @api_path /jobs/ml-platform-engineer
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location posted_at employment_type raw
        """
        if not isinstance(response, TextResponse) or not hasattr(response, "xpath"):
            self.record_error("not_html", f"{response.url} is not an HTML page; skipped.")
            return
        response = utf8_if_misdeclared(response)
        self.count("pages_done")
        in_jsonld = self.jsonld_postings(response)
        titles = {posting_title(posting) for posting in in_jsonld}
        # A page marking its job up twice, in JSON-LD and in microdata, holds one job.
        in_microdata = [posting for posting in self.microdata_postings(response)
                        if posting_title(posting) not in titles]
        postings = in_jsonld + in_microdata
        if not postings:
            self.count("pages_without_jobposting")
            self.logger.info("%s holds no schema.org JobPosting.", response.url)
            return
        used: dict[str, int] = {}
        yield from self.readable(postings, lambda posting: self.posting_from(response, posting, used),
                                 f"{response.url}")

    def jsonld_postings(self, response) -> list[dict]:
        """Every JobPosting of the page's JSON-LD, its references to other objects of the page
        (``"hiringOrganization": {"@id": ...}``) filled in."""
        postings, blocks, nodes = [], 0, {}
        for script in response.xpath("//script[@type]"):
            kind = script.attrib.get("type", "").split(";")[0].strip().lower()
            if kind != JSONLD_TYPE:
                continue
            blocks += 1
            text = script.xpath("string()").get() or ""
            if not text.strip():
                continue
            try:
                document = jsonld_documents(text)
                postings.extend(job_postings(document))
                nodes_by_id(document, nodes)
            except json.JSONDecodeError as exc:
                self.record_error(
                    "malformed_jsonld",
                    f"A JSON-LD block at {response.url} is not valid JSON ({exc}); that block skipped.",
                )
            except RecursionError:
                self.record_error(
                    "malformed_jsonld",
                    f"A JSON-LD block at {response.url} is nested too deep to read; that block skipped.",
                )
        postings = [{**posting, **{key: resolved(posting[key], nodes) for key in REFERENCED if key in posting}}
                    for posting in postings]
        # The page's text is scanned again only where it names more blocks than the tree holds.
        written = blocks
        if response.text.count(JSONLD_TYPE) > blocks:
            written = len(JSONLD_SCRIPT.findall(OTHER_SCRIPT_OR_COMMENT.sub("", response.text)))
        if written > blocks:  # libxml2 stops building the tree some 2,000 elements deep
            self.record_error(
                "unparsed_jsonld",
                f"{written - blocks} JSON-LD block(s) at {response.url} lie where the HTML parser did not reach "
                "(markup nested too deep or broken); skipped.",
            )
        return postings

    def microdata_postings(self, response) -> list[dict]:
        scopes = response.xpath("//*[@itemscope][@itemtype]")
        postings = []
        for scope in scopes:
            types = scope.attrib.get("itemtype", "").split()
            if not any(SCHEMA_ORG.match(kind) and kind.rstrip("/").endswith("/JobPosting") for kind in types):
                continue
            if scope.xpath("ancestor::*[@itemscope][contains(@itemtype, 'JobPosting')]"):
                continue  # nested in another JobPosting: read as part of it
            postings.append(microdata_item(scope, response))
        return postings

    def posting_from(self, response, posting: dict, used: dict[str, int]) -> PostingItem | None:
        title = posting_title(posting)
        if not title:
            self.count("jobs_unreadable")
            return None
        own_url = name_of(posting.get("url"))
        declared = response.urljoin(own_url) if own_url and not CONTROL_CHARACTER.search(own_url) else None
        if declared and not same_site(declared, response.url):
            # A page speaks for its own host only: another host's address as the id would let
            # it take over that site's listing. It stays apart, under the page's address.
            self.count("foreign_urls_ignored")
            url, key = response.url, f"{response.url}#{declared}"
        else:
            url = key = declared or response.url
        # Several postings on one page without URLs of their own: number them.
        used[key] = used.get(key, 0) + 1
        source_id = key if used[key] == 1 else f"{key}#{used[key]}"
        pay = salary(posting)
        self.count("postings_found")
        return PostingItem(
            source=self.name,
            source_id=source_id,
            url=url,
            html=description_html(posting.get("description")),
            title=title,
            company=name_of(posting.get("hiringOrganization")),
            location=location(posting),
            remote=remote(posting),
            posted_at=posted_at(posting.get("datePosted")),
            employment_type=", ".join(words(posting.get("employmentType"))) or None,
            salary_min=pay.get("min"),
            salary_max=pay.get("max"),
            salary_currency=pay.get("currency"),
            salary_period=pay.get("period"),
            month=None,
            raw=json.dumps(posting, ensure_ascii=False),
        )


def utf8_if_misdeclared(response):
    """The page read as UTF-8 when it is declared Latin-1 (or ASCII) but its bytes are valid
    UTF-8 with characters beyond ASCII: a server's default charset over a UTF-8 page ("MÃ¼ller")."""
    try:
        declared = codecs.lookup(response.encoding).name
    except LookupError:
        return response
    if declared not in ("iso8859-1", "cp1252", "ascii") or response.body.isascii():
        return response
    try:
        response.body.decode("utf-8")
    except UnicodeDecodeError:
        return response
    return response.replace(encoding="utf-8")


def url_list(text: str | None, name: str) -> list[str]:
    urls = []
    for url in (text or "").split(","):
        url = url.strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadArgument(
                f"jsonld {name} {url!r} is not a web address: give full http(s) URLs, "
                "e.g. --board https://careers.example.com/jobs/123."
            )
        if url not in urls:
            urls.append(url)
    return urls


def looks_like_sitemap(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith((".xml", ".xml.gz")) or path.endswith("/robots.txt")


def compile_follow(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise BadArgument(f"jsonld follow {pattern!r} is not a regular expression ({exc}).") from None


def sitemap_body(response) -> bytes | None:
    """The sitemap's XML: as served, or gunzipped; None if it is neither."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=SITEMAP_MAX_BYTES)
        except Exception:  # noqa: BLE001 — truncated or oversized gzip: not a usable sitemap
            return None
    head = body.lstrip()[:200].lower()
    return body if head.startswith(b"<") and (b"<?xml" in head or b"urlset" in head or b"sitemapindex" in head) \
        else None


def microdata_item(scope, response) -> dict:
    """One microdata item: its type and properties (nested items as dicts), as JSON-LD would say."""
    types = scope.attrib.get("itemtype", "").split()
    item: dict = {"@type": re.split(r"[/:#]", types[0].rstrip("/"))[-1] if types else None}
    own = scope.root
    for prop in scope.xpath(".//*[@itemprop]"):
        nearest = prop.xpath("ancestor::*[@itemscope][1]")
        if not nearest or nearest[0].root is not own:
            continue  # a property of a nested item
        names = prop.attrib.get("itemprop", "").split()
        if "itemscope" in prop.attrib:
            value = microdata_item(prop, response)
        else:
            value = microdata_value(prop, response, names)
        for name in names:
            if name in item:
                item[name] = (item[name] if isinstance(item[name], list) else [item[name]]) + [value]
            else:
                item[name] = value
    return item


def microdata_value(prop, response, names: list[str]):
    tag = prop.root.tag.lower() if isinstance(prop.root.tag, str) else ""
    attrib = prop.attrib
    if tag == "meta":
        return attrib.get("content", "")
    if tag in URL_ATTRIBUTE:
        return response.urljoin(attrib.get(URL_ATTRIBUTE[tag], ""))
    if tag == "time" and "datetime" in attrib:
        return attrib["datetime"]
    if tag in ("data", "meter") and "value" in attrib:
        return attrib["value"]
    if "content" in attrib:  # common in the wild on any element
        return attrib["content"]
    if HTML_PROPERTIES & set(names):
        return "".join(prop.xpath("node()").getall()).strip()
    return " ".join(" ".join(prop.xpath(".//text()").getall()).split())
