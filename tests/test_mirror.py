"""The offline HN mirror: generated threads in the exact Algolia formats, served over HTTP."""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from skilltrends.mirror import (
    CANONICAL_SKILLS,
    DEMO_AUTHOR_PREFIX,
    LLM_ERA_SKILLS,
    HiringThreadGenerator,
    HNMirror,
    is_demo_text,
    scale_for_total,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "hn-algolia"
HIRING_QUERY = "query=hiring&tags=story,(author__whoishiring,author_whoishiring)"
HIRING_TITLE = re.compile(r"^Ask HN: Who is hiring\? \((\w+) (\d{4})\)\s*$", re.IGNORECASE)


def recorded(name: str):
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"reference recordings not available ({path} is missing)")
    return json.loads(path.read_text(encoding="utf-8"))


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def fetch_json(url: str):
    status, ctype, body = fetch(url)
    assert status == 200, (url, status, body[:200])
    assert ctype == "application/json; charset=utf-8"
    return json.loads(body)


def walk(node):
    yield node
    for child in node["children"]:
        yield from walk(child)


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


# One matcher for the canonical skill spellings: whole words, leftmost-longest; the
# all-lowercase ones (machine learning, pandas, ...) case-insensitively.
_ALTS = [f"(?i:{re.escape(n)})" if n == n.lower() else re.escape(n)
         for n in sorted(CANONICAL_SKILLS, key=len, reverse=True)]
_SKILL_RX = re.compile(r"(?<!\w)(" + "|".join(_ALTS) + r")(?!\w)")
_CANON = {n.lower(): n for n in CANONICAL_SKILLS}


def skills_in(text: str) -> set[str]:
    return {m if m in CANONICAL_SKILLS else _CANON[m.lower()]
            for m in _SKILL_RX.findall(plain(text))}


@pytest.fixture(scope="module")
def small_gen():
    return HiringThreadGenerator(seed=5, scale=0.05)


@pytest.fixture(scope="module")
def mirror(small_gen):
    with HNMirror(small_gen) as running:
        yield running


@pytest.fixture(scope="module")
def all_hits(mirror):
    hits, page, last = [], 0, None
    while True:
        data = fetch_json(f"{mirror.url}/api/v1/search_by_date?page={page}&{HIRING_QUERY}")
        last = data
        if not data["hits"]:
            break
        hits.extend(data["hits"])
        page += 1
        assert page < 1000, "pagination never ended"
    return hits, last, page


@pytest.fixture(scope="module")
def sample():
    """Labeled postings of a few years (about 20,000), generated once for the trend tests."""
    gen = HiringThreadGenerator(seed=11, scale=0.5)
    months = [m for m in gen.months() if m[:4] in ("2011", "2013", "2019", "2020", "2021",
                                                   "2023", "2024")]
    return list(gen.iter_labeled_postings(months))


# ------------------------------------------------------------------------------ determinism


def test_same_seed_same_stories_and_threads():
    a = HiringThreadGenerator(seed=3, scale=0.05)
    b = HiringThreadGenerator(seed=3, scale=0.05)
    assert a.stories() == b.stories()
    story = a.story_ids("2019-06")["hiring"]
    assert a.thread(story) == b.thread(story)


def test_different_seed_different_texts():
    a = HiringThreadGenerator(seed=3, scale=0.05)
    b = HiringThreadGenerator(seed=4, scale=0.05)
    story = a.story_ids("2019-06")["hiring"]
    assert story == b.story_ids("2019-06")["hiring"]  # ids do not depend on the seed
    texts_a = [c["text"] for c in a.thread(story)["children"] if c["text"]]
    texts_b = [c["text"] for c in b.thread(story)["children"] if c["text"]]
    assert texts_a and texts_b
    assert not set(texts_a) & set(texts_b)


def test_thread_does_not_depend_on_the_other_months():
    full = HiringThreadGenerator(seed=9, scale=0.05)
    one_year = HiringThreadGenerator(seed=9, scale=0.05, start="2021-01", end="2021-12")
    story = full.story_ids("2021-05")["hiring"]
    assert one_year.thread(story) == full.thread(story)
    assert one_year.thread(full.story_ids("2020-05")["hiring"]) is None


