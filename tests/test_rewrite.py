"""The rewrites offered as suggestions (I-statements, requests), and how the blame rules attach them.

The case files (tests/rules/cases) check only whether a rule fires; the severity of
the goal-aware and logistics-aware findings (info, which never changes the verdict)
is checked here, next to the suggestions those findings carry.
"""

from __future__ import annotations

import re

import pytest

from levelhead import engine
from levelhead.diagnostics import Applicability, Report, Severity, Verdict
from levelhead.rewrite import as_request, i_statement
from levelhead.rule import select_rules
from levelhead.situation import Situation


def check(text: str, codes: list[str], goal: str | None = None, **settings: dict[str, object]) -> Report:
    """Only the named rules: the safety rules, always on elsewhere, are left out to keep these tests focused."""
    rules = [r for r in select_rules(codes, settings=settings) if r.code in codes]
    return engine.check(text, Situation(goal=goal), rules=rules)


BLAMING = [
    "You never keep to the rota!",
    "You always cancel at the last minute and let Leo down.",
    "Why didn't you tell me about the parents' evening sooner?",
    "You don't care what's best for our daughter.",
    "Congrats on wrecking our son's birthday party again.",
    "That's not what we agreed in mediation.",
    "You're late for every single hand-over.",
    "I feel ignored by you.",
    "I feel like you never listen to me.",
    "This whole mess is on you.",
    "You're being completely unreasonable.",
    "You never pay the child support on time.",
    "u never answer when it matters",
    "You ruined Maya's recital.",
    "Whatever suits you, as usual.",
]

I_STATEMENT = re.compile(r"^I feel [a-z ]+ when .+; could we .+\?$")


def test_the_schedule_example() -> None:
    # The transformation the project's brief asks for, word for word.
    assert i_statement("You never stick to the schedule!") == (
        "I feel frustrated when the schedule changes; could we agree on a plan that works for both of us?"
    )


@pytest.mark.parametrize("sentence", BLAMING)
def test_shape_and_no_you(sentence: str) -> None:
    rewrite = i_statement(sentence)
    assert I_STATEMENT.match(rewrite), rewrite
    assert not re.search(r"\b(?:you|your|u|ur)\b", rewrite, re.IGNORECASE), rewrite


@pytest.mark.parametrize("sentence", BLAMING)
def test_rewrite_is_clean_for_the_blame_rules(sentence: str) -> None:
    rewrite = i_statement(sentence)
    report = engine.check(rewrite, Situation(goal="logistics"), select=["TN01", "TN08", "TN09"])
    found = [d for d in report.diagnostics if d.code in ("TN01", "TN08", "TN09")]
    assert not found, f"{rewrite!r}: {[d.message for d in found]}"


@pytest.mark.parametrize(
    ("sentence", "feeling", "words"),
    [
        ("You never keep to the rota!", "frustrated", "the rota changes"),
        ("You always cancel last minute.", "disappointed", "cancelled at short notice"),
        ("Why didn't you tell me sooner?", "anxious", "hear about changes late"),
        ("You never pay the child support on time.", "stressed", "payments"),
        ("You're always so late.", "frustrated", "runs late"),
        ("I feel ignored by you.", "hurt", "heard"),
        ("You don't care what's best for our son.", "worried", "our son"),
        ("You ruined Maya's recital.", "disappointed", "Maya's recital"),
        ("You keep changing your weekend plans.", "frustrated", "the weekend plans change;"),
    ],
)
def test_feeling_and_situation_come_from_the_sentence(sentence: str, feeling: str, words: str) -> None:
    rewrite = i_statement(sentence)
    assert rewrite.startswith(f"I feel {feeling} when "), rewrite
    assert words in rewrite, rewrite


def test_a_named_child_is_carried_into_the_ask() -> None:
    assert i_statement("You never stick to the plan we made for Leo.").endswith("works for Leo?")


def test_tn01_offers_the_rewrite_for_the_sentence() -> None:
    text = "Thanks for the photos. You keep changing the weekend plans! See you Sunday."
    report = check(text, ["TN01"], "logistics")
    [finding] = [d for d in report.diagnostics if d.code == "TN01"]
    [suggestion] = finding.suggestions
    assert suggestion.applicability is Applicability.UNSAFE
    assert suggestion.span is not None
    assert text[suggestion.span.start : suggestion.span.end] == "You keep changing the weekend plans!"
    assert suggestion.replacement.startswith("I feel frustrated when the weekend plans change")
    assert report.verdict is Verdict.REVISE


def test_tn01_one_rewrite_per_sentence() -> None:
    report = check("You always leave it to me and you never listen.", ["TN01"])
    findings = [d for d in report.diagnostics if d.code == "TN01"]
    assert len(findings) == 2
    assert sum(len(d.suggestions) for d in findings) == 1


@pytest.mark.parametrize(
    ("order", "asked"),
    [
        ("You need to sign the school form by Friday.", "Could you sign the school form by Friday?"),
        ("You have to pick her up at 4 on Wednesday.", "Could you pick her up at 4 on Wednesday?"),
        ("I need you to bring the car seat back on Saturday.", "Could you bring the car seat back on Saturday?"),
        ("You really need to call the school, right now!", "Could you call the school?"),
    ],
)
def test_as_request(order: str, asked: str) -> None:
    assert as_request(order) == asked


def test_as_request_leaves_other_sentences() -> None:
    assert as_request("Could you let me know by Friday?") is None
    assert as_request("After everything I did for you.") is None


