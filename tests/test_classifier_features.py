"""What the classifiers read: the feature strings built for sentences and for ambiguous
mentions (the models themselves are measured in docs/evaluation.md)."""

import io
import re

import joblib
import numpy as np
import polars as pl
import pytest
from sklearn.feature_extraction import FeatureHasher

from etl.classify import artifacts, mentions
from etl.classify.mentions import TokenColumns, mention_features
from etl.classify.sentences import (
    CONTEXT_MARK, fit_responsibility_model, new_responsibility_model, sentence_content, sentence_features,
)
from etl.labelled import RESPONSIBILITIES
from etl.sentences import split_sentences

POSTING = "Acme | ML Engineer | Remote\nWe'd love to see:\n- 3+ years of Python\nYou will ship models."


def test_a_sentence_reads_how_the_previous_one_begins():
    spans = split_sentences(POSTING)
    features = sentence_features(POSTING, spans)
    assert "P_" not in features[0]  # the first sentence has no predecessor
    assert features[2].split(CONTEXT_MARK)[1].split()[-4:] == ["P_we'd", "P_love", "P_to", "P_see"]
    assert "P_years" in features[3] and "P_we'd" not in features[3]


def test_a_sentence_after_text_on_its_line_is_marked_as_the_line_says():
    # The line start is followed from sentence to sentence; compare with reading each
    # sentence's line from scratch, over lines of several sentences, bullets and blank runs.
    text = ("Senior ML Engineer\n\nAbout us. We ship models. Daily.\n   \n- Train models. Deploy them.\n"
            "Python, SQL. " * 3 + "\n\tLast line here. And more.")
    spans = split_sentences(text)
    assert len(spans) > 10
    features = sentence_features(text, spans)
    for (start, _), feature in zip(spans, features):
        before = text[text.rfind("\n", 0, start) + 1:start]
        expected = bool(before) and not before.isspace()
        assert ("bullet" in feature.split(CONTEXT_MARK)[1].split()) == expected, text[start:start + 30]


def test_the_opening_word_is_read_from_the_first_thirty_characters_only():
    def opening(sentence):
        context = sentence_features(sentence, [(0, len(sentence))])[0].split(CONTEXT_MARK)[1].split()
        return [token for token in context if token.startswith("F_")]

    assert opening("- 3+ years of Python") == ["F_years"]
    assert opening("1234567890 " * 2 + "12345 abcdefghij more") == ["F_ab"]  # cut at the 30th character
    assert opening("1234567890 " * 3 + "late words") == []  # no word starts within the first 30
    assert opening("1234567890 " * 6) == []


def test_a_sentence_reads_the_skills_that_start_inside_it():
    text = "use go ship rust"
    spans = [(0, 7), (7, 16)]  # "use go ", "ship rust"
    skills = [(4, "SK_Go"), (7, "SK_edge"), (12, "SK_Rust")]
    first, second = sentence_content(sentence_features(text, spans, skills))
    assert first.split() == ["use", "go", "SK_Go"]  # a skill starting where it ends is the next one's
    assert second.split() == ["ship", "rust", "SK_edge", "SK_Rust"]


BOARD = ("Senior ML Engineer\nWhat you'll do\n- Train ranking models\n- Ship them\n"
         "Preferred Qualifications\n- A PhD\nAcme | Remote | Full-time\nJob Type: Full-time\n"
         "We are hiring now.\nWe build robots for farms in Ohio\nBENEFITS\r\n- Dental\nApply today\n \n")


def test_a_short_line_without_a_colon_is_a_heading_for_the_lines_below_it():
    spans = split_sentences(BOARD)
    features = {BOARD[start:end]: feature.split(CONTEXT_MARK)[1].split()
                for (start, end), feature in zip(spans, sentence_features(BOARD, spans))}
    headings = [sentence for sentence, context in features.items() if "heading" in context]
    assert headings == ["What you'll do", "Preferred Qualifications", "BENEFITS"]
    assert {"H_what", "H_do"} <= set(features["Ship them"])  # the second bullet still reads its heading
    assert "H_preferred" in features["A PhD"] and "H_benefits" in features["Dental"]
    # the title line, a pipe-separated header, a key-value line, a sentence, a line of seven
    # words and a last line (blank lines after it) are no headings
    assert {"Senior ML Engineer", "Acme | Remote | Full-time", "Job Type: Full-time", "We are hiring now.",
            "We build robots for farms in Ohio", "Apply today"} <= set(features)