# ------------------------------------------------------------------------------ search


def test_search_pages_until_empty(all_hits, small_gen):
    hits, empty, pages = all_hits
    assert empty["hits"] == []
    assert empty["nbHits"] == len(hits)
    assert empty["nbPages"] == pages
    ids = [h["objectID"] for h in hits]
    assert len(ids) == len(set(ids))
    times = [h["created_at_i"] for h in hits]
    assert times == sorted(times, reverse=True)
    hiring = [h for h in hits if HIRING_TITLE.match(h["title"])]
    assert len(hiring) == len(small_gen.months())
    months = {(m.group(1), m.group(2)) for m in (HIRING_TITLE.match(h["title"]) for h in hiring)}
    assert len(months) == len(small_gen.months())
    # the companion stories are there too (a spider must filter them out)
    assert any("Who wants to be hired?" in h["title"] for h in hits)
    assert any("Freelancer?" in h["title"] for h in hits)


def test_story_ids_grow_with_time(all_hits):
    hits, _, _ = all_hits
    ids = [int(h["objectID"]) for h in hits]
    assert ids == sorted(ids, reverse=True)
    assert 2_000_000 < ids[-1] < 3_000_000
    assert ids[0] > 40_000_000


def test_every_story_is_marked_as_generated(all_hits):
    hits, _, _ = all_hits
    assert all(is_demo_text(h["story_text"]) for h in hits)
    assert all(h["author"] == "whoishiring" for h in hits)


def test_hits_per_page_and_numeric_filters(mirror, small_gen):
    data = fetch_json(f"{mirror.url}/api/v1/search_by_date?{HIRING_QUERY}&hitsPerPage=50")
    assert len(data["hits"]) == 50 and data["hitsPerPage"] == 50
    lo, hi = 1420070400, 1451606400  # 2015
    data = fetch_json(f"{mirror.url}/api/v1/search_by_date?{HIRING_QUERY}&hitsPerPage=1000"
                      f"&numericFilters=created_at_i>{lo},created_at_i<{hi}")
    assert data["hits"] and all(lo < h["created_at_i"] < hi for h in data["hits"])
    assert sum(bool(HIRING_TITLE.match(h["title"])) for h in data["hits"]) == 12


@pytest.mark.reference_data
def test_search_matches_the_recorded_format(mirror):
    rec_page = recorded("search_by_date_whoishiring_page0.json")
    rec_empty = recorded("search_by_date_whoishiring_page8.json")
    tags = "story,(author__whoishiring, author_whoishiring)"  # as recorded
    url = f"{mirror.url}/api/v1/search_by_date?page=0&query=hiring&tags={tags}"
    data = fetch_json(url.replace(" ", "%20"))
    assert set(data) == set(rec_page)
    assert data["params"] == rec_page["params"]
    assert set(data["hits"][0]) == set(rec_page["hits"][0])
    assert set(data["hits"][0]["_highlightResult"]["title"]) == \
        set(rec_page["hits"][0]["_highlightResult"]["title"])
    empty = fetch_json(url.replace(" ", "%20").replace("page=0", f"page={data['nbPages']}"))
    assert set(empty) == set(rec_empty) and empty["hits"] == []


@pytest.mark.reference_data
def test_thread_matches_the_recorded_format(small_gen):
    rec = recorded("items_2396027.json")
    rec_comment_keys = {tuple(n) for c in rec["children"] for n in walk(c)}
    story = small_gen.thread(small_gen.story_ids("2011-04")["hiring"])
    assert list(story) == list(rec)
    comments = [n for c in story["children"] for n in walk(c)]
    assert {tuple(n) for n in comments} == rec_comment_keys
    modern = small_gen.thread(small_gen.story_ids("2023-05")["hiring"])
    assert list(modern) == list(rec)
    assert {tuple(n) for c in modern["children"] for n in walk(c)} == rec_comment_keys


# ------------------------------------------------------------------------------ threads


