"""The shipped tone model: one linear layer over TF-IDF features, scored in numpy.

All three taxonomies are separate heads (columns of one weight matrix); a head
trained on its own labels reads better than one summed up from the 28 emotions.
The ensemble of linear models was folded into ``weights``/``bias`` at training
time, so scoring is a gather of the active feature rows and a sum. The group and
Ekman probabilities then come from a small stacker: per label, a logistic
regression over all 39 head logits and the noisy-OR of that label's member
emotions, fitted on out-of-fold predictions (a (50, 11) matrix, negligible cost).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from levelhead.text import sentences as split_sentences
from levelhead.tone.features import Attributed, Vectoriser
from levelhead.tone.types import (
    EMOTIONS,
    FORMAT_VERSION,
    MODEL_PATH,
    TAXONOMIES,
    SentenceTone,
    ToneScores,
    WordWeight,
    label_scores,
)

_PUNCT = frozenset(".,;:!?'\"()[]-")

F32 = npt.NDArray[np.float32]


def _strings(blob: npt.NDArray[np.uint8]) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def pack_strings(items: list[str]) -> npt.NDArray[np.uint8]:
    """Strings as one newline-joined UTF-8 array (features never contain a newline)."""
    return np.frombuffer("\n".join(items).encode("utf-8"), np.uint8)


def _sigmoid(z: F32) -> F32:
    # maximum/minimum rather than np.clip: same result, and the one-message path calls this on tiny arrays
    # where np.clip's overhead dominated.
    out: F32 = (1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -30.0), 30.0)))).astype(np.float32)
    return out


_LOG_EPS = float(np.log(1e-6))


def stack_inputs(logits: F32, members: F32) -> F32:
    """The stacker's inputs: the (n, 39) head logits, then the noisy-OR logit of each group/Ekman label.

    A group label is present when any of its member emotions is, so 1 - prod(1 - p_member) over the
    28-way head is a second opinion, from finer supervision, on each group/Ekman label. Computed in log
    space from the logits (log(1 - sigmoid(z)) = -softplus(z)), with that chance kept in [1e-6, 1 - 1e-6].
    """
    log_absent = -np.logaddexp(0.0, logits[:, : members.shape[1]]) @ members.T
    log_absent = np.minimum(np.maximum(log_absent, _LOG_EPS), -1e-6)
    derived = np.log(-np.expm1(log_absent)) - log_absent
    out: F32 = np.concatenate([logits, derived], axis=1).astype(np.float32)
    return out


def head_probabilities(logits: F32, members: F32, stack_weights: F32, stack_bias: F32) -> F32:
    """(n, 39) probabilities from the (n, 39) logits: the 28 emotions, then the stacked group/Ekman labels."""
    z = logits.astype(np.float32)  # a copy: the stacked logits replace the group/Ekman heads' own
    z[:, members.shape[1] :] = stack_inputs(logits, members) @ stack_weights + stack_bias
    return _sigmoid(z)


class ToneModel:
    """Emotion probabilities, label sets, per-sentence results and word explanations."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        with np.load(path, allow_pickle=False) as z:
            if int(z["version"]) != FORMAT_VERSION:
                raise ValueError(f"tone model {path} has format {int(z['version'])}, expected {FORMAT_VERSION}")
            self.vectoriser = Vectoriser(_strings(z["word_vocab"]), _strings(z["char_vocab"]), z["idf"])
            self.weights: npt.NDArray[np.float16] = z["weights"]
            self.bias: F32 = z["bias"].astype(np.float32)
            self.thresholds: F32 = z["thresholds"].astype(np.float32)
            self.members: F32 = z["members"].astype(np.float32)
            self.stack_weights: F32 = z["stack_weights"].astype(np.float32)
            self.stack_bias: F32 = z["stack_bias"].astype(np.float32)
            names = {tax: tuple(_strings(z[f"labels_{tax}"])) for tax in TAXONOMIES}
        self._thresholds: list[float] = self.thresholds.tolist()
        if names != TAXONOMIES:
            raise ValueError(f"tone model {path} label names differ from levelhead.tone.types")
        # Column ranges of each head in the weight matrix, in TAXONOMIES order.
        self.columns: dict[str, slice] = {}
        start = 0
        for tax, labels in TAXONOMIES.items():
            self.columns[tax] = slice(start, start + len(labels))
            start += len(labels)

    # -- scoring -------------------------------------------------------------------------------------

    def probabilities(self, texts: list[str]) -> F32:
        """(n_texts, 39) probabilities: the 28 emotions, then the group and ekman heads."""
        indptr, rows, vals = self.vectoriser.transform(texts)
        logits = np.repeat(self.bias[None, :], len(texts), axis=0)
        if len(rows):
            contrib = self.weights[rows].astype(np.float32) * vals[:, None]
            counts = np.diff(indptr)
            nonempty = counts > 0
            # reduceat sums each text's segment; texts with no known feature keep the bias only.
            sums = np.add.reduceat(contrib, indptr[:-1][nonempty], axis=0)
            logits[nonempty] += sums
        return self._probabilities(logits)

    def _probabilities(self, logits: F32) -> F32:
        return head_probabilities(logits, self.members, self.stack_weights, self.stack_bias)

    def _scores(self, probs: F32) -> ToneScores:
        return label_scores(probs.tolist(), self._thresholds)

    def score(self, text: str) -> ToneScores:
        """Scores for the whole text."""
        rows, vals = self.vectoriser.transform_one(text)
        logits = self.bias + vals @ self.weights[rows].astype(np.float32)
        return self._scores(self._probabilities(logits[None, :])[0])

    def score_many(self, texts: list[str]) -> list[ToneScores]:
        """Scores for many texts in one vectorised pass."""
        if not texts:
            return []
        return [self._scores(p) for p in self.probabilities(texts)]

    # -- sentences and explanations ---------------------------------------------------------------

    def sentences(self, text: str) -> list[SentenceTone]:
        """Each sentence's scores, offsets into ``text``, explained by its top non-neutral emotion.

        All sentences are featurised in one pass and share one gather of weight rows, which serves
        both their scores and their explanations.
        """
        parts = split_sentences(text)
        if not parts:
            return []
        att = self.vectoriser.attributed_many([s.text for s in parts])
        gathered = self.weights[att.rows].astype(np.float32)
        logits = np.repeat(self.bias[None, :], len(parts), axis=0)
        if len(att.rows):
            starts = np.searchsorted(att.text, np.arange(len(parts)))
            nonempty = np.bincount(att.text, minlength=len(parts)) > 0
            logits[nonempty] += np.add.reduceat(gathered * att.vals[:, None], starts[nonempty], axis=0)
        scores = [self._scores(p) for p in self._probabilities(logits)]
        emotions = [sc.top()[0] for sc in scores]
        column = np.asarray([EMOTIONS.index(e) for e in emotions], np.int64)
        contrib = att.vals * gathered[np.arange(len(att.rows)), column[att.text]]
        words = self._top_words(att, contrib, [s.text for s in parts], emotions, 3)
        return [
            SentenceTone(
                part.start,
                part.end,
                part.text,
                sc,
                [WordWeight(w.start + part.start, w.end + part.start, w.text, w.emotion, w.weight) for w in ws],
            )
            for part, sc, ws in zip(parts, scores, words, strict=True)
        ]

    def explain(self, text: str, emotion: str, top: int = 3, taxonomy: str = "original") -> list[WordWeight]:
        """The words of ``text`` that pushed it most toward ``emotion``, strongest first.

        A word's weight is its share of the logit: its own unigram, half of each bigram it is
        part of, and its character n-grams. Only words that push toward the emotion are returned.
        """
        names = TAXONOMIES[taxonomy]
        if emotion not in names:
            raise KeyError(f"unknown {taxonomy} label {emotion!r}")
        column = self.columns[taxonomy].start + names.index(emotion)
        att = self.vectoriser.attributed_many([text])
        contrib = att.vals * self.weights[att.rows, column].astype(np.float32)
        return self._top_words(att, contrib, [text], [emotion], top)[0]

    @staticmethod
    def _top_words(
        att: Attributed, contrib: F32, texts: list[str], emotions: list[str], top: int
    ) -> list[list[WordWeight]]:
        """Per text, its ``top`` tokens by summed contribution (spans split evenly over their tokens)."""
        offsets = np.cumsum([0] + [len(t) for t in att.toks])
        n_tokens = int(offsets[-1])
        if n_tokens == 0:
            return [[] for _ in texts]
        first = att.first + offsets[att.text]
        width = att.last - att.first + 1
        share = contrib.astype(np.float64) / width
        per_token = np.zeros(n_tokens, np.float64)
        for k in range(int(width.max(initial=1))):
            sel = width > k
            per_token += np.bincount(first[sel] + k, share[sel], minlength=n_tokens)
        flat = [tok for toks in att.toks for tok in toks]
        # Punctuation carries weight ("!!") but is no word to show the user.
        per_token[[i for i, t in enumerate(flat) if t.norm[0] in _PUNCT]] = 0.0
        result = []
        for j, (text, emotion) in enumerate(zip(texts, emotions, strict=True)):
            toks, base = att.toks[j], int(offsets[j])
            weights = per_token[base : base + len(toks)]
            order = np.argsort(-weights, kind="stable")[:top].tolist()
            spans = [(toks[i].start, toks[i].end, round(float(weights[i]), 4)) for i in order if weights[i] > 0]
            result.append([WordWeight(a, b, text[a:b], emotion, w) for a, b, w in spans])
        return result
