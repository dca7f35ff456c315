"""The tone model read without numpy, for the few sentences of one draft in a fresh process.

Importing numpy is most of a one-off ``levelhead check``'s start-up, while one draft is a handful of
sentences: summing their few hundred weight rows in plain Python takes about a millisecond per
sentence. ``LightModel`` reads the same ``model.npz`` as ``ToneModel`` and computes the same scores
and word explanations, in double precision where ``ToneModel`` works in float32. Probabilities agree
to about 1e-6, so the labels agree unless a probability sits that close to its threshold; the tests
hold the two to this over many texts. Long-running processes (the web app, analytics, ``levelhead
tone``) use ``ToneModel``, which is faster per message once numpy is loaded.
"""

from __future__ import annotations

import struct
from collections import Counter
from math import exp, expm1, log, log1p, sqrt
from operator import mul
from pathlib import Path
from typing import Any

from levelhead.tone.npz import read_arrays
from levelhead.tone.tokens import Tok, char_features, tokens, word_features
from levelhead.tone.types import FORMAT_VERSION, TAXONOMIES, ToneScores, WordWeight, label_scores
from levelhead.tone.vocab import SortedLines

_PUNCT = frozenset(".,;:!?'\"()[]-")
_LOG_EPS = log(1e-6)

# One text's features: {row: TF-IDF value}, and each occurrence as (row, first token, last token).
Occurrence = tuple[int, int, int]


