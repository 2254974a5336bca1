"""etl.sentences: lines, bullets and sentence ends, with offsets into the text."""

from etl.sentences import line_view, split_sentences


def pieces(text):
    return [text[start:end] for start, end in split_sentences(text)]


def test_lines_bullets_and_sentences():
    text = ("Acme | ML Engineer | SF\n\nWe build things. You will train models e.g. LLMs. "
            "Dr. Smith leads.\n- Deploy models to prod\n* Monitor drift!\n1. Python 3.11 required. Great pay.")
    assert pieces(text) == [
        "Acme | ML Engineer | SF", "We build things.", "You will train models e.g. LLMs.",
        "Dr. Smith leads.", "Deploy models to prod", "Monitor drift!", "Python 3.11 required.", "Great pay.",
    ]


def test_no_break_inside_versions_urls_or_lowercase_continuations():
    assert pieces("Use v2.5 at acme.io/jobs. then apply") == ["Use v2.5 at acme.io/jobs. then apply"]


def test_a_sentence_ends_within_its_line():
    # Spaces after a full stop that run to the end of a line, a line that starts with
    # spaces, and a numbered bullet after a break.
    text = "We ship fast.  \n  Next line. And more.\t\n2. Deploy models.\n3) Own it!  "
    assert pieces(text) == ["We ship fast.", "Next line.", "And more.", "Deploy models.", "Own it!"]
    assert split_sentences(text)[0] == (0, 13)


def test_empty_and_blank():
    assert split_sentences("") == [] and split_sentences("\n\n  \n") == [] and split_sentences(None) == []


def test_bullets_inside_a_line_start_sentences_of_their_own():
    # Job-board text whose line breaks were lost still lists one duty per bullet.
    text = ("What you'll do • Train ranking models • Ship them ► Monitor drift\nPay: $150k – $200k • Equity\n"
            "Perks ✅ Remote ✅ Stipend\nApply here → https://acme.example/jobs")
    assert pieces(text) == ["What you'll do", "Train ranking models", "Ship them", "Monitor drift",
                            "Pay: $150k – $200k", "Equity", "Perks", "Remote", "Stipend",
                            "Apply here → https://acme.example/jobs"]  # an arrow is no bullet


def test_bullets_and_sentences_glued_to_the_text_before_them_still_start_their_own():
    # Line breaks dropped by a scraper in one list of an otherwise well-kept posting.
    text = ("Responsibilities• Partner with data teams.• Design proofs of concept\n"
            "Serve features from Redis.Build batch pipelines in Spark.Own the feature store!Mentor others.\n"
            "Use Node.js, e.g.Python or ASP.NET; see Inc.The rest stays.")
    assert pieces(text) == ["Responsibilities", "Partner with data teams.", "Design proofs of concept",
                            "Serve features from Redis.", "Build batch pipelines in Spark.", "Own the feature store!",
                            "Mentor others.", "Use Node.js, e.g.Python or ASP.NET; see Inc.The rest stays."]
    view = line_view(text)
    assert len(view) == len(text)
    assert [(ch, original) for ch, original in zip(view, text) if ch != original] == [("\n", "•")] * 2
    # Code, addresses, short or CamelCase words after the dot, and ratings stay whole.
    for whole in ("Wrap models as nn.Module and pass pd.DataFrame objects to torch.Tensor ops in tf.Keras.",
                  "Email jane.Doe@acme.com or see acme.io/Careers today.", "We use Vue.Js and Next.Js daily.",
                  "Glassdoor 4.8★ rating and a great team.",
                  # Addresses and names as real HN posts write them.
                  "Check out www.Coop.Farm to see what we built, or reach me at AJ[at]Coop.Farm today.",
                  "More at www.Fieldwire.com https://engineering.fieldwire.com/",
                  "Perks: Udemy, Juno, Spectrum.Life"):
        assert pieces(whole) == [whole]


def test_a_middle_dot_separates_header_fields_and_stays_inside_its_line():
    assert pieces("Halcyon Labs · London, UK · Full-time") == ["Halcyon Labs · London, UK · Full-time"]


def test_a_run_of_dashes_on_a_long_line_is_a_flattened_list():
    duties = ("Core Responsibilities: - Research and implement solutions to improve the relevancy of our search "
              "results. - Own pieces of the data pipelines - Help maintain our infrastructure * Integrate "
              "productionized ML models into the web app")
    assert pieces(duties) == ["Core Responsibilities:",
                              "Research and implement solutions to improve the relevancy of our search results.",
                              "Own pieces of the data pipelines", "Help maintain our infrastructure",
                              "Integrate productionized ML models into the web app"]


def test_dashes_between_header_fields_and_prose_dashes_stay_inside_their_line():
    header = "Goody - Data Analyst - Remote - Part Time"
    piped = "Acme | ML Engineer - NLP - Search - Ranking | Remote | " + "we build search for lawyers " * 7 + "too"
    prose = "We are small - two engineers - and " + "we ship every day to our customers " * 5 + "too"
    for line in (header, piped, prose):
        assert pieces(line) == [line]


def test_the_line_view_keeps_every_offset():
    text = "Duties • Train models\n" + "Intro - Alpha one - Beta two - Gamma three " * 6
    view = line_view(text)
    items = 1 + 3 * 6  # "Train models" and each "- Alpha", "- Beta", "- Gamma" of the long line
    assert len(view) == len(text) and view.count("\n") == text.count("\n") + items
    changed = [(ch, original) for ch, original in zip(view, text) if ch != original]
    assert changed == [("\n", " ")] * items  # only the spaces before the items became line breaks
