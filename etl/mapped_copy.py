"""A copy of a text with some stretches replaced, whose offsets map back to the text.

The extractor reads such a copy where the text as given hides its words (blocks glued
together, runs of tabs or no-break spaces) and still reports offsets into the text as given.
"""

from __future__ import annotations

from bisect import bisect_right


class MappedCopy:
    """``text`` with each ``(start, end, replacement)`` of ``edits`` (sorted, not
    overlapping) applied: ``.text`` is the copy, ``.original`` maps an offset into it back."""

    def __init__(self, text: str, edits: list[tuple[int, int, str]]):
        pieces, last, size = [], 0, 0
        # Where copy and text are in step again after each edit: (copy offset, text offset).
        self._copy_offsets, self._text_offsets = [0], [0]
        for start, end, replacement in edits:
            pieces += [text[last:start], replacement]
            size += start - last + len(replacement)
            self._copy_offsets.append(size)
            self._text_offsets.append(end)
            last = end
        pieces.append(text[last:])
        self.text = "".join(pieces)

    def original(self, offset: int) -> int:
        """The offset into the text of ``offset`` into the copy (a start or an end of
        something that neither starts nor ends inside a replacement)."""
        step = bisect_right(self._copy_offsets, offset) - 1
        return self._text_offsets[step] + offset - self._copy_offsets[step]