class LightModel:
    """Scores and explanations from the shipped model file, with the standard library only."""

    def __init__(self, path: Path) -> None:
        arrays = read_arrays(path)  # mapped, not read: a draft touches a few hundred rows
        if int(arrays["version"][0]) != FORMAT_VERSION:
            raise ValueError(f"tone model {path} has format {arrays['version'][0]}, expected {FORMAT_VERSION}")
        self.words = SortedLines.of(arrays["word_vocab"].tobytes(), path, "word_vocab")
        self.chars = SortedLines.of(arrays["char_vocab"].tobytes(), path, "char_vocab")
        self.idf: memoryview[float] = arrays["idf"]
        self.width = len(arrays["bias"])
        self.weights: memoryview[int] = arrays["weights"]  # (features, width) float16, little-endian, row-major
        self.bias: list[float] = arrays["bias"].tolist()
        self.thresholds: list[float] = arrays["thresholds"].tolist()
        emotions = len(TAXONOMIES["original"])
        members = arrays["members"].tolist()
        self.members = [members[k * emotions : (k + 1) * emotions] for k in range(len(members) // emotions)]
        stacked = len(self.members)
        stack = arrays["stack_weights"].tolist()
        self.stack_columns = [stack[k::stacked] for k in range(stacked)]
        self.stack_bias: list[float] = arrays["stack_bias"].tolist()
        names = {tax: tuple(_strings(arrays[f"labels_{tax}"])) for tax in TAXONOMIES}
        if names != TAXONOMIES:
            raise ValueError(f"tone model {path} label names differ from levelhead.tone.types")
        self.offsets: dict[str, int] = {}  # first column of each taxonomy's head
        at = 0
        for tax, labels in TAXONOMIES.items():
            self.offsets[tax], at = at, at + len(labels)
        self._char_cache: dict[str, list[int]] = {}

    # -- features --------------------------------------------------------------------------------

    def _word_row(self, feature: str) -> int:
        return self.words.index(feature)

    def _char_rows(self, norm: str) -> list[int]:
        rows = self._char_cache.get(norm)
        if rows is None:
            find, offset = self.chars.index, len(self.words)
            rows = [offset + i for gram in char_features(norm) if (i := find(gram)) >= 0]
            self._char_cache[norm] = rows
        return rows

    def _occurrences(self, text: str) -> tuple[list[Tok], list[Occurrence], list[Occurrence]]:
        """Tokens, then the word-block and char-block feature occurrences of ``text`` known to the model."""
        toks = tokens(text)
        word = [(r, a, b) for f, a, b in word_features(text, toks) if (r := self._word_row(f)) >= 0]
        char = [(r, i, i) for i, tok in enumerate(toks) for r in self._char_rows(tok.norm)]
        return toks, word, char

    def _values(self, block: list[Occurrence]) -> tuple[dict[int, float], Counter[int]]:
        """TF-IDF of each distinct row of one block, L2-normalised, and how often each row occurs."""
        counts = Counter(r for r, _, _ in block)
        values = {r: (1.0 + log(c)) * self.idf[r] for r, c in sorted(counts.items())}
        norm = sqrt(sum(v * v for v in values.values()))
        if norm > 0:
            values = {r: v / norm for r, v in values.items()}
        return values, counts

    # -- scoring -----------------------------------------------------------------------------------

    def _rows(self, rows: list[int]) -> tuple[float, ...]:
        """The weight rows ``rows`` one after another, as floats."""
        stride = 2 * self.width
        blob = b"".join(self.weights[r * stride : (r + 1) * stride] for r in rows)
        return struct.unpack(f"<{len(blob) // 2}e", blob)

    def _logits(self, values: dict[int, float]) -> list[float]:
        vals = list(values.values())
        flat = self._rows(list(values))
        width = self.width
        return [b + sum(map(mul, vals, flat[j::width])) for j, b in enumerate(self.bias)]

    def _probabilities(self, z: list[float]) -> list[float]:
        """The 28 emotions, then the group and Ekman labels from the stacker (as ``head_probabilities``)."""
        emotions = len(self.members[0])
        softplus = [max(x, 0.0) + log1p(exp(-abs(x))) for x in z[:emotions]]
        derived = []
        for member in self.members:
            absent = min(max(-sum(map(mul, softplus, member)), _LOG_EPS), -1e-6)
            derived.append(log(-expm1(absent)) - absent)
        inputs = z + derived
        out = z[:emotions] + [
            sum(map(mul, inputs, column)) + b for column, b in zip(self.stack_columns, self.stack_bias, strict=True)
        ]
        return [1.0 / (1.0 + exp(-min(max(x, -30.0), 30.0))) for x in out]

    def score(self, text: str) -> ToneScores:
        """Scores for the whole text."""
        _, word, char = self._occurrences(text)
        values = {**self._values(word)[0], **self._values(char)[0]}
        return label_scores(self._probabilities(self._logits(values)), self.thresholds)

    def score_many(self, texts: list[str]) -> list[ToneScores]:
        """Scores for each text."""
        return [self.score(t) for t in texts]

    def explain(self, text: str, emotion: str, top: int = 3, taxonomy: str = "original") -> list[WordWeight]:
        """The words of ``text`` that pushed it most toward ``emotion``, strongest first (as ``ToneModel``)."""
        names = TAXONOMIES[taxonomy]
        if emotion not in names:
            raise KeyError(f"unknown {taxonomy} label {emotion!r}")
        column = self.offsets[taxonomy] + names.index(emotion)
        toks, word, char = self._occurrences(text)
        rows = sorted({r for r, _, _ in word} | {r for r, _, _ in char})
        weight = dict(zip(rows, self._rows(rows)[column :: self.width], strict=True))
        per_token = [0.0] * len(toks)
        for block in (word, char):
            values, counts = self._values(block)
            for row, first, last in block:
                share = values[row] / counts[row] * weight[row] / (last - first + 1)
                for i in range(first, last + 1):
                    per_token[i] += share
        for i, tok in enumerate(toks):
            if tok.norm[0] in _PUNCT:  # "!!" carries weight but is no word to show
                per_token[i] = 0.0
        order = sorted(range(len(toks)), key=lambda i: -per_token[i])[:top]
        return [
            WordWeight(toks[i].start, toks[i].end, text[toks[i].start : toks[i].end], emotion, round(per_token[i], 4))
            for i in order
            if per_token[i] > 0
        ]


def _strings(array: memoryview[Any]) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []
