"""Turning a message into sparse TF-IDF features, identically at training and at run time.

The training script builds its matrices through this very module, so the shipped
model can never see features computed differently from the ones it learnt on.
Two blocks, each L2-normalised on its own (as a union of two TF-IDF vectorisers):

* word block: unigrams and bigrams of tokens, with negation scope marked
  ("not happy" -> "not", "neg_happy") and a few cue tokens (shouting, elongation,
  "!!", "?!") so intensity shows up as features;
* char block: 2-5 character n-grams inside each word, padded with spaces, which
  catch spelling variants ("sooo", "luv"), morphology and emoji.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from levelhead.tone.tokens import Tok, char_features, tokens, word_features

CACHE_LIMIT = 50_000  # words whose char n-grams are remembered

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


class Vectoriser:
    """Maps texts to rows of the model's feature space with TF-IDF values."""

    def __init__(self, word_vocab: list[str], char_vocab: list[str], idf: FloatArray) -> None:
        offset = len(word_vocab)
        self.word_index = dict(zip(word_vocab, range(offset), strict=True))
        self.char_index = dict(zip(char_vocab, range(offset, offset + len(char_vocab)), strict=True))
        self.n_features = offset + len(char_vocab)
        self.idf = idf.astype(np.float32)
        self._char_cache: dict[str, list[int]] = {}

    def _char_rows(self, norm: str) -> list[int]:
        rows = self._char_cache.get(norm)
        if rows is None:
            index = self.char_index
            rows = [r for r in (index.get(g, -1) for g in char_features(norm)) if r >= 0]
            if len(self._char_cache) >= CACHE_LIMIT:
                self._char_cache.clear()
            self._char_cache[norm] = rows
        return rows

    def _block(self, rows: list[int]) -> tuple[IntArray, FloatArray]:
        # Counter counts in C; numpy then does the arithmetic on the distinct features (sorted, as in
        # the batch path, so both return the same rows in the same order).
        counts = Counter(rows)
        keys = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        order = np.argsort(keys, kind="stable")
        keys, tf = keys[order], tf[order]
        vals: FloatArray = ((1.0 + np.log(tf)) * self.idf[keys]).astype(np.float32)
        norm = float(np.sqrt(vals @ vals))
        return keys, (vals / np.float32(norm) if norm > 0 else vals)

    def transform_one(self, text: str) -> tuple[IntArray, FloatArray]:
        """Active feature rows (ascending) and their values for one text."""
        toks = tokens(text)
        index = self.word_index
        word_rows = [r for r in (index.get(f, -1) for f, _, _ in word_features(text, toks)) if r >= 0]
        char_rows: list[int] = []
        for tok in toks:
            char_rows.extend(self._char_rows(tok.norm))
        w_rows, w_vals = self._block(word_rows)
        c_rows, c_vals = self._block(char_rows)
        return np.concatenate([w_rows, c_rows]), np.concatenate([w_vals, c_vals])

    def _items(self, texts: list[str], spans: bool) -> Items:
        """Every feature occurrence of ``texts``: its row, its block segment (2 per text) and its tokens."""
        index = self.word_index
        rows: list[int] = []
        lengths: list[int] = []
        first: list[int] = []
        last: list[int] = []
        all_toks: list[list[Tok]] = []
        for text in texts:
            toks = tokens(text)
            all_toks.append(toks)
            before = len(rows)
            for f, a, b in word_features(text, toks):
                r = index.get(f, -1)
                if r >= 0:
                    rows.append(r)
                    if spans:
                        first.append(a)
                        last.append(b)
            lengths.append(len(rows) - before)
            before = len(rows)
            for i, tok in enumerate(toks):
                char_rows = self._char_rows(tok.norm)
                rows.extend(char_rows)
                if spans:
                    first.extend([i] * len(char_rows))
                    last.extend([i] * len(char_rows))
            lengths.append(len(rows) - before)
        return Items(
            all_toks,
            np.asarray(rows, np.int64),
            np.repeat(np.arange(2 * len(texts), dtype=np.int64), lengths),
            np.asarray(first, np.int64),
            np.asarray(last, np.int64),
        )

    def _weigh(self, items: Items, n_segments: int) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
        """Distinct (segment, row) keys in order, their TF-IDF values, per-occurrence key and count."""
        keys = items.segment * self.n_features + items.rows
        uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        segment = uniq // self.n_features
        tfidf = ((1.0 + np.log(counts.astype(np.float32))) * self.idf[uniq % self.n_features]).astype(np.float32)
        norms = np.sqrt(np.bincount(segment, tfidf.astype(np.float64) ** 2, minlength=n_segments))
        norms[norms == 0] = 1.0
        vals: FloatArray = (tfidf / norms[segment]).astype(np.float32)
        return uniq, vals, inverse.reshape(-1), counts

    def transform(self, texts: list[str]) -> tuple[IntArray, IntArray, FloatArray]:
        """CSR parts (indptr, rows, values) for many texts, in one numpy pass; rows ascend within a text."""
        items = self._items(texts, spans=False)
        uniq, vals, _, _ = self._weigh(items, 2 * len(texts))
        per_text = np.bincount(uniq // self.n_features // 2, minlength=len(texts))
        indptr = np.concatenate([np.zeros(1, np.int64), np.cumsum(per_text)]).astype(np.int64)
        return indptr, uniq % self.n_features, vals

    def attributed_many(self, texts: list[str]) -> Attributed:
        """Every feature occurrence of ``texts`` with its share of the TF-IDF value and its token range.

        Summing the shares of one text's occurrences of a row gives exactly that text's value for the
        row in ``transform``, so scores computed from these match the plain scoring path.
        """
        items = self._items(texts, spans=True)
        _, vals, inverse, counts = self._weigh(items, 2 * len(texts))
        share: FloatArray = (vals / counts.astype(np.float32))[inverse].astype(np.float32)
        return Attributed(items.toks, items.segment // 2, items.rows, share, items.first, items.last)

    def attributed(self, text: str) -> tuple[list[Tok], IntArray, FloatArray, list[tuple[int, int]]]:
        """Like ``transform_one`` but each value keeps the token range it came from (for explanations)."""
        att = self.attributed_many([text])
        return att.toks[0], att.rows, att.vals, list(zip(att.first.tolist(), att.last.tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class Items:
    """Feature occurrences of a batch of texts (``first``/``last`` empty unless spans were asked for)."""

    toks: list[list[Tok]]
    rows: IntArray
    segment: IntArray  # 2 * text index, + 1 for the char block
    first: IntArray
    last: IntArray


@dataclass(frozen=True, slots=True)
class Attributed:
    """Feature occurrences of a batch of texts, each with its value share and token range."""

    toks: list[list[Tok]]
    text: IntArray  # which text each occurrence belongs to (non-decreasing)
    rows: IntArray
    vals: FloatArray
    first: IntArray  # token indices within that text
    last: IntArray


def document_frequencies(texts: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Document frequency of every word-block and char-block feature (training only)."""
    word_df: dict[str, int] = {}
    char_df: dict[str, int] = {}
    for text in texts:
        toks = tokens(text)
        for f in {f for f, _, _ in word_features(text, toks)}:
            word_df[f] = word_df.get(f, 0) + 1
        for g in {g for tok in toks for g in char_features(tok.norm)}:
            char_df[g] = char_df.get(g, 0) + 1
    return word_df, char_df


def smooth_idf(df: int, n_docs: int) -> float:
    """sklearn's smoothed idf, so figures stay comparable to a TfidfVectorizer baseline."""
    return math.log((1 + n_docs) / (1 + df)) + 1.0
