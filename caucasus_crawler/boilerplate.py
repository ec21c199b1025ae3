"""A site's boilerplate, learnt while it is crawled (the generic ``news`` spider)."""

from __future__ import annotations

from collections import Counter


class RepeatedText:
    """A site's boilerplate, learnt as it is crawled: the short blocks of text found on
    ``min_pages`` of its article pages, counted over the first ``learning_pages`` (the
    count stays bounded; boilerplate shows on every page). While the first
    ``warm_up_pages`` are read, their articles wait, to be read without it."""

    def __init__(self, min_pages: int = 0, warm_up_pages: int = 0, learning_pages: int = 0):
        self.min_pages = min_pages
        self.warm_up_pages = warm_up_pages
        self.learning_pages = learning_pages
        self.counts: Counter[str] = Counter()
        self.pages = 0
        self.known: frozenset[str] = frozenset()

    @property
    def warming_up(self) -> bool:
        return self.pages < self.warm_up_pages

    def learn(self, texts: tuple[str, ...]) -> None:
        if not texts or self.pages >= self.learning_pages:
            return
        self.pages += 1
        for text in set(texts):
            self.counts[text] += 1
            if self.counts[text] == self.min_pages:
                self.known |= {text}
