"""Put the options of the multiple-choice comprehension items in a seeded order, the right one's label following.

    python evals/comprehension/shuffle_choices.py ja-mc.jsonl [--seed S]     (rewrites the file; default seed 0)
    python evals/comprehension/shuffle_choices.py ja-mc.jsonl --check         (exit 1 unless it is in seed 0's order)

The order depends only on the seed, the items' order in the file and their options (sorted first), never on the order
options were written in, so the committed files (seed 0, the fixed default) can be checked, and any other seed gives
an order of its own for a run that wants one (a position bias shows as a score that moves with the seed). Each label
is the right answer about equally often.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

LABELS = "ABCDEFGH"


def shuffled(items: list[dict[str, object]], seed: int) -> list[dict[str, object]]:
    """The items with their options in `seed`'s order and `answers` naming the right one's new label: the right
    option's place is dealt from a seeded deck holding every place equally often (so each label is the answer about
    as often as any other), the other options are shuffled around it."""
    rng = random.Random(f"evalrun-choices:{seed}")
    deck: list[int] = []
    out = []
    for item in items:
        choices = [str(choice) for choice in item["choices"]]  # type: ignore[attr-defined]
        (label,) = item["answers"]  # type: ignore[misc]
        right = choices[LABELS.index(str(label))]
        others = sorted(choice for choice in choices if choice != right)
        if not deck:
            deck = list(range(len(choices))) * 4
            rng.shuffle(deck)
        place = deck.pop() % len(choices)
        rng.shuffle(others)
        order = [*others[:place], right, *others[place:]]
        out.append({**item, "choices": order, "answers": [LABELS[place]]})
    return out


def main(argv: list[str]) -> int:
    """Rewrite the file in the seed's order, or with --check compare it with seed 0's."""
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[0])
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = shuffled([json.loads(line) for line in lines], seed)
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    if "--check" in argv:
        if text != path.read_text(encoding="utf-8"):
            print(f"shuffle_choices: {path} is not in seed {seed}'s order: run the script", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