def test_the_responsibility_model_reads_words_and_skills_without_context():
    features = sentence_features(POSTING, split_sentences(POSTING), [(POSTING.index("Python"), "SK_Python FAM_other")])
    content = sentence_content(features)
    assert content[2] == "3+ years of python SK_Python FAM_other "
    assert all(CONTEXT_MARK not in c and not re.search(r"\bpos\d\b|\bP_", c) for c in content)
    assert "bullet" in features[2] and "H_see" in features[2]


def test_a_control_character_in_a_posting_does_not_cut_its_content():
    text = "Train models in PyTorch\x1f and monitor drift weekly."
    features = sentence_features(text, [(0, len(text))], [(text.index("PyTorch"), "SK_PyTorch FAM_classic_ml")])
    assert sentence_content(features) == ["train models in pytorch  and monitor drift weekly. SK_PyTorch FAM_classic_ml "]


def test_the_responsibility_model_reads_content_and_survives_a_round_trip():
    sentences = ["build and train ranking models", "deploy models behind an api", "write docs"] * 4
    contexts = [f"{s} {CONTEXT_MARK} pos0 bullet P_we" for s in sentences]
    labels = [[RESPONSIBILITIES[0]], [RESPONSIBILITIES[2]], []] * 4
    matrix = [[int(label in chosen) for label in RESPONSIBILITIES] for chosen in labels]
    matrix[-1] = [1] * len(RESPONSIBILITIES)  # every column needs a positive to fit
    model = new_responsibility_model().fit(contexts, matrix)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    restored = joblib.load(io.BytesIO(buffer.getvalue()))
    assert (restored.predict_proba(contexts) == model.predict_proba(contexts)).all()
    # the context after the mark does not change what the model sees
    assert (model.predict_proba([f"{sentences[0]} {CONTEXT_MARK} heading H_benefits"])
            == model.predict_proba([f"{sentences[0]} {CONTEXT_MARK} pos4"])).all()
    assert artifacts.load("responsibilities").steps[0][1].func is sentence_content


def test_responsibility_weights_reach_every_regression():
    sentences = ["train ranking models", "deploy models behind an api", "train and deploy models"] * 3
    labels = [[RESPONSIBILITIES[0]], [RESPONSIBILITIES[2]], [RESPONSIBILITIES[0], RESPONSIBILITIES[2]]] * 3
    matrix = np.array([[int(label in chosen) for label in RESPONSIBILITIES] for chosen in labels])
    matrix[-1] = 1  # every column needs a positive to fit
    even = fit_responsibility_model(sentences, matrix, [1.0] * len(sentences))
    plain = new_responsibility_model().fit(sentences, matrix)
    assert np.allclose(even.predict_proba(sentences), plain.predict_proba(sentences))
    # the first sentence weighs ten: its labels' probabilities rise on it
    heavy = fit_responsibility_model(sentences, matrix, [10.0] + [1.0] * (len(sentences) - 1))
    assert heavy.predict_proba(sentences[:1])[0, 0] > even.predict_proba(sentences[:1])[0, 0]
    assert heavy.predict_proba(sentences[:1])[0, 2] < even.predict_proba(sentences[:1])[0, 2]


def test_a_mention_reads_the_words_of_its_own_sentence_only():
    text = "We hike on Fridays. Go services and Postgres run the backend.\nBenefits: dental"
    start = text.index("Go")
    words = {f[2:] for f in mention_features(text, start, start + 2, nearby=1) if f.startswith("S=")}
    assert words == {"go", "services", "and", "postgres", "run", "the", "backend."}


@pytest.mark.parametrize("sentence", [
    "Go services, C++ and Node.js run the ML-backend; email_us@x.io", "ÉTÉ: Go and Rust at Zürich AG",
    "\u212aubernetes (Kelvin sign) and Go", "İstanbul team: Go, Kafka", "ǅango and Go", ""])
def test_sentence_words_read_the_same_by_the_ascii_shortcut_and_the_general_way(sentence):
    from etl.classify.mentions import SENTENCE_WORD, _sentence_words
    assert _sentence_words(sentence) == ["S=" + word.lower() for word in SENTENCE_WORD.findall(sentence)]


