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
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from levelhead.text import fold

CHAR_NGRAMS = (2, 5)
NEGATION_SCOPE = 3  # words after a negator that get marked
CACHE_LIMIT = 50_000  # words whose char n-grams are remembered

_TOKEN = re.compile(
    r"\[(?:name|religion)\]"  # GoEmotions masks, kept as one token
    r"|[^\W_]+(?:['\-][^\W_]+)*"  # words with inner apostrophes and hyphens
    r"|[!?]+"  # runs of ! and ? carry intensity
    r"|[^\w\s]",  # any other symbol or emoji, one at a time
    re.UNICODE,
)
_NEGATORS = frozenset(
    "not no never nothing nobody none neither nor without hardly cannot cant dont wont isnt arent wasnt "
    "werent doesnt didnt couldnt shouldnt wouldnt aint nope".split()
)
_SCOPE_END = frozenset('.,;:!?()[]"')
_ELONGATED = re.compile(r"([^\W\d_])\1\1")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Tok:
    """A token: its normalised form and where it sits in the original text."""

    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Tok]:
    """Tokens of ``text`` (lower-cased, quotes folded), offsets into ``text``."""
    folded = fold(text)
    return [Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]


def _punct_norm(norm: str) -> str:
    if len(norm) > 1 and norm[0] in "!?":
        has_q, has_x = "?" in norm, "!" in norm
        return "?!" if has_q and has_x else norm[:2]
    return norm


def word_features(text: str, toks: list[Tok]) -> Iterator[tuple[str, int, int]]:
    """Word-block features as (feature, first token index, last token index)."""
    marked: list[str] = []
    scope = 0
    for tok in toks:
        norm = _punct_norm(tok.norm)
        if norm[0] in _SCOPE_END:
            scope = 0
            marked.append(norm)
            continue
        marked.append("neg_" + norm if scope > 0 else norm)
        scope = max(scope - 1, 0)
        if norm in _NEGATORS or norm.endswith("n't"):
            scope = NEGATION_SCOPE
    for i, tok in enumerate(toks):
        yield marked[i], i, i
        if i:
            yield marked[i - 1] + " " + marked[i], i - 1, i
        raw = text[tok.start : tok.end]
        if len(raw) >= 3 and raw.isupper():
            yield "<caps>", i, i
        if _ELONGATED.search(tok.norm):
            yield "<elong>", i, i


def char_features(norm: str) -> list[str]:
    """Character n-grams of one token, padded with spaces so word edges count."""
    padded = " " + norm + " "
    lo, hi = CHAR_NGRAMS
    size = len(padded)
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(size - n + 1)]


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
        # Counter counts in C; numpy then does the arithmetic on the distinct features.
        counts = Counter(rows)
        keys = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        vals: FloatArray = ((1.0 + np.log(tf)) * self.idf[keys]).astype(np.float32)
        norm = float(np.sqrt(vals @ vals))
        return keys, (vals / np.float32(norm) if norm > 0 else vals)

    def transform_one(self, text: str) -> tuple[IntArray, FloatArray]:
        """Active feature rows and their values for one text."""
        toks = tokens(text)
        index = self.word_index
        word_rows = [r for r in (index.get(f, -1) for f, _, _ in word_features(text, toks)) if r >= 0]
        char_rows: list[int] = []
        for tok in toks:
            char_rows.extend(self._char_rows(tok.norm))
        w_rows, w_vals = self._block(word_rows)
        c_rows, c_vals = self._block(char_rows)
        return np.concatenate([w_rows, c_rows]), np.concatenate([w_vals, c_vals])

    def transform(self, texts: list[str]) -> tuple[IntArray, IntArray, FloatArray]:
        """CSR parts (indptr, rows, values) for many texts."""
        indptr = [0]
        all_rows: list[IntArray] = []
        all_vals: list[FloatArray] = []
        for text in texts:
            rows, vals = self.transform_one(text)
            all_rows.append(rows)
            all_vals.append(vals)
            indptr.append(indptr[-1] + len(rows))
        rows_cat = np.concatenate(all_rows) if all_rows else np.zeros(0, np.int64)
        vals_cat = np.concatenate(all_vals) if all_vals else np.zeros(0, np.float32)
        return np.asarray(indptr, np.int64), rows_cat, vals_cat

    def attributed(self, text: str) -> tuple[list[Tok], IntArray, FloatArray, list[tuple[int, int]]]:
        """Like ``transform_one`` but each value keeps the token range it came from (for explanations)."""
        toks = tokens(text)
        items: list[tuple[int, int, int, int]] = []  # block, row, first, last
        for f, a, b in word_features(text, toks):
            r = self.word_index.get(f, -1)
            if r >= 0:
                items.append((0, r, a, b))
        for i, tok in enumerate(toks):
            items.extend((1, r, i, i) for r in self._char_rows(tok.norm))
        rows = np.asarray([it[1] for it in items], np.int64)
        vals = np.zeros(len(items), np.float32)
        for block in (0, 1):
            sel = np.asarray([it[0] == block for it in items], bool)
            if not sel.any():
                continue
            uniq, inverse, counts = np.unique(rows[sel], return_inverse=True, return_counts=True)
            tfidf = (1.0 + np.log(counts.astype(np.float32))) * self.idf[uniq]
            norm = float(np.sqrt(np.dot(tfidf, tfidf))) or 1.0
            # Each occurrence gets an equal share of its feature's value.
            vals[sel] = (tfidf / norm / counts)[inverse]
        return toks, rows, vals, [(it[2], it[3]) for it in items]


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
