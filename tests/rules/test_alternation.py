"""The blame buckets' shared-start regexes match exactly what the plain alternation of their patterns matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead.rules import blame
from levelhead.rules._alternation import named_alternation
from levelhead.text import Draft
from tests.rules.casefile import all_case_files, load_cases

TEXTS = sorted(
    {Draft(c.text).folded for path in all_case_files() for c in load_cases(path) if c.text}
    | {"you always do this. u never listen", "you you you", "youre late again", "u r the worst"}
)


def _plain(items: list[tuple[str, str]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{name}>{regex})" for name, regex in items))


def _same_everywhere(shared: re.Pattern[str], plain: re.Pattern[str], text: str) -> None:
    for p in range(len(text) + 1):
        a, b = shared.match(text, p), plain.match(text, p)
        assert (a and (a.end(), a.lastgroup)) == (b and (b.end(), b.lastgroup)), (text, p)


@pytest.mark.parametrize("name", blame._FILES)
def test_every_bucket_matches_as_its_plain_alternation(name: str) -> None:
    table = blame._table(name)
    assert table._items
    for items in table._items:
        shared, plain = re.compile(named_alternation(items)), _plain(items)
        for text in TEXTS:
            _same_everywhere(shared, plain, text)


_PARTS = [r"\b(?:you|u) ", r"\bnever\b", r"always", r"(?:ever|even)", r"\w+", r"[.!?]", r"(?:not )?", r"\s*", "x"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=4), min_size=1, max_size=6),
    st.text(alphabet=st.sampled_from(list("you never always ever u x.!? nott")), max_size=40),
)
def test_any_pattern_list_matches_as_its_plain_alternation(patterns: list[list[str]], text: str) -> None:
    items = [(f"p{i}", "".join(parts)) for i, parts in enumerate(patterns)]
    _same_everywhere(re.compile(named_alternation(items)), _plain(items), text)
