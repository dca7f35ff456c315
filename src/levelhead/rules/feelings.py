"""TN02: sentences that read as strongly emotional, named and underlined, with goal-aware thresholds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from levelhead import regexcache
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion
from levelhead.emotion import SentenceEmotion, quote_words, sentence_emotions
from levelhead.rule import Option, Rule
from levelhead.situation import Goal, Situation
from levelhead.text import Draft

# "I felt hurt when ...", "I'm sad that ...": the writer owns the feeling.
_I_STATEMENT = regexcache.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll)\b")
# "You broke my heart", "you made me cry": the feeling is laid at their door.
_BLAME = regexcache.compile(
    r"\byou(?:'ve|'re| have| are)? (?:\w+ )?(?:made|make|makes|ruined|ruin|broke|break|destroyed|destroy|hurt|left|"
    r"betrayed|abandoned|humiliated|never|always)\b"
)

EMOTION_WORDS = {
    "anger": "anger",
    "sadness": "sadness",
    "longing": "longing",
    "love": "romantic warmth",
    "fear": "fear",
}


def is_i_statement(draft: Draft, sentence: SentenceEmotion) -> bool:
    """The sentence owns its feeling ("I felt hurt when ...") rather than laying it on them."""
    text = draft.folded[sentence.start : sentence.end]
    return bool(_I_STATEMENT.search(text)) and not _BLAME.search(text)


class ChargedEmotion(Rule):
    """A sentence reads as strongly emotional: anger, sadness, longing, love or fear.

    ## What it flags
    A sentence whose words carry a strong feeling: "I can't stop crying",
    "I'm so angry at you", "my heart is broken", "I'm terrified of losing
    you". The finding names the emotion and underlines the words that carry
    it. Intensifiers ("so", "really", "so much"), capitals and "!!" make a
    sentence read stronger; "a bit" makes it read softer; negated ("I'm not
    angry"), quoted or reported feelings are not counted, and a third
    person's feelings ("Emma is scared of the dark") weigh less than yours.
    The emotion comes from `levelhead.emotion`: a hand-built lexicon, or the
    trained tone model when it is installed (`LEVELHEAD_TONE=auto|lexicon|model`).

    How strong is too strong depends on the goal:

    - `logistics`: any clearly emotional sentence (`logistics_threshold`).
    - `closure`: feelings told as I-statements are welcome ("I felt hurt
      when we stopped talking, and I'd like to understand what happened");
      only very strong distress (`closure_threshold`) or anger
      (`closure_anger_threshold`) is flagged. Feelings laid on them ("you
      broke my heart") use the general threshold.
    - `friendship`: light warmth is fine; love and longing are flagged from
      `friendship_warmth_threshold`, other feelings from `threshold`.
    - any other goal, or none stated: `threshold`.

    Strengths run from 0 to 1: about 0.3-0.45 faint ("worried"), 0.5-0.6
    clear ("I'm upset"), 0.7-0.8 strong ("furious", "heartbroken"), 0.85
    and up extreme ("I can't stop crying").

    ## Why it matters
    "Emotional messages are almost always a mistake" (seed 003): a charged
    sentence is heard before anything else in the message, and it tends to
    bring a defensive answer or none. Waiting for emotional neutrality, and
    keeping to practical matters unless the goal is a conversation about the
    relationship, keeps the exchange low-conflict.

    ## Example
    "I can't stop crying. Can you bring the kids back by 6?"

    ## Instead
    Keep to the practical part ("Can you bring the kids back by 6 on
    Sunday?") and share the feeling with a friend or counsellor. When the goal
    is closure, an I-statement with a calm ask: "I felt hurt when we stopped
    talking, and I'd like to understand what happened."
    """

    code: ClassVar[str] = "TN02"
    name: ClassVar[str] = "charged-emotion"
    options = {
        "threshold": Option(0.65, "strength (0-1) that counts as charged when no special goal applies", 0.3, 0.95),
        "logistics_threshold": Option(0.5, "strength that counts as charged when the goal is logistics", 0.2, 0.9),
        "closure_threshold": Option(0.85, "strength of an I-statement feeling flagged under closure", 0.5, 1.0),
        "closure_anger_threshold": Option(0.7, "strength of anger flagged under closure", 0.4, 1.0),
        "friendship_warmth_threshold": Option(
            0.75, "strength of love or longing flagged under friendship (light warmth passes)", 0.4, 1.0
        ),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        for sentence in sentence_emotions(draft):
            if sentence.is_neutral or sentence.strength < self.threshold_for(draft, sentence, situation.goal):
                continue
            yield self._finding(draft, sentence, situation.goal)

    def threshold_for(self, draft: Draft, sentence: SentenceEmotion, goal: Goal | None) -> float:
        """The strength at which this sentence counts as charged, given the goal."""
        s = self.settings
        if goal is Goal.LOGISTICS:
            return float(s["logistics_threshold"])
        if goal is Goal.CLOSURE:
            if sentence.emotion == "anger":
                return float(s["closure_anger_threshold"])
            if is_i_statement(draft, sentence):
                return float(s["closure_threshold"])
            return float(s["threshold"])
        if goal is Goal.FRIENDSHIP and sentence.emotion in ("love", "longing"):
            return float(s["friendship_warmth_threshold"])
        return float(s["threshold"])

    def _finding(self, draft: Draft, sentence: SentenceEmotion, goal: Goal | None) -> Diagnostic:
        emotion = EMOTION_WORDS.get(sentence.emotion, sentence.emotion)
        words = quote_words(draft, sentence)
        span = Span(sentence.words[0].start, max(w.end for w in sentence.words)) if sentence.words else sentence.span
        level = "very strongly" if sentence.strength >= 0.85 else "strongly"
        carried = f" ({words})" if words else ""
        message = f"This sentence may read as {level} charged with {emotion}{carried}."
        if goal is Goal.LOGISTICS:
            note = (
                "Focus on logistics, not emotions: a practical message is easier to answer calmly. "
                "The feeling may be better shared with a friend or counsellor."
            )
            template = 'Keep to what, when and where: "Can we confirm [what] at [time] on [day]?"'
        elif goal is Goal.CLOSURE:
            note = (
                "Feelings can belong in a closure message, but one this strong may be heard as blame or distress; "
                "an I-statement with a calm ask leaves room for an answer."
            )
            template = '"I felt [feeling] when [what happened], and I\'d like [a calm ask]."'
        else:
            note = (
                "Emotional messages sent in the moment are almost always a mistake; "
                "waiting until you feel calm, or saying it more plainly, is easier for them to hear."
            )
            template = "Say the practical point plainly, or wait and write it again when you feel calm."
        suggestions = [Suggestion("Write it without the charged words", template, Applicability.DISPLAY_ONLY)]
        if draft.text[: sentence.start].strip() or draft.text[sentence.end :].strip():
            suggestions.insert(
                0, Suggestion("Leave this sentence out", "", Applicability.UNSAFE, Span(sentence.start, sentence.end))
            )
        return self.finding(message, span, note=note, severity=Severity.WARNING, suggestions=suggestions)
