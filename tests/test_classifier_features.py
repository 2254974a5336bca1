"""What the classifiers read: the feature strings built for sentences and for ambiguous
mentions (the models themselves are measured in docs/evaluation.md)."""

from etl.classify.mentions import mention_features
from etl.classify.sentences import CONTEXT_MARK, sentence_content, sentence_features
from etl.sentences import split_sentences

POSTING = "Acme | ML Engineer | Remote\nWe'd love to see:\n- 3+ years of Python\nYou will ship models."


def test_a_sentence_reads_how_the_previous_one_begins():
    spans = split_sentences(POSTING)
    features = sentence_features(POSTING, spans)
    assert "P_" not in features[0]  # the first sentence has no predecessor
    assert features[2].split(CONTEXT_MARK)[1].split()[-4:] == ["P_we'd", "P_love", "P_to", "P_see"]
    assert "P_years" in features[3] and "P_we'd" not in features[3]


def test_the_responsibility_model_reads_words_and_skills_without_context():
    features = sentence_features(POSTING, split_sentences(POSTING), [(POSTING.index("Python"), "SK_Python FAM_other")])
    content = sentence_content(features)
    assert content[2] == "3+ years of python SK_Python FAM_other "
    assert all(CONTEXT_MARK not in c and "pos" not in c and "P_" not in c for c in content)
    assert "bullet" in features[2] and "H_see" in features[2]


def test_a_mention_reads_the_words_of_its_own_sentence_only():
    text = "We hike on Fridays. Go services and Postgres run the backend.\nBenefits: dental"
    start = text.index("Go")
    words = {f[2:] for f in mention_features(text, start, start + 2, nearby=1) if f.startswith("S=")}
    assert words == {"go", "services", "and", "postgres", "run", "the", "backend."}


def test_a_mention_in_a_long_unbroken_line_reads_a_bounded_window():
    text = "word " * 1000 + "Go " + "more " * 1000
    start = text.index("Go")
    sentence_words = [f for f in mention_features(text, start, start + 2, nearby=0) if f.startswith("S=")]
    assert 100 < len(sentence_words) < 150  # about 300 characters each side, not the whole line
