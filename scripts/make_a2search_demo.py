"""Write A²Search's demo set (``generators/a2search/demo/``) from countryinfo's facts (MIT).

    .venv/bin/python scripts/make_a2search_demo.py [--out generators/a2search/demo]

No QA corpus ships in a package, so datagen writes its own: four passages per country (its
capital, its land borders, its people's name, its other names) and about 100 questions.
"Name a country that borders X." has several true answers, and its reference lists only the
first border: the alternatives are what A²Search's pipeline must find and prove with the
borders passage. Capital questions have one answer; a few border questions carry the whole
``answer_set``. The output is deterministic; tests/a2search checks that the committed files
are what this script writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from countryinfo import all_countries

COUNTRIES = 70
CAPITAL_QUESTIONS = 40
BORDER_QUESTIONS = 45
BORDER_SET_QUESTIONS = 15
OUT = Path(__file__).resolve().parents[1] / "generators" / "a2search" / "demo"


def _aliases(country) -> list[str]:
    """The country's name, then its other names (codes of two or three letters left out)."""
    names = [country.name()] + [a for a in country.alt_spellings() if len(a) > 3]
    return list(dict.fromkeys(names))


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def demo_set() -> tuple[list[dict], list[dict]]:
    """(passages, questions) of the demo set."""
    everyone = {c.iso()["alpha3"]: c for c in all_countries()}
    chosen = sorted(
        (c for c in everyone.values() if 2 <= len(c.borders()) <= 6 and c.capital()),
        key=lambda c: c.name(),
    )[:COUNTRIES]
    passages, questions = [], []
    for country in chosen:
        code, name = country.iso()["alpha3"], country.name()
        neighbours = [everyone[b].name() for b in country.borders() if b in everyone]
        others = _aliases(country)[1:]
        facts = {
            "capital": f"The capital of {name} is {country.capital()}. {name} lies in "
            f"{country.subregion() or country.region()}.",
            "borders": f"{name} shares land borders with {_listing(neighbours)}.",
            "people": f"People from {name} are called {country.demonym()}.",
            "names": f"{name} is also known as {_listing(others)}."
            if others
            else f"{name} has no other common name.",
        }
        passages += [
            {"id": f"{code}-{kind}", "title": name, "text": text} for kind, text in facts.items()
        ]
    for country in chosen[:CAPITAL_QUESTIONS]:
        questions.append(
            {
                "id": f"capital-{country.iso()['alpha3']}",
                "question": f"What is the capital of {country.name()}?",
                "answers": [country.capital()],
            }
        )
    bordered = chosen[::-1]
    for country in bordered[:BORDER_QUESTIONS]:
        first = everyone[next(b for b in country.borders() if b in everyone)]
        questions.append(
            {
                "id": f"border-{country.iso()['alpha3']}",
                "question": f"Name a country that borders {country.name()}.",
                "answers": _aliases(first),
            }
        )
    for country in bordered[BORDER_QUESTIONS : BORDER_QUESTIONS + BORDER_SET_QUESTIONS]:
        neighbours = [everyone[b] for b in country.borders() if b in everyone]
        questions.append(
            {
                "id": f"borders-{country.iso()['alpha3']}",
                "question": f"Which countries border {country.name()}?",
                "answers": _aliases(neighbours[0]),
                "answer_set": [_aliases(n) for n in neighbours],
            }
        )
    return passages, questions


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    passages, questions = demo_set()
    write_jsonl(args.out / "passages.jsonl", passages)
    write_jsonl(args.out / "questions.jsonl", questions)
    print(f"wrote {len(passages)} passages and {len(questions)} questions to {args.out}")


if __name__ == "__main__":
    main()