@pytest.mark.parametrize("month", ["2011-04", "2016-02", "2024-11"])
def test_thread_tree(mirror, small_gen, month):
    story_id = small_gen.story_ids(month)["hiring"]
    tree = fetch_json(f"{mirror.url}/api/v1/items/{story_id}")
    assert tree["id"] == story_id and tree["type"] == "story"
    assert is_demo_text(tree["text"])
    top = tree["children"]
    postings = [c for c in top if c["text"] is not None]
    assert len(postings) == small_gen.postings_in_month(month)
    deleted = [n for c in top for n in walk(c) if n["text"] is None]
    assert deleted and all(n["author"] is None for n in deleted)
    assert any(c["children"] for c in top), "no replies"
    nodes = [n for c in top for n in walk(c)]
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) and min(ids) > story_id
    assert all(n["story_id"] == story_id and n["type"] == "comment" for n in nodes)
    for parent in [tree] + nodes:
        for child in parent["children"]:
            assert child["parent_id"] == parent["id"]
    assert all(n["author"].startswith(DEMO_AUTHOR_PREFIX) for n in nodes if n["author"])
    # a comment id answers with its own subtree
    reply_parent = next(c for c in top if c["children"])
    sub = fetch_json(f"{mirror.url}/api/v1/items/{reply_parent['id']}")
    assert sub == reply_parent


def test_companion_threads_are_small_and_not_postings(mirror, small_gen):
    ids = small_gen.story_ids("2019-03")
    for key in ("seeking", "freelancer"):
        tree = fetch_json(f"{mirror.url}/api/v1/items/{ids[key]}")
        assert 0 < len(tree["children"]) < 20
        assert not HIRING_TITLE.match(tree["title"])


