"""Generate docs/rules/*.md and the README's rules table from the rule docstrings, and the phrase index
keys that make start-up fast (src/levelhead/rules/data/blame_keys.toml, from the blame phrase files).

    python scripts/gen_docs.py          # write the files
    python scripts/gen_docs.py --check  # exit 1 if any generated file is out of date (CI)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from levelhead.rule import all_rules
from levelhead.rules import blame

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
README = ROOT / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rules_table() -> str:
    rows = ["| code | name | family | verdict | what it flags |", "| --- | --- | --- | --- | --- |"]
    for rule in all_rules():
        link = f"[{rule.code}](docs/rules/{rule.code}.md)"
        rows.append(f"| {link} | {rule.name} | {rule.family()} | {rule.verdict.label} | {rule.summary()} |")
    return "\n".join(rows)


def expected_files() -> dict[Path, str]:
    files = {DOCS / f"{rule.code}.md": rule.documentation() for rule in all_rules()}
    index = ["# Rules", "", "Generated from the rule docstrings by `scripts/gen_docs.py`; do not edit by hand.", ""]
    index.append(rules_table().replace("](docs/rules/", "]("))
    files[DOCS / "README.md"] = "\n".join(index) + "\n"
    readme = README.read_text(encoding="utf-8")
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    files[README] = f"{head}{START}\n{rules_table()}\n{END}{tail}"
    files[ROOT / "src" / "levelhead" / "rules" / "data" / "blame_keys.toml"] = blame.keys_file_text()
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the generated files are current")
    args = parser.parse_args()
    files = expected_files()
    stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    stale += [p for p in DOCS.glob("*.md") if p not in files]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python scripts/gen_docs.py)", file=sys.stderr)
        return 1 if stale else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for path in DOCS.glob("*.md"):
        if path not in files:
            path.unlink()
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
