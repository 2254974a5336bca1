"""Write a labeller's work file: each posting's clean text and its numbered sentences.

    python -m etl.labels.prepare_work eval_ids.txt 0 3 > /tmp/L1.txt   (every 3rd id from 0)

The work file holds posting text and is never committed; only labels are.
"""

from __future__ import annotations

import sys

from etl.labelled import load_reference_texts, read_ids, sentence_sha
from etl.sentences import split_sentences


def main(ids_file: str, offset: int, step: int, sentences_for: set[str] | None = None) -> None:
    texts = load_reference_texts()
    for source_id in read_ids(ids_file)[offset::step]:
        text = texts[source_id]
        print(f"===== POSTING hn {source_id} =====")
        print(text)
        print(f"----- SENTENCES of {source_id} (start end sha: text) -----")
        for start, end in split_sentences(text):
            print(f"{start} {end} {sentence_sha(text[start:end])}: {text[start:end]}")
        print()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