def test_a_mention_in_a_long_unbroken_line_reads_a_bounded_window():
    text = "word " * 1000 + "Go " + "more " * 1000
    start = text.index("Go")
    sentence_words = [f for f in mention_features(text, start, start + 2, nearby=0) if f.startswith("S=")]
    assert 100 < len(sentence_words) < 150  # about 300 characters each side, not the whole line


def test_an_all_caps_line_is_seen_without_reading_all_of_a_long_line():
    from etl.classify.mentions import LINE_REACH, _line_around

    text = "intro\n" + "WE USE GO AND RUST " * 20_000 + "\nend"
    start = text.index("GO", len(text) // 2)
    assert len(_line_around(text, start, start + 2)) <= 2 * LINE_REACH + 2
    assert "caps_line" in mention_features(text, start, start + 2, nearby=1)
    assert _line_around(text, 8, 10) == text[6:8 + 2 + LINE_REACH]  # starts at the line's start


def test_is_ml_sees_an_ml_field_listed_among_the_header_roles():
    from etl.classify.postings import role_cues
    headers = [
        "Motive | Product Design, Backend Engineers, Firmware, Dev Ops, AI | Remote",
        "Batelle | Software Engineer (Mobile, Full-Stack and ML) | Full-time",
        "Course Hero | Various Engineering, Product, Machine Learning, Analytics roles | Remote",
        "Acme | Backend Engineer | Remote\nWe use AI and ML in our product.",  # not in the role list
        "Aim Health | Nurse | Onsite",
    ]
    cues = role_cues([(header, ()) for header in headers])
    assert cues.shape == (5, 3)
    assert cues[:, 2].tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_the_shipped_is_ml_model_counts_the_role_cues_twice():
    from etl.classify.postings import CUE_WEIGHT, role_cues, weighted_role_cues

    union = artifacts.load("is_ml").named_steps["features"].features
    assert dict(union.transformer_list)["cues"].func is weighted_role_cues
    rows = [("Motive | Backend Engineers, Firmware, AI | Remote", ()), ("Acme | ML Engineer | NYC", ())]
    assert CUE_WEIGHT == 2.0
    assert (weighted_role_cues(rows) == 2.0 * role_cues(rows)).all() and role_cues(rows).any()


def test_the_ml_role_pattern_knows_older_names_of_ml_roles():
    from etl.classify.postings import role_cues
    headers = [
        "Acme | Data Mining Engineer | Palo Alto",
        "Acme | Information Retrieval Engineers | NYC",
        "Acme | Search Quality Engineer | Remote",
        "Acme | Predictive Modeling Lead | Boston",
        "Acme | Data Mining Specialist (lead research) | Remote",  # a sales-research job
        "Acme | Search Engine Marketing Specialist | Remote",
    ]
    cues = role_cues([(header, ()) for header in headers])
    assert cues[:, 0].tolist() == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_the_ml_role_patterns_have_ascii_word_boundaries():
    from etl.is_ml import ML_FIELD_ITEM_POLARS, names_ml_role
    texts = [
        "Acme | ML Engineer | Remote", "Zürich AG | Data Scientist (m/w/d) | Zürich",
        "Société Générale | Ingénieur ML | Paris", "東京のML Engineer募集",
        "Acme | Backend, AI | Remote", "We are hiring: Senior Machine-Learning Engineer — São Paulo",
        "Acme | HTML Engineer | Remote", "Pixel Café | Data mining engineers | Berlin",
        "Acme | Frontend and ML | Remote", "Acme | Xml developer | NYC",
    ]
    # "東京のML Engineer": の is a Unicode word character, so Python's re sees no word boundary
    # before "ML" and finds no role; the rule, with ASCII boundaries, finds it.
    assert re.search(r"\bML Engineer", texts[3]) is None
    assert names_ml_role(texts) == [True, True, False, True, False, True, False, True, False, False]
    # An ML field as an item between a header's separators: "| ML Engineer |", ", AI |", "and ML |".
    assert pl.Series(texts).str.contains(ML_FIELD_ITEM_POLARS).to_list() == [
        True, False, False, False, True, False, False, False, True, False]


def test_sentence_features_read_the_line_view_they_are_given_as_they_would_make_it():
    from etl.sentences import line_view, sentences_and_view
    text = ("Acme | ML Engineer | Remote\nWhat you'll do • Train ranking models • Ship them to production "
            "• Watch drift\nRequirements:\n- 3+ years of Python")
    spans, view = sentences_and_view(text)
    assert spans == split_sentences(text) and view == line_view(text) != text
    assert sentence_features(text, spans, view=view) == sentence_features(text, spans)


def test_responsibility_probabilities_are_the_models_own_to_the_bit():
    import numpy as np

    from etl.classify.sentences import responsibility_probabilities
    texts = [POSTING, "Build RAG pipelines and evaluate LLM agents. Deploy models to Kubernetes.",
             "Work with product managers to analyse A/B tests and report to stakeholders."]
    features = [feature for text in texts for feature in sentence_features(text, split_sentences(text))]
    responsibility_model, kind_model = artifacts.load("responsibilities"), artifacts.load("sentence_kind")
    assert np.array_equal(responsibility_probabilities(responsibility_model, features),
                          responsibility_model.predict_proba(features))
    # A model that is not one-vs-rest logistic regressions is asked as it is.
    assert np.array_equal(responsibility_probabilities(kind_model, features), kind_model.predict_proba(features))


def test_token_columns_give_the_feature_hashers_matrix():
    hasher = artifacts.load("disambiguation").steps[0][1]
    rows = [mention_features(text, text.index(alias), text.index(alias) + len(alias), nearby)
            for text, alias, nearby in [("We use Go, Python and Postgres.", "Go", 2),
                                        ("Go go go! Ünïcödé Spark-ing ideas", "Spark", 0),
                                        ("R and R and R", "R", 1)]]
    rows.append(["alias=R", "alias=R", "near=0"])  # a repeated token is counted twice
    rows.append([])
    expected = hasher.transform(rows)
    for _ in range(2):  # the second time from remembered columns
        got = TokenColumns.like(hasher).transform(rows)
        assert (got != expected).nnz == 0 and got.shape == expected.shape
    assert got[3].sum() == 3
    assert TokenColumns.like(hasher).transform([]).shape == (0, hasher.n_features)


def test_token_columns_forget_and_relearn_past_their_limit(monkeypatch):
    hasher = FeatureHasher(n_features=64, input_type="string", alternate_sign=False)
    columns = TokenColumns(64)
    monkeypatch.setattr(TokenColumns, "MAX_REMEMBERED", 5)
    batches = [[["a", "b", "c"], ["d"]], [["e", "f", "a"], ["g", "g"]], [["a"]]]
    for rows in batches:
        assert (columns.transform(rows) != hasher.transform(rows)).nnz == 0
        assert len(columns.columns) <= 5 or len(columns.columns) == len({t for row in rows for t in row})


def test_token_columns_refuse_a_hasher_they_cannot_reproduce():
    with pytest.raises(ValueError, match="alternate_sign=False"):
        TokenColumns.like(FeatureHasher(input_type="string"))


def test_token_columns_follow_the_hashers_settings_not_its_identity():
    small = FeatureHasher(n_features=16, input_type="string", alternate_sign=False)
    assert TokenColumns.like(small) is TokenColumns.like(
        FeatureHasher(n_features=16, input_type="string", alternate_sign=False))
    small.set_params(n_features=32)
    assert TokenColumns.like(small).transform([["alias=Go"]]).shape == (1, 32)


def test_every_alias_with_another_meaning_is_an_alias_the_classifier_can_judge():
    from etl.classify.mentions import is_ambiguous
    from etl.taxonomy import load_taxonomy
    aliases = {alias: skill for skill in load_taxonomy().skills for alias in skill.aliases}
    assert mentions.OTHER_MEANINGS
    for alias, meaning in mentions.OTHER_MEANINGS.items():
        assert alias in aliases, f"{alias!r} is no case-insensitive alias of the taxonomy"
        assert is_ambiguous(alias, False, aliases[alias].category), alias
        assert meaning.strip(), alias


def test_items_after_bullets_inside_a_line_read_as_bullets_under_their_heading():
    text = "Senior ML Engineer\nWhat you'll do • Train ranking models • Ship them\nPay: $150k • Offer Equity"
    spans = split_sentences(text)
    features = {text[start:end]: feature.split(CONTEXT_MARK)[1].split()
                for (start, end), feature in zip(spans, sentence_features(text, spans))}
    assert "heading" in features["What you'll do"] and "bullet" not in features["What you'll do"]
    assert {"bullet", "H_what", "H_do"} <= set(features["Ship them"])
    assert "heading" not in features["Offer Equity"]  # a bullet, not a colon-less heading


def test_a_sentence_reads_the_word_it_opens_with():
    spans = split_sentences(POSTING)
    contexts = [feature.split(CONTEXT_MARK)[1].split() for feature in sentence_features(POSTING, spans)]
    assert [[token for token in context if token.startswith("F_")] for context in contexts] == [
        ["F_acme"], ["F_we'd"], ["F_years"], ["F_you"]]  # "3+ years of Python" opens with a number


def test_a_sentence_reads_its_length_and_how_it_ends():
    text = "Acme | ML Engineer\nWhat you'll do:\n- Ship models\nWe are a small team that ships every week, rain or shine."
    spans = split_sentences(text)
    contexts = [feature.split(CONTEXT_MARK)[1].split() for feature in sentence_features(text, spans)]
    assert [[t for t in context if t.startswith(("len", "end_"))] for context in contexts] == [
        ["len0", "end_none"], ["len0", "end_colon"], ["len0", "end_none"], ["len1", "end_stop"]]


def test_sentence_features_read_odd_spans_as_the_text_gives_them():
    """Spans that split_sentences never makes (labelled or written spans may): ending in white
    space, past the end of the text, empty at a line start, holding the context mark."""
    text = "Title line\nWhat you'll do:\n  - Build models.  \nabc\n"
    build = text.index("Build")
    spans = [(0, 10), (build, build + len("Build models.  ")), (len(text) + 1, len(text) + 2),
             (text.index("abc"), text.index("abc"))]
    contexts = [feature.split(CONTEXT_MARK)[1].split() for feature in sentence_features(text, spans)]
    assert "bullet" in contexts[1] and "end_stop" in contexts[1]  # the trailing spaces are not its end
    assert "bullet" not in contexts[2] and "end_none" in contexts[2]  # nothing stands before it
    assert "bullet" not in contexts[3] and "heading" not in contexts[3]  # empty: no crash, no heading
    assert sentence_features("a\x1fb", [(0, 3)])[0].startswith("a b ")


def test_is_ml_gives_board_shaped_posts_a_copy_of_their_features():
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import FunctionTransformer

    from etl.classify.postings import BOARD_MIN_CHARS, WithBoardCopy, board_shaped
    long_body = "\n" + "We train models. " * (BOARD_MIN_CHARS // 17 + 1)
    rows = [("Acme | ML Engineer | Remote" + long_body, ()),  # an HN header, however long
            ("Machine Learning Engineer" + long_body, ()),  # a job title over a long description
            ("Data Scientist | Remote" + long_body, ()),  # a job title with a pipe
            ("Machine Learning Engineer\nWe train models.", ()),  # short, as HN comments without a header are
            ("We train models. " * (BOARD_MIN_CHARS // 17 + 1), ()),  # one long line
            ("", ())]
    assert board_shaped(rows).tolist() == [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    assert board_shaped(rows, min_chars=10_000).tolist() == [0.0] * len(rows)
    lengths = FeatureUnion([("length", FunctionTransformer(lambda rows: [[len(text)] for text, _ in rows]))])
    for matrix in (WithBoardCopy(lengths).fit(rows).transform(rows), WithBoardCopy(lengths).fit_transform(rows)):
        matrix = matrix.toarray()
        assert matrix[:, 0].tolist() == [len(text) for text, _ in rows]
        assert matrix[:, 1].tolist() == [0.0, len(rows[1][0]), len(rows[2][0]), 0.0, len(rows[4][0]), 0.0]


def test_the_general_acronyms_have_feature_tokens_of_their_own():
    """Their many real mentions, nearly all the skill, must not pull the weights that every
    other judged word shares (an acronym before a title word)."""
    text = "Site Engineer, HPC Project. Our AI team, ML group and AGI lab use Docker for computer vision."
    for alias in ("AI", "ML", "AGI", "HPC", "Docker", "computer vision"):
        start = text.index(alias)
        features = mention_features(text, start, start + len(alias), 0)
        prefixed = {feature.startswith("general|") for feature in features}
        assert prefixed == ({True} if alias in ("AI", "ML", "AGI") else {False}), alias
