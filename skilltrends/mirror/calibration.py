"""Calibration of the offline mirror: thread volumes, the ML-role share and skill trends.

Every number here is either a figure derived from a published measurement (cited next to
it) or a stated assumption. The generator turns them into per-month probabilities; nothing
in this module is random.

Sources
-------
[HT]  imsky/hiringtrends (MIT), monthly measurement of every HN "Who is hiring?" thread
      2011-04 .. 2024-05: number of top-level comments per thread and the percentage of
      top-level comments mentioning each of 261 terms (case-insensitive, with aliases; e.g.
      its "Machine Learning" also counts "ML" and its "AI" also "Artificial Intelligence").
      The figures below are yearly averages of those monthly values, rounded; they were
      computed once on a developer machine from the copy in ``../shared/data`` and only
      the resulting numbers are carried here. Headline values are also quoted in that
      folder's README: "AI" 0.7% (2011), 8.8% (2022), 22.5% (2024); "Hadoop" highest in
      2013 (4.8%), 0.05% in 2023; "Kubernetes" highest in 2019 (8.7%); "Machine Learning"
      2.8% (2011), 13.0% (2019), 14.6% (2024).
[ALG] Hacker News Algolia API responses recorded 2023-09-25 (imsky/hiringtrends test
      cassettes, MIT): story ids and ``num_comments`` of the ``whoishiring`` stories.
[AII] Stanford AI Index 2024 / Lightcast, Indeed Hiring Lab (Mar 2024): generative-AI
      postings grew more than tenfold in 2023 (used for the shape of the LLM ramp).
[ASM] Assumption of this module (no measurement available, e.g. every LLM-era tool,
      all values after 2024-05, and all within-ML-posting shares). Stated so a reader
      can change them; the shapes follow public release dates of the tools.

Model
-----
A posting is an *ML posting* (it seeks at least one ML/AI role) with probability
``ml_role_share(month)``. Each skill is then mentioned independently with probability
``p_ml`` in ML postings and ``p_other`` in the others. A skill is specified either by its
share of *all* postings (mode ``"all"``, the [HT] measurements) plus the fraction ``f`` of
its mentions that sit in ML postings, or by its share of *ML* postings (mode ``"ml"``)
plus the ratio ``r = p_other / p_ml``. Anchors are yearly values placed at mid-year and
interpolated linearly by month; before ``onset`` a skill is never mentioned.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- thread volumes -------------------------------------------------------------------

#: Mean number of top-level comments per "Who is hiring?" thread, by year.
#: 2011-2024: [HT] yearly averages (2024 = Jan-May). 2025-2026: [ASM] flat at the 2023-24
#: level (HN threads stayed at roughly 300-400 top-level posts).
VOLUME_MEAN_BY_YEAR: dict[int, float] = {
    2011: 198, 2012: 226, 2013: 297, 2014: 371, 2015: 623, 2016: 689, 2017: 806,
    2018: 828, 2019: 719, 2020: 602, 2021: 874, 2022: 642, 2023: 368, 2024: 328,
    2025: 330, 2026: 335,
}

#: Month-of-year factor on the yearly mean ([HT]: average ratio of each month's count to
#: its year's mean; January and December threads are the smallest). Sums to 12.
SEASONALITY: tuple[float, ...] = (
    0.80, 1.01, 1.03, 1.01, 1.10, 1.02, 1.01, 1.10, 0.93, 1.06, 1.07, 0.86,
)

#: Per-thread volume noise: each month's count is multiplied by a deterministic factor
#: in [1 - VOLUME_NOISE, 1 + VOLUME_NOISE] ([ASM]; real months vary far more, e.g. the
#: December 2011 thread got 3 top-level comments [HT]).
VOLUME_NOISE = 0.08

#: Replies (not postings) per top-level posting: April 2011 had 295 comments for 219
#: top-level ones, i.e. 0.35 [ALG]; later threads vary from about 0.1 to 0.6 [ALG]/[HT].
REPLY_RATIO = (0.22, 0.40)

#: Share of top-level comments that are deleted (shown by Algolia with null text and
#: author) [ASM], and of replies.
DELETED_TOP_LEVEL = 0.012
DELETED_REPLIES = 0.03

#: Probability that a posting is a verbatim repost of one from the previous month (same
#: company, same text) [ASM]; exercises the ETL's de-duplication.
REPOST_SHARE = 0.07

#: Probability that a posting carries a literal markup snippet that must be shown
#: escaped (``<script>alert(1)</script>`` etc.) [ASM]: about 1 in 2000.
MARKUP_SNIPPET_SHARE = 1 / 2000

# --- HN item ids ----------------------------------------------------------------------

#: (month, id) anchors of the ``whoishiring`` story ids: 2011-04 .. 2023-09 are real ids
#: rounded to the thousand [ALG]; 2026-10 is a projection [ASM]. Generated ids are
#: interpolated and jittered, so they are never the real ids.
STORY_ID_ANCHORS: tuple[tuple[str, int], ...] = (
    ("2011-04", 2_396_000), ("2013-01", 4_993_000), ("2015-01", 8_823_000),
    ("2017-01", 13_302_000), ("2019-01", 18_807_000), ("2021-01", 25_633_000),
    ("2023-01", 34_219_000), ("2023-09", 37_352_000), ("2026-10", 47_000_000),
)

# --- ML role share --------------------------------------------------------------------

#: Share of postings that seek at least one ML/AI role, in percent, by year [ASM], set
#: consistently with the [HT] "Machine Learning" (2.8% -> 13.0% -> 14.6%) and "AI"
#: (0.7% -> 22.5%) mention shares: about 3% in 2011, 13-14% around 2019-2022, 20% in
#: 2024 and slightly more after.
ML_ROLE_SHARE: dict[int, float] = {
    2011: 3.0, 2012: 3.8, 2013: 4.6, 2014: 5.6, 2015: 7.0, 2016: 8.6, 2017: 10.5,
    2018: 12.0, 2019: 13.5, 2020: 13.5, 2021: 13.0, 2022: 14.0, 2023: 17.0,
    2024: 20.0, 2025: 21.0, 2026: 21.5,
}

# --- skill families (as the generator groups them into sentences) --------------------

CATEGORY_LANG = "lang"
CATEGORY_WEB = "web"
CATEGORY_DB = "db"
CATEGORY_INFRA = "infra"
CATEGORY_DATA = "data"
CATEGORY_MLLIB = "mllib"
CATEGORY_MLOPS = "mlops"
CATEGORY_LLM = "llm"
CATEGORY_CONCEPT = "concept"


@dataclass(frozen=True)
class SkillSpec:
    """How often one canonical skill is mentioned over time (see the module docstring)."""

    name: str
    category: str
    mode: str  # "all": anchors are % of all postings; "ml": % of ML postings
    anchors: dict[int, float]
    param: float  # mode "all": f = share of mentions in ML postings; "ml": r = p_other/p_ml
    onset: str | None = None  # "YYYY-MM": never mentioned before this month


def _all(name, category, anchors, f, onset=None):
    return SkillSpec(name, category, "all", anchors, f, onset)


def _ml(name, category, anchors, r, onset=None):
    return SkillSpec(name, category, "ml", anchors, r, onset)


# Mode "all" anchors: [HT] yearly averages (% of all top-level comments), rounded; for the
# terms the brief names the full yearly series, for the others a few anchor years. Values
# after 2024 are [ASM] continuations. The fractions f are [ASM].
SKILLS: tuple[SkillSpec, ...] = (
    # general ML / AI concepts
    _all("machine learning", CATEGORY_CONCEPT, {
        2011: 2.8, 2012: 6.9, 2013: 7.7, 2014: 8.4, 2015: 8.2, 2016: 9.5, 2017: 12.1,
        2018: 13.0, 2019: 13.0, 2020: 12.7, 2021: 11.1, 2022: 12.8, 2023: 14.5,
        2024: 14.6, 2026: 14.5}, 0.6),
    _all("AI", CATEGORY_CONCEPT, {
        2011: 0.7, 2012: 0.8, 2013: 0.8, 2014: 0.5, 2015: 1.1, 2016: 2.3, 2017: 4.4,
        2018: 6.0, 2019: 6.8, 2020: 7.6, 2021: 7.0, 2022: 8.8, 2023: 15.4, 2024: 22.5,
        2025: 25.0, 2026: 26.0}, 0.45),
    _all("deep learning", CATEGORY_CONCEPT, {
        2013: 0.0, 2014: 0.2, 2015: 0.8, 2017: 2.2, 2019: 2.1, 2020: 2.6, 2021: 1.7,
        2023: 1.9, 2024: 1.1, 2026: 0.9}, 0.85, "2013-06"),
    _all("NLP", CATEGORY_CONCEPT, {
        2011: 0.6, 2013: 1.4, 2015: 1.2, 2017: 1.7, 2019: 1.7, 2021: 1.1, 2023: 1.1,
        2024: 1.0, 2026: 0.9}, 0.75),
    _all("computer vision", CATEGORY_CONCEPT, {
        2011: 0.4, 2013: 0.8, 2015: 1.4, 2017: 1.8, 2019: 1.7, 2021: 1.6, 2023: 2.4,
        2024: 2.5, 2026: 2.5}, 0.7),
    _all("statistics", CATEGORY_CONCEPT, {
        2011: 0.4, 2013: 1.3, 2014: 2.4, 2015: 1.4, 2017: 0.8, 2019: 0.4, 2021: 0.3,
        2023: 0.2, 2024: 0.4, 2026: 0.4}, 0.6),
    _ml("recommender systems", CATEGORY_CONCEPT, {
        2011: 5.0, 2015: 5.0, 2020: 4.0, 2024: 2.5, 2026: 2.0}, 0.05),
    _ml("time series forecasting", CATEGORY_CONCEPT, {
        2011: 1.0, 2016: 2.0, 2020: 3.0, 2024: 2.0, 2026: 2.0}, 0.03),
    _ml("A/B testing", CATEGORY_CONCEPT, {
        2011: 2.0, 2015: 4.0, 2019: 4.0, 2024: 3.0, 2026: 3.0}, 0.2),
    _ml("feature engineering", CATEGORY_CONCEPT, {
        2013: 0.5, 2016: 2.0, 2019: 3.0, 2024: 2.0, 2026: 1.5}, 0.02, "2013-01"),
    # classic ML libraries
    _all("TensorFlow", CATEGORY_MLLIB, {
        2015: 0.05, 2016: 0.4, 2017: 0.9, 2018: 1.3, 2019: 1.1, 2020: 1.7, 2021: 0.9,
        2022: 0.6, 2023: 0.8, 2024: 0.6, 2026: 0.4}, 0.85, "2015-11"),
    _all("PyTorch", CATEGORY_MLLIB, {
        2017: 0.05, 2018: 0.13, 2019: 0.41, 2020: 0.85, 2021: 0.82, 2022: 1.19,
        2023: 0.89, 2024: 1.19, 2026: 1.3}, 0.85, "2017-01"),
    _all("Keras", CATEGORY_MLLIB, {
        2015: 0.02, 2016: 0.18, 2018: 0.5, 2019: 0.47, 2020: 0.35, 2022: 0.13, 2024: 0.07,
        2026: 0.05}, 0.9, "2015-04"),
    _ml("scikit-learn", CATEGORY_MLLIB, {
        2011: 0.5, 2013: 2.0, 2015: 4.0, 2018: 5.0, 2021: 4.5, 2024: 3.0, 2026: 2.5}, 0.03),
    _ml("XGBoost", CATEGORY_MLLIB, {
        2015: 0.5, 2016: 1.5, 2018: 3.0, 2020: 3.0, 2024: 2.0, 2026: 1.5}, 0.02, "2015-01"),
    _ml("LightGBM", CATEGORY_MLLIB, {
        2017: 0.3, 2018: 1.0, 2020: 1.5, 2024: 1.0, 2026: 0.8}, 0.02, "2017-03"),
    _all("pandas", CATEGORY_DATA, {
        2013: 0.2, 2015: 0.7, 2017: 0.6, 2019: 0.8, 2021: 0.6, 2023: 0.7, 2024: 0.5,
        2026: 0.4}, 0.5, "2012-06"),
    _all("NumPy", CATEGORY_DATA, {
        2011: 0.06, 2013: 0.3, 2015: 0.4, 2017: 0.8, 2019: 0.3, 2021: 0.3, 2023: 0.4,
        2024: 0.13, 2026: 0.1}, 0.6),
    # data platforms
    _all("Hadoop", CATEGORY_DATA, {
        2011: 2.9, 2012: 4.7, 2013: 4.8, 2014: 3.9, 2015: 3.0, 2016: 2.4, 2017: 1.9,
        2018: 1.2, 2019: 0.9, 2020: 0.4, 2021: 0.3, 2022: 0.2, 2023: 0.05, 2024: 0.07,
        2026: 0.03}, 0.2),
    _all("Spark", CATEGORY_DATA, {
        2013: 0.3, 2014: 1.2, 2015: 3.0, 2017: 3.9, 2019: 2.8, 2021: 1.7, 2023: 0.7,
        2024: 1.0, 2026: 0.8}, 0.35, "2013-03"),
    _all("Kafka", CATEGORY_DATA, {
        2012: 0.3, 2013: 0.7, 2015: 2.2, 2017: 3.2, 2019: 3.1, 2021: 2.2, 2023: 1.7,
        2024: 1.1, 2026: 1.0}, 0.1, "2012-01"),
    _all("Airflow", CATEGORY_DATA, {
        2015: 0.04, 2017: 0.3, 2018: 0.9, 2019: 0.6, 2021: 1.0, 2023: 0.6, 2024: 0.4,
        2026: 0.35}, 0.25, "2015-09"),
    _all("dbt", CATEGORY_DATA, {
        2019: 0.05, 2020: 0.17, 2021: 0.5, 2023: 0.6, 2024: 0.4, 2026: 0.4}, 0.1, "2018-06"),
    _all("Snowflake", CATEGORY_DATA, {
        2018: 0.2, 2020: 0.2, 2021: 0.5, 2022: 0.7, 2023: 1.0, 2024: 1.8, 2026: 1.8},
        0.12, "2017-06"),
    _ml("Databricks", CATEGORY_DATA, {
        2015: 0.2, 2018: 1.0, 2021: 3.0, 2024: 4.0, 2026: 4.0}, 0.15, "2015-01"),
    # MLOps
    _ml("MLOps", CATEGORY_MLOPS, {
        2019: 0.3, 2020: 2.0, 2021: 4.5, 2022: 7.0, 2023: 8.5, 2024: 9.5, 2025: 10.5,
        2026: 11.0}, 0.05, "2019-06"),
    _ml("MLflow", CATEGORY_MLOPS, {
        2018: 0.3, 2019: 1.5, 2021: 4.0, 2023: 5.0, 2026: 5.5}, 0.03, "2018-07"),
    _ml("Kubeflow", CATEGORY_MLOPS, {
        2018: 0.3, 2019: 1.5, 2021: 3.0, 2023: 2.5, 2026: 1.8}, 0.03, "2018-03"),
    _ml("SageMaker", CATEGORY_MLOPS, {
        2018: 0.5, 2019: 2.0, 2021: 4.0, 2023: 5.0, 2026: 5.0}, 0.04, "2018-01"),
    _ml("Vertex AI", CATEGORY_MLOPS, {
        2021: 0.3, 2022: 1.5, 2024: 3.0, 2026: 3.5}, 0.04, "2021-06"),
    _ml("Weights & Biases", CATEGORY_MLOPS, {
        2019: 0.2, 2020: 0.6, 2022: 2.0, 2024: 3.0, 2026: 3.0}, 0.02, "2019-06"),
    _ml("Feast", CATEGORY_MLOPS, {
        2019: 0.1, 2021: 0.6, 2023: 1.0, 2026: 0.8}, 0.01, "2019-03"),
    _ml("Triton", CATEGORY_MLOPS, {
        2019: 0.1, 2021: 0.6, 2023: 1.5, 2025: 2.5, 2026: 2.5}, 0.02, "2019-06"),
    _ml("BentoML", CATEGORY_MLOPS, {
        2020: 0.1, 2022: 0.6, 2024: 1.0, 2026: 1.0}, 0.01, "2019-09"),
    _ml("ONNX", CATEGORY_MLOPS, {
        2018: 0.3, 2019: 1.0, 2022: 2.0, 2026: 2.0}, 0.02, "2017-12"),
    _ml("TensorRT", CATEGORY_MLOPS, {
        2017: 0.3, 2018: 0.8, 2022: 1.5, 2025: 2.5, 2026: 2.5}, 0.02, "2017-06"),
    _ml("Ray", CATEGORY_MLOPS, {
        2019: 0.2, 2020: 0.5, 2022: 1.5, 2024: 3.0, 2026: 4.0}, 0.03, "2019-01"),
    _ml("DVC", CATEGORY_MLOPS, {
        2019: 0.2, 2021: 0.8, 2023: 1.0, 2026: 0.8}, 0.01, "2018-09"),
    # LLM era ([ASM], ramp shapes after [AII]: near zero before ChatGPT, 2022-11-30)
    _ml("LLM", CATEGORY_LLM, {
        2022: 0.0, 2023: 16.0, 2024: 26.0, 2025: 30.0, 2026: 32.0}, 0.1, "2022-12"),
    _ml("LLMs", CATEGORY_LLM, {
        2022: 0.0, 2023: 12.0, 2024: 20.0, 2025: 23.0, 2026: 24.0}, 0.1, "2022-12"),
    _ml("GPT", CATEGORY_LLM, {
        2020: 0.3, 2022: 0.6, 2023: 6.0, 2024: 4.0, 2025: 3.0, 2026: 2.0}, 0.1, "2020-06"),
    _ml("OpenAI API", CATEGORY_LLM, {
        2022: 0.0, 2023: 4.0, 2024: 5.0, 2026: 4.5}, 0.1, "2022-12"),
    _ml("Claude", CATEGORY_LLM, {
        2023: 0.5, 2024: 2.0, 2025: 4.0, 2026: 5.0}, 0.1, "2023-03"),
    _ml("Llama", CATEGORY_LLM, {
        2023: 2.0, 2024: 3.0, 2026: 3.0}, 0.05, "2023-03"),
    _ml("generative AI", CATEGORY_LLM, {
        2022: 0.0, 2023: 8.0, 2024: 10.0, 2025: 9.0, 2026: 8.0}, 0.15, "2022-10"),
    _ml("RAG", CATEGORY_LLM, {
        2023: 3.0, 2024: 12.0, 2025: 15.0, 2026: 15.0}, 0.05, "2023-06"),
    _ml("LangChain", CATEGORY_LLM, {
        2023: 5.0, 2024: 8.0, 2025: 6.0, 2026: 5.0}, 0.05, "2023-03"),
    _ml("LlamaIndex", CATEGORY_LLM, {
        2023: 1.5, 2024: 3.0, 2026: 2.5}, 0.03, "2023-03"),
    _ml("vector databases", CATEGORY_LLM, {
        2023: 4.0, 2024: 7.0, 2026: 6.0}, 0.05, "2023-03"),
    _ml("Pinecone", CATEGORY_LLM, {
        2023: 2.5, 2024: 3.0, 2026: 2.0}, 0.03, "2023-03"),
    _ml("pgvector", CATEGORY_LLM, {
        2023: 1.0, 2024: 3.0, 2026: 3.5}, 0.05, "2023-04"),
    _ml("prompt engineering", CATEGORY_LLM, {
        2023: 4.0, 2024: 4.0, 2026: 3.0}, 0.05, "2023-01"),
    _ml("fine-tuning", CATEGORY_LLM, {
        2019: 0.2, 2022: 0.5, 2023: 6.0, 2024: 9.0, 2026: 10.0}, 0.02, "2019-01"),
    _ml("Hugging Face", CATEGORY_LLM, {
        2019: 0.1, 2021: 0.6, 2022: 1.0, 2023: 6.0, 2024: 7.0, 2026: 6.0}, 0.03, "2019-06"),
    _ml("vLLM", CATEGORY_LLM, {
        2024: 3.0, 2025: 6.0, 2026: 7.0}, 0.02, "2023-10"),
    _ml("AI agents", CATEGORY_LLM, {
        2023: 1.0, 2024: 6.0, 2025: 15.0, 2026: 20.0}, 0.12, "2023-06"),
    _ml("MCP", CATEGORY_LLM, {
        2025: 5.0, 2026: 10.0}, 0.08, "2025-01"),
    _ml("embeddings", CATEGORY_LLM, {
        2016: 0.2, 2020: 0.8, 2022: 1.0, 2023: 6.0, 2024: 7.0, 2026: 7.0}, 0.04, "2016-01"),
    # languages ([HT]; "Go" is [HT]'s "golang" term)
    _all("Python", CATEGORY_LANG, {
        2011: 14.2, 2013: 19.3, 2015: 19.7, 2017: 21.0, 2019: 23.1, 2021: 17.9, 2023: 19.1,
        2024: 19.3, 2026: 19.5}, 0.25),
    _all("Java", CATEGORY_LANG, {
        2011: 11.0, 2013: 13.9, 2015: 10.0, 2017: 11.0, 2019: 9.8, 2021: 6.7, 2023: 4.8,
        2024: 3.8, 2026: 3.5}, 0.06),
    _all("Go", CATEGORY_LANG, {
        2011: 0.3, 2013: 1.7, 2015: 6.7, 2017: 9.0, 2019: 10.7, 2021: 10.5, 2023: 8.6,
        2024: 8.2, 2026: 8.0}, 0.05),
    _all("Rust", CATEGORY_LANG, {
        2014: 0.02, 2015: 0.1, 2017: 1.1, 2019: 2.9, 2021: 4.3, 2022: 5.8, 2023: 5.0,
        2024: 5.7, 2026: 6.0}, 0.06, "2014-01"),
    _all("Scala", CATEGORY_LANG, {
        2011: 3.3, 2013: 4.2, 2015: 4.6, 2017: 4.7, 2019: 3.9, 2021: 2.1, 2023: 0.5,
        2024: 0.5, 2026: 0.4}, 0.15),
    _all("R", CATEGORY_LANG, {
        2011: 0.3, 2013: 1.0, 2015: 1.7, 2017: 1.3, 2019: 1.1, 2021: 0.8, 2023: 0.55,
        2024: 0.46, 2026: 0.4}, 0.6),
    _all("C++", CATEGORY_LANG, {
        2011: 4.5, 2013: 5.1, 2015: 5.2, 2017: 5.8, 2019: 6.1, 2021: 5.1, 2023: 5.0,
        2024: 5.3, 2026: 5.3}, 0.15),
    _all("JavaScript", CATEGORY_LANG, {
        2011: 15.2, 2013: 23.3, 2014: 23.9, 2015: 18.1, 2017: 16.1, 2019: 12.5, 2021: 8.6,
        2023: 4.6, 2024: 5.8, 2026: 5.5}, 0.02),
    _all("TypeScript", CATEGORY_LANG, {
        2013: 0.3, 2015: 0.4, 2017: 2.7, 2019: 9.2, 2021: 14.9, 2022: 18.4, 2023: 15.6,
        2024: 15.2, 2026: 15.0}, 0.04, "2012-10"),
    _all("PHP", CATEGORY_LANG, {
        2011: 8.7, 2013: 8.4, 2015: 5.8, 2017: 4.7, 2019: 3.9, 2021: 3.3, 2023: 1.4,
        2024: 1.3, 2026: 1.2}, 0.01),
    _all("SQL", CATEGORY_LANG, {
        2011: 3.7, 2013: 5.0, 2015: 4.3, 2017: 4.1, 2019: 3.9, 2021: 3.6, 2023: 3.6,
        2024: 3.3, 2026: 3.3}, 0.3),
    # web frameworks
    _all("React", CATEGORY_WEB, {
        2013: 0.03, 2014: 1.7, 2015: 8.0, 2016: 16.7, 2017: 21.5, 2018: 26.2, 2019: 28.5,
        2020: 28.5, 2021: 28.8, 2022: 25.8, 2023: 20.1, 2024: 20.8, 2026: 20.0},
        0.02, "2013-06"),
    _all("Node.js", CATEGORY_WEB, {
        2011: 5.5, 2013: 8.6, 2015: 10.8, 2017: 12.3, 2019: 11.9, 2021: 11.8, 2023: 6.9,
        2024: 6.6, 2026: 6.3}, 0.03),
    _all("Ruby on Rails", CATEGORY_WEB, {
        2011: 16.9, 2013: 14.7, 2015: 11.9, 2017: 10.1, 2019: 7.9, 2021: 8.3, 2023: 4.6,
        2024: 3.8, 2026: 3.5}, 0.01),
    # databases
    _all("PostgreSQL", CATEGORY_DB, {
        2011: 2.8, 2013: 6.6, 2015: 8.1, 2017: 10.5, 2019: 12.9, 2021: 13.5, 2022: 14.4,
        2023: 11.2, 2024: 10.1, 2026: 10.0}, 0.08),
    _all("MySQL", CATEGORY_DB, {
        2011: 12.0, 2012: 7.9, 2014: 8.8, 2015: 6.0, 2017: 4.4, 2019: 3.3, 2021: 2.6,
        2023: 1.5, 2024: 1.2, 2026: 1.1}, 0.04),
    _all("MongoDB", CATEGORY_DB, {
        2011: 5.2, 2013: 7.7, 2015: 4.9, 2017: 3.2, 2019: 3.3, 2021: 2.2, 2023: 2.4,
        2024: 1.3, 2026: 1.2}, 0.05),
    _all("Redis", CATEGORY_DB, {
        2011: 7.9, 2013: 5.7, 2014: 7.1, 2015: 5.9, 2017: 5.3, 2019: 4.7, 2021: 4.1,
        2023: 3.0, 2024: 1.6, 2026: 1.5}, 0.04),
    _all("Elasticsearch", CATEGORY_DB, {
        2011: 0.2, 2013: 2.2, 2015: 4.2, 2017: 3.9, 2019: 3.6, 2021: 2.7, 2023: 0.7,
        2024: 0.7, 2026: 0.7}, 0.08),
    # cloud and infrastructure
    _all("AWS", CATEGORY_INFRA, {
        2011: 3.3, 2013: 6.7, 2015: 10.5, 2017: 14.1, 2019: 17.3, 2021: 16.2, 2023: 11.3,
        2024: 11.2, 2026: 11.0}, 0.12),
    _all("GCP", CATEGORY_INFRA, {
        2015: 0.03, 2017: 0.7, 2019: 2.0, 2021: 2.6, 2023: 2.9, 2024: 2.6, 2026: 2.6},
        0.18, "2015-01"),
    _all("Azure", CATEGORY_INFRA, {
        2011: 0.06, 2013: 0.2, 2015: 0.4, 2016: 1.4, 2019: 1.6, 2021: 2.2, 2023: 1.8,
        2024: 1.5, 2026: 1.5}, 0.15),
    _all("Docker", CATEGORY_INFRA, {
        2013: 0.3, 2014: 2.2, 2015: 4.9, 2017: 8.7, 2018: 9.4, 2019: 9.4, 2021: 6.0,
        2023: 4.6, 2024: 3.9, 2026: 3.6}, 0.1, "2013-04"),
    _all("Kubernetes", CATEGORY_INFRA, {
        2014: 0.05, 2015: 0.3, 2016: 1.9, 2017: 4.2, 2018: 6.5, 2019: 8.7, 2020: 7.8,
        2021: 8.2, 2022: 8.4, 2023: 5.7, 2024: 5.8, 2026: 5.6}, 0.1, "2014-07"),
    _all("Terraform", CATEGORY_INFRA, {
        2015: 0.2, 2016: 0.6, 2017: 1.4, 2019: 3.9, 2021: 4.9, 2022: 5.0, 2023: 4.0,
        2024: 4.5, 2026: 4.5}, 0.06, "2014-09"),
)

#: The exact spellings the generator may write (a taxonomy matches them).
CANONICAL_SKILLS: tuple[str, ...] = tuple(s.name for s in SKILLS)

#: Skills that belong to the LLM era (never mentioned before their onsets, all in or
#: after 2022-10, except GPT from 2020-06, fine-tuning, Hugging Face and embeddings,
#: which exist earlier as rare general techniques).
LLM_ERA_SKILLS: tuple[str, ...] = tuple(
    s.name for s in SKILLS
    if s.category == CATEGORY_LLM and s.onset is not None and s.onset >= "2022-10"
)


def month_position(month: str) -> float:
    """``YYYY-MM`` -> fractional year at the middle of that month (2019-01 -> 2019.04)."""
    year, mon = int(month[:4]), int(month[5:7])
    return year + (mon - 0.5) / 12.0


#: Where a yearly anchor sits on the time axis when its year was only partly observed:
#: 2011 starts with the first thread (2011-04), so "2011" is the middle of Apr-Dec; the
#: [HT] measurements of 2024 cover Jan-May only.
FIRST_YEAR_POSITION = 2011 + 7.5 / 12
HT_2024_POSITION = 2024 + 2.5 / 12


def interpolate(anchors: dict[int, float], month: str, measured_2024: bool = False) -> float:
    """Linear interpolation of yearly anchors placed mid-year; flat outside them.

    ``measured_2024``: the 2024 anchor is an [HT] Jan-May average (placed in March).
    """
    t = month_position(month)

    def position(year: int) -> float:
        if year == 2011:
            return FIRST_YEAR_POSITION
        if year == 2024 and measured_2024:
            return HT_2024_POSITION
        return year + 0.5

    points = sorted((position(year), value) for year, value in anchors.items())
    if t <= points[0][0]:
        return points[0][1]
    if t >= points[-1][0]:
        return points[-1][1]
    for (t0, v0), (t1, v1) in zip(points, points[1:]):
        if t0 <= t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return points[-1][1]  # pragma: no cover


def ml_role_share(month: str) -> float:
    """Probability (0..1) that a posting in ``month`` seeks an ML/AI role."""
    return interpolate(ML_ROLE_SHARE, month) / 100.0


def volume_mean(month: str) -> float:
    """Expected top-level postings of the month's thread at scale 1, before noise."""
    year, mon = int(month[:4]), int(month[5:7])
    years = sorted(VOLUME_MEAN_BY_YEAR)
    year = min(max(year, years[0]), years[-1])
    return VOLUME_MEAN_BY_YEAR[year] * SEASONALITY[mon - 1]


def skill_probabilities(spec: SkillSpec, month: str, p_ml: float) -> tuple[float, float]:
    """(probability in an ML posting, probability in another posting) for ``month``."""
    if spec.onset is not None and month < spec.onset:
        return 0.0, 0.0
    value = max(0.0, interpolate(spec.anchors, month, spec.mode == "all")) / 100.0
    if spec.mode == "ml":
        p_in = min(value, 0.95)
        return p_in, min(p_in * spec.param, 0.95)
    # mode "all": overall share T, fraction f of mentions inside ML postings.
    f = spec.param
    p_in = f * value / p_ml if p_ml > 0 else 0.0
    if p_in > 0.95:  # cannot put that many mentions into so few ML postings
        p_in = 0.95
    p_out = (value - p_ml * p_in) / (1.0 - p_ml) if p_ml < 1 else 0.0
    return p_in, min(max(p_out, 0.0), 0.95)
