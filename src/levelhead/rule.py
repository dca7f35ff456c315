"""The rule base class, the registry of every rule, options and selection.

A rule is a class whose docstring is its user documentation. Its code, name
and family are class attributes; defining the class registers it. Rules are
pure: ``(draft, situation, now)`` in, diagnostics out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from levelhead import regexcache
from levelhead.diagnostics import Diagnostic, Severity, Span, Suggestion, Verdict
from levelhead.situation import Situation
from levelhead.text import Draft

FAMILIES = {
    "RD": "readiness",
    "BD": "boundaries",
    "TN": "tone",
    "PC": "pace",
    "SF": "safety",
}
DOC_SECTIONS = ("## What it flags", "## Why it matters", "## Example", "## Instead")
_CODE = regexcache.compile(r"^[A-Z]{2}\d{2}$")


class Need(StrEnum):
    """What a rule reads besides the situation; readiness checks run only rules without DRAFT."""

    DRAFT = "draft"
    AGREEMENTS = "agreements"
    HISTORY = "history"
    CLOCK = "clock"


class RuleError(ValueError):
    """A rule selection or option that cannot be used; its message is shown to the user."""


@dataclass(frozen=True, slots=True)
class Option:
    """A per-rule setting with a default and an allowed range."""

    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None

    def validate(self, rule: str, key: str, value: Any) -> Any:
        kind = type(self.default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise RuleError(f"{rule}: option {key!r} must be {kind.__name__}, got {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise RuleError(f"{rule}: option {key!r} must be at least {self.minimum}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise RuleError(f"{rule}: option {key!r} must be at most {self.maximum}, got {value!r}")
        return value


class Rule(ABC):
    """Base class: subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    needs: ClassVar[frozenset[Need]] = frozenset({Need.DRAFT})
    verdict: ClassVar[Verdict] = Verdict.REVISE  # what an error or warning from this rule implies
    always_on: ClassVar[bool] = False  # safety rules cannot be deselected
    preview: ClassVar[bool] = False
    options: ClassVar[Mapping[str, Option]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return  # an intermediate base class
        if not _CODE.match(cls.code) or cls.code[:2] not in FAMILIES:
            raise TypeError(f"{cls.__name__}: bad rule code {cls.code!r}")
        if not cls.__doc__ or not cls.__doc__.strip():
            raise TypeError(f"{cls.code}: a rule needs a docstring; it is the rule's documentation")
        if cls.code in REGISTRY:
            raise TypeError(f"{cls.code}: code already used by {REGISTRY[cls.code].__name__}")
        REGISTRY[cls.code] = cls

    def __init__(self, **settings: Any) -> None:
        self.settings: dict[str, Any] = {key: opt.default for key, opt in self.options.items()}
        for key, value in settings.items():
            if key not in self.options:
                known = ", ".join(sorted(self.options)) or "none"
                raise RuleError(f"{self.code}: unknown option {key!r} (options: {known})")
            self.settings[key] = self.options[key].validate(self.code, key, value)

    @classmethod
    def family(cls) -> str:
        return FAMILIES[cls.code[:2]]

    @classmethod
    def summary(cls) -> str:
        """The docstring's first line: the one-line description in ``levelhead rules``."""
        return (cls.__doc__ or "").strip().splitlines()[0].strip()

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation as Markdown, rendered from its docstring."""
        doc = _dedent(cls.__doc__ or "")
        header = f"# {cls.code} {cls.name}\n\nFamily: {cls.family()}. Verdict when it fires: `{cls.verdict.label}`."
        if cls.always_on:
            header += " Always on: safety rules cannot be turned off."
        if cls.options:
            lines = [f"- `{k}` (default `{o.default}`): {o.help}" for k, o in cls.options.items()]
            doc += "\n\n## Options\n\n" + "\n".join(lines)
        return f"{header}\n\n{doc}\n"

    @abstractmethod
    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterable[Diagnostic]:
        """Yield findings. ``draft`` is None for a readiness check; ``now`` is aware, in the user's zone."""

    def finding(
        self,
        message: str,
        span: Span | None = None,
        *,
        note: str | None = None,
        severity: Severity = Severity.ERROR,
        suggestions: Iterable[Suggestion] = (),
        until: datetime | None = None,
        verdict: Verdict | None = None,
    ) -> Diagnostic:
        """Build a diagnostic for this rule."""
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            span=span,
            severity=severity,
            verdict=verdict or self.verdict,
            note=note,
            suggestions=tuple(suggestions),
            until=until,
        )


REGISTRY: dict[str, type[Rule]] = {}


def _dedent(doc: str) -> str:
    lines = doc.strip("\n").splitlines()
    first, rest = lines[0].strip(), lines[1:]
    indents = [len(line) - len(line.lstrip()) for line in rest if line.strip()]
    cut = min(indents, default=0)
    return "\n".join([first, *(line[cut:] for line in rest)]).strip()


def all_rules() -> list[type[Rule]]:
    """Every registered rule, in code order."""
    import levelhead.rules  # noqa: F401  (registers the rules on import)

    return [REGISTRY[code] for code in sorted(REGISTRY)]


def lookup(key: str) -> type[Rule]:
    """Find a rule by code (``TN01``) or name (``accusatory-you``)."""
    rules = all_rules()
    wanted = key.strip()
    for rule in rules:
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    raise RuleError(f"no rule called {key!r}; `levelhead rules` lists them")


def _matches(selector: str, rule: type[Rule]) -> bool:
    sel = selector.strip()
    if sel.upper() == "ALL":
        return True
    if sel.lower() == rule.name or sel.lower() == rule.family():
        return True
    return rule.code.startswith(sel.upper()) and len(sel) >= 2


def select_rules(
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Rule]:
    """Instantiate the chosen rules. Selectors are codes, prefixes (``TN``, ``TN0``), names, families or ``ALL``.

    Safety rules are always included, whatever is ignored.
    """
    rules = all_rules()
    select, ignore = list(select), list(ignore)
    for selector in [*select, *ignore]:
        if not any(_matches(selector, rule) for rule in rules):
            raise RuleError(f"no rule matches {selector!r}; `levelhead rules` lists them")
    settings = settings or {}
    for key in settings:
        lookup(key)
    chosen: list[Rule] = []
    for rule in rules:
        picked = (not select or any(_matches(s, rule) for s in select)) and not any(_matches(s, rule) for s in ignore)
        if picked or rule.always_on:
            chosen.append(rule(**_settings_for(rule, settings)))
    return chosen


def _settings_for(rule: type[Rule], settings: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    for key, value in settings.items():
        if key.upper() == rule.code or key.lower() == rule.name:
            return dict(value)
    return {}


def iter_docs() -> Iterator[tuple[type[Rule], str]]:
    for rule in all_rules():
        yield rule, rule.documentation()