def test_logistics_request_is_advice_only_with_a_request_rewrite() -> None:
    text = "You need to sign the school form by Friday."
    report = check(text, ["TN09"], "logistics")
    [finding] = [d for d in report.diagnostics if d.code == "TN09"]
    assert finding.severity is Severity.INFO
    assert report.verdict is Verdict.SEND
    assert finding.suggestions[0].replacement == "Could you sign the school form by Friday?"


@pytest.mark.parametrize(
    "text",
    [
        "You owe me $40 for the school trip, could you transfer it this week?",
        "I need you to pick her up at 3:30 on Friday.",
        "I need an answer about the summer schedule by Friday so I can book flights.",
    ],
)
def test_plain_logistics_never_changes_the_verdict(text: str) -> None:
    report = check(text, ["TN09"], "logistics")
    assert report.verdict is Verdict.SEND
    assert all(d.severity is Severity.INFO for d in report.diagnostics if d.code == "TN09")


@pytest.mark.parametrize(
    "text",
    [
        "You need to answer me.",
        "You need to sign the form by Friday, no excuses.",
        "You have to pick her up at 4 - for once!",
        "I need an answer tonight.",
    ],
)
def test_pressure_around_logistics_still_counts(text: str) -> None:
    report = check(text, ["TN09"], "logistics")
    assert report.verdict is Verdict.REVISE


@pytest.mark.parametrize(
    "text",
    [
        "I'm still sad about how things ended, and I'm working on moving forward.",
        "I haven't gotten over the breakup yet, so I'd like some space for now.",
        "I've been thinking about how things ended, and I want you to know I don't hold anything against you.",
    ],
)
def test_closure_feelings_are_advice_only(text: str) -> None:
    closure = check(text, ["TN04"], "closure")
    assert closure.verdict is Verdict.SEND
    assert [d.severity for d in closure.diagnostics if d.code == "TN04"] == [Severity.INFO]
    logistics = check(text, ["TN04"], "logistics")
    assert logistics.verdict is Verdict.REVISE


@pytest.mark.parametrize(
    "text",
    [
        "I still can't get over what you did.",
        "I'm still angry about how you ended things.",
        "Why did we split up?",
        "I wasted ten years on you.",
    ],
)
def test_closure_does_not_soften_blame_or_questions(text: str) -> None:
    report = check(text, ["TN04"], "closure")
    assert report.verdict is Verdict.REVISE


def test_light_memory_is_advice_only() -> None:
    text = "Remember when you taught her to ride a bike? She did it on her own today."
    report = check(text, ["TN04"], "friendship")
    assert report.verdict is Verdict.SEND
    grievance = check("Remember when you forgot her at the pool?", ["TN04"], "friendship")
    assert grievance.verdict is Verdict.REVISE


def test_untargeted_profanity_is_advice_only_and_can_be_turned_off() -> None:
    text = "This traffic is shit, sorry, running late."
    report = check(text, ["TN08"], "logistics")
    assert report.verdict is Verdict.SEND
    assert [d.severity for d in report.diagnostics if d.code == "TN08"] == [Severity.INFO]
    off = check(text, ["TN08"], TN08={"untargeted_profanity": False})
    assert not [d for d in off.diagnostics if d.code == "TN08"]


@pytest.mark.parametrize("goal", ["logistics", "closure", "friendship", "reconciliation", "none", None])
def test_blame_fires_under_every_goal(goal: str | None) -> None:
    text = "You never keep to the rota. After everything I did for you, you idiot. You cheated."
    report = check(text, ["TN01", "TN04", "TN08", "TN09"], goal)
    codes = {d.code for d in report.diagnostics if d.severity is not Severity.INFO}
    assert codes >= {"TN01", "TN04", "TN08", "TN09"}
    assert report.verdict is Verdict.REVISE


# The blame rules look phrases up by the first word a match can start with (rules/blame.py, _Table).
# Whatever the index skips must be something a plain scan of every pattern would not find either.
def _case_texts() -> list[str]:
    import yaml

    from tests.rules.casefile import CASES_DIR

    texts: list[str] = []
    for path in sorted(CASES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("fail", "pass"):
            for item in data.get(kind) or []:
                text = item if isinstance(item, str) else item.get("text")
                if text:
                    texts.append(text)
    return texts


@pytest.mark.parametrize("name", ["blame", "blame_past", "blame_insult", "blame_pressure"])
def test_index_finds_what_a_plain_scan_finds(name: str) -> None:
    from levelhead.rules import blame
    from levelhead.text import Draft

    table = blame._table(name)
    data = blame._read(name)
    raw = {**blame._read("blame")["macros"], **data.get("macros", {}), "nif": ""}
    macros = {k: blame._expand(v, raw, k) for k, v in raw.items()}
    plain = [re.compile(blame._expand(p, macros, g)) for g, spec in data["groups"].items() for p in spec["patterns"]]
    texts = [*_case_texts(), *BLAMING, "She said 'you never listen'. I'm still waiting for an apology, u idiot."]
    for text in texts:
        draft = Draft(text)
        covered = [(a, b) for a, b, _ in table.scan(draft, 0, len(text))]
        for regex in plain:
            for m in regex.finditer(draft.folded):
                if m.end() > m.start():
                    assert any(a <= m.start() < b for a, b in covered), f"{name}: {m.group()!r} in {text!r}"


@pytest.mark.parametrize("code", ["TN01", "TN04", "TN08", "TN09"])
def test_documented_example_is_flagged(code: str) -> None:
    from levelhead.rule import lookup

    doc = lookup(code).documentation()
    example = re.search(r'## Example\s+"(.+?)"\s*(?:\n\n|$)', doc, re.DOTALL)
    assert example, f"{code}: no quoted example"
    text = " ".join(example.group(1).split())
    report = check(text, [code])
    assert [d for d in report.diagnostics if d.code == code and d.severity is not Severity.INFO], text