@pytest.mark.parametrize("month", ["2011-04", "2022-08"])
def test_item_ids_are_unique_and_resolvable(small_gen, month):
    ids = small_gen.story_ids(month)
    trees = [small_gen.thread(sid) for sid in ids.values()]
    nodes = [n for tree in trees for n in walk(tree)]
    all_ids = [n["id"] for n in nodes]
    assert len(all_ids) == len(set(all_ids))
    next_month = small_gen.story_ids(f"{int(month[:4]) + 1}-{month[5:]}")
    assert max(all_ids) < min(next_month.values())
    for node in nodes[:: max(1, len(nodes) // 40)]:
        assert small_gen.item(node["id"]) == node


def test_num_comments_counts_the_visible_comments(all_hits, small_gen):
    hits, _, _ = all_hits
    hit = next(h for h in hits if HIRING_TITLE.match(h["title"]))
    tree = small_gen.thread(int(hit["objectID"]))
    visible = [n for c in tree["children"] for n in walk(c) if n["text"] is not None]
    assert hit["num_comments"] == len(visible)


def test_iter_postings_yields_the_thread_postings(small_gen):
    month = "2018-09"
    got = [c for m, c in small_gen.iter_postings([month])]
    tree = small_gen.thread(small_gen.story_ids(month)["hiring"])
    expected = sorted((c for c in tree["children"] if c["text"] is not None),
                      key=lambda c: c["id"])
    assert got == expected


def test_concurrent_requests(mirror, small_gen):
    story_ids = [small_gen.story_ids(m)["hiring"] for m in ("2017-01", "2017-02", "2017-03")]
    results: list[tuple[int, int, bytes]] = []
    lock = threading.Lock()

    def worker(k):
        sid = story_ids[k % len(story_ids)]
        status, _, body = fetch(f"{mirror.url}/api/v1/items/{sid}")
        with lock:
            results.append((sid, status, body))

    before = mirror.stats["threads_generated"]
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12 and all(status == 200 for _, status, _ in results)
    for sid in story_ids:
        assert len({body for s, _, body in results if s == sid}) == 1
    assert mirror.stats["threads_generated"] - before <= len(story_ids)


# ------------------------------------------------------------------------------ errors


def test_unknown_item_is_404_json(mirror):
    for item in (1, 999_999_999_999):
        status, ctype, body = fetch(f"{mirror.url}/api/v1/items/{item}")
        assert status == 404
        assert ctype == "application/json; charset=utf-8"
        assert json.loads(body) == {"status": 404, "error": "Not Found"}


def test_robots_txt_allows_all(mirror):
    status, ctype, body = fetch(f"{mirror.url}/robots.txt")
    assert status == 200 and ctype.startswith("text/plain")
    lines = body.decode().splitlines()
    assert "User-agent: *" in lines
    assert not any(line.startswith("Disallow:") and line[9:].strip() for line in lines)


def test_bad_parameters_are_400(mirror):
    status, _, body = fetch(f"{mirror.url}/api/v1/search_by_date?page=x")
    assert status == 400 and json.loads(body)["status"] == 400


# ------------------------------------------------------------------------------ content


def test_labels_are_exactly_the_skills_in_the_text(sample):
    mismatches = [(m, sorted(skills_in(c["text"]) ^ set(lab["skills"])))
                  for m, c, lab in sample if skills_in(c["text"]) != set(lab["skills"])]
    assert not mismatches, mismatches[:5]


def test_most_postings_are_not_ml(sample):
    ml = sum(lab["ml_role"] for _, _, lab in sample)
    assert 0.03 < ml / len(sample) < 0.3


def share(sample, year, predicate, only_ml=False):
    rows = [(c, lab) for m, c, lab in sample
            if m.startswith(year) and (lab["ml_role"] or not only_ml)]
    assert rows
    return sum(1 for c, lab in rows if predicate(c, lab)) / len(rows)


def test_llm_terms_absent_before_2022_and_common_in_2024(sample):
    llm = set(LLM_ERA_SKILLS)
    for year in ("2011", "2013", "2019", "2020", "2021"):
        assert share(sample, year, lambda c, lab: skills_in(c["text"]) & llm) == 0, year
    in_2024 = share(sample, "2024", lambda c, lab: skills_in(c["text"]) & llm, only_ml=True)
    assert in_2024 > 0.3


def test_hadoop_falls_and_machine_learning_rises(sample):
    def hadoop(c, lab):
        return "Hadoop" in skills_in(c["text"])

    def machine_learning(c, lab):
        return "machine learning" in plain(c["text"]).lower()

    assert share(sample, "2013", hadoop) > 0.02 > share(sample, "2023", hadoop) * 10
    assert share(sample, "2019", machine_learning) > 2 * share(sample, "2011", machine_learning)


def test_markup_snippets_are_rare_and_escaped(sample):
    texts = [c["text"] for _, c, _ in sample]
    assert not any(re.search(r"<(script|img)\b", t) for t in texts)
    escaped = [t for t in texts if re.search(r"(&lt;|&#60;)(script|img)\b", t)]
    assert 0 < len(escaped) < len(texts) / 500


def test_header_styles_vary(sample):
    styles = {lab["header_style"] for _, _, lab in sample}
    assert len(styles) >= 8
    modern = [first_line(c["text"]) for m, c, _ in sample if m >= "2024"]
    assert sum(" | " in line for line in modern) > len(modern) / 2
    legacy = [first_line(c["text"]) for m, c, _ in sample if m < "2012"]
    assert sum(" | " in line for line in legacy) < len(legacy) / 2


def first_line(text: str) -> str:
    """The header line of a posting in either rendering (legacy ``<p>..</p>`` or modern)."""
    head = text[3:].split("</p>")[0] if text.startswith("<p>") else text.split("<p>")[0]
    return plain(head).split("\n")[0].strip()


# ------------------------------------------------------------------------------ scale


def test_scale_for_total():
    scale = scale_for_total(1_000_000)
    gen = HiringThreadGenerator(scale=scale)
    total = sum(gen.postings_in_month(m) for m in gen.months())
    assert abs(total - 1_000_000) <= 10_000
    base = HiringThreadGenerator(scale=1.0)
    assert 90_000 < sum(base.postings_in_month(m) for m in base.months()) < 135_000


def test_fractional_scale_keeps_every_month():
    gen = HiringThreadGenerator(scale=0.001, start="2011-04", end="2011-12")
    assert gen.months()[:4] == ["2011-04", "2011-05", "2011-06", "2011-07"]
    assert all(gen.postings_in_month(m) >= 1 for m in gen.months())
