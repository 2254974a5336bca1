"""Parse the header line of an HN "Who is hiring?" post into company, title, location, remote.

HN asks posters to lead with ``Company | Role | Location | REMOTE | ...``; in practice the
order varies, separators vary (``|``, `` - ``, ``;``, ``•``), and early (2011) posts often
lead with the location. Each field is classified by what it looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLE_WORDS = re.compile(
    r"\b(engineers?|developers?|devs?|scientists?|designers?|managers?|leads?|architects?|analysts?|"
    r"devops|sre|cto|ceo|cfo|vp|head of|director|researchers?|programmers?|hackers?|interns?|"
    r"internships?|roles?|positions?|ops|administrators?|admin|consultants?|specialists?|writers?|"
    r"marketers?|marketing|sales|recruiters?|support|product|data|qa|tester|full[- ]?stack|front[- ]?end|"
    r"back[- ]?end|mobile|ios|android|technician|founding|staff|principal|senior|junior|sr\.?|jr\.?)\b",
    re.IGNORECASE,
)
REMOTE_YES = re.compile(r"\bremote\b", re.IGNORECASE)
REMOTE_NO = re.compile(r"\b(no remote|not remote|remote not|remote:\s*no|non-?remote|on-?site( only)?|in[- ]office|"
                       r"in[- ]person|hybrid)\b", re.IGNORECASE)
URL_LIKE = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|io|ai|co|org|net|dev|app)\b|@)", re.IGNORECASE)
SALARY_LIKE = re.compile(r"([$€£¥]\s?\d|\d+\s?[kK]\b|\bsalary\b|\bequity\b|\bcomp\b|\d{2,3},\d{3})")
TERMS_LIKE = re.compile(
    r"^\W*(full[- ]?time|part[- ]?time|contract(or)?|freelance|permanent|visa|h-?1b|interns?|"
    r"sponsorship|relocation|ft|pt)\b", re.IGNORECASE
)
# "City, XX" where XX is a US state, a Canadian province or a country code: "Python, ML" is a stack.
REGION_CODES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|"
    "OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|ON|QC|BC|AB|MB|NS|UK|FR|NL|ES|IE|CH|SE|DK|FI|PL|PT|AT|BE|SG|"
    "AU|NZ|JP|BR|MX"
)
PLACE_LIKE = re.compile(
    rf"(\b[A-Z][a-z]+,\s?(?:{REGION_CODES})\b|\b(USA?|UK|EU|EMEA|APAC|Europe|Canada|Germany|France|India|"
    r"Berlin|London|Paris|Amsterdam|NYC|New York|SF|San Francisco|Bay Area|Seattle|Boston|Austin|"
    r"Chicago|Los Angeles|LA|Toronto|Montreal|Vancouver|Denver|Portland|Atlanta|Miami|Dublin|"
    r"Zurich|Munich|Stockholm|Barcelona|Madrid|Lisbon|Tel Aviv|Singapore|Tokyo|Sydney|Bangalore|"
    r"Palo Alto|Mountain View|Menlo Park|Oakland|Brooklyn|Cambridge|Washington|DC|Remote|"
    r"Anywhere|Worldwide|Global|Hybrid|Onsite|On-site)\b)"
)
# Prose, not a company name: a sentence ends inside it, or it is longer than names run.
SENTENCE_LIKE = re.compile(r"[a-z]{2}[.!?]\s+[A-Z]")
MAX_NAME = 80
# A line that is a place and nothing else: capitalised words and commas ("San Francisco, CA",
# "Location: NYC"), a remark in parentheses at most; not "Rdio is hiring in San Francisco".
# Each comma and space can be matched one way only: a pattern that let ", Word" match two
# ways took time doubling with every comma when the line was no place (22 of them: 2 s).
LONE_PLACE = re.compile(r"(?:Location:\s*)?[A-Z][\w.'-]*(?:,*\s+[A-Z][\w.'-]*)*,*\s*(?:\([^()]*\))?[\s.:-]*")
PARENTHESES = re.compile(r"\([^()]*\)")
YC_BATCH = re.compile(r"\s*\((YC|Y Combinator)\b[^)]*\)\s*", re.IGNORECASE)
SEPARATORS = re.compile(r"\s*(?:\||•|·|\s[-–—]\s|;)\s*")


@dataclass(frozen=True)
class Header:
    company: str | None = None
    title: str | None = None
    location: str | None = None
    remote: bool | None = None


def remote_policy(text: str) -> bool | None:
    """True if remote work is offered, False if onsite/hybrid is stated without remote, else None."""
    if REMOTE_NO.search(text) and not re.search(r"\bor remote\b|\bremote ok\b|\bremote (friendly|possible)\b", text, re.I):
        return False if not REMOTE_YES.search(REMOTE_NO.sub("", text)) else True
    if REMOTE_YES.search(text):
        return True
    return None


def _kind(field: str) -> str:
    if URL_LIKE.search(field):
        return "url"
    if SALARY_LIKE.search(field) and not _role_with_pay_aside(field):
        return "salary"
    if TERMS_LIKE.match(field):
        return "terms"
    if re.fullmatch(r"\W*(remote|onsite|on-site|hybrid|remote ok|remote only|fully remote)\W*", field, re.I):
        return "remote"
    if ROLE_WORDS.search(field):
        return "role"
    if PLACE_LIKE.search(field):
        return "place"
    return "other"


def _role_with_pay_aside(field: str) -> bool:
    """A role whose pay stands only in parentheses: "ML Engineer ($150k-$200k)"."""
    return bool(ROLE_WORDS.search(field)) and not SALARY_LIKE.search(PARENTHESES.sub("", field))


def _fields(line: str) -> list[str]:
    """The line cut at its separators, but not inside parentheses: "Remote (US - EST)"."""
    fields, start = [], 0
    for separator in SEPARATORS.finditer(line):
        if line.count("(", 0, separator.start()) > line.count(")", 0, separator.start()):
            continue
        fields.append(line[start:separator.start()])
        start = separator.end()
    fields.append(line[start:])
    return [field for field in (f.strip() for f in fields) if field]


def _clean(value: str) -> str | None:
    value = value.strip(" \t-–—|:,;")
    return value or None


def parse_header(first_line: str | None) -> Header:
    """Company, title, location and remote policy from a post's first line."""
    line = (first_line or "").strip()
    if not line:
        return Header()
    line = line[:400]
    piped = line.count("|") >= 1
    fields = _fields(line)
    if len(fields) < 2:  # early posts often lead with the place alone: "San Francisco, CA"
        place = LONE_PLACE.fullmatch(line) is not None and _kind(line) == "place"
        return Header(location=_clean(line) if place else None, remote=remote_policy(line))
    kinds = [_kind(field) for field in fields]
    company = None
    if piped or kinds[0] == "other":
        named = YC_BATCH.sub(" ", fields[0])
        company = None if len(named) > MAX_NAME or SENTENCE_LIKE.search(named) else _clean(named)
        fields, kinds = fields[1:], kinds[1:]
    roles = [f for f, k in zip(fields, kinds) if k == "role"]
    places = [f for f, k in zip(fields, kinds) if k in ("place", "remote")]
    others = [f for f, k in zip(fields, kinds) if k == "other"]
    non_remote_places = [p for p in places if _kind(p) != "remote"]
    location = non_remote_places[0] if non_remote_places else (others[0] if others and roles else None)
    if location is None and places:
        location = places[0]
    title = "; ".join(roles) if roles else (others[0] if others and others[0] != location else None)
    return Header(
        company=company,
        title=_clean(title) if title else None,
        location=_clean(location) if location else None,
        remote=remote_policy(line),
    )
