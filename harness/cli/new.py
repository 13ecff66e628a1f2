"""`evalrun new`: scaffold an eval (spec, example data, data card) that validates as written."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness.cli.common import EXIT_OK
from harness.registry.graders import KINDS


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    new = commands.add_parser(
        "new",
        help="scaffold a new eval: its spec, two example lines and the data card",
        description="Create registry/evals/ID.yaml, evals/FAMILY/LANG.jsonl with two example lines, and "
        "evals/FAMILY/README.md (the data card, unless the family has one: then its canary GUID is reused). "
        "Everything validates as written (but two unedited scaffolds with the same kind of question and language repeat "
        "each other's examples); replace the examples and fill in the TODOs. Never overwrites a file.",
    )
    new.add_argument("eval_id", metavar="ID", help="the eval's id, e.g. jcommonsense.ja (must be new)")
    new.add_argument(
        "--lang",
        required=True,
        metavar="LANG",
        help="the eval's language, a BCP-47 tag (en, ja, zh-Hans, zh-Hant, ...; the examples are in English for "
        "languages other than these). The data file is named by the tag's language subtag and, if it names one, its "
        "script, in lower case; Chinese always gets its script: en and en-GB → en.jsonl, ja → ja.jsonl, zh-Hans and "
        "zh-CN → zh-hans.jsonl, zh-Hant and zh-TW → zh-hant.jsonl",
    )
    new.add_argument(
        "--grader",
        required=True,
        choices=list(KINDS),
        metavar="KIND",
        help="how answers are scored: %(choices)s (docs/graders.md)",
    )
    new.add_argument(
        "--family",
        metavar="NAME",
        help="the data folder under evals/ (default: ID up to its first dot, so jcommonsense.ja → jcommonsense)",
    )
    new.add_argument("--json", action="store_true", help='print {"eval", "created", "canary"} as JSON')
    new.set_defaults(handler=_new)


def _new(args: argparse.Namespace) -> int:
    from harness.authoring.scaffold import scaffold
    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace, display_path, search_path

    layers = search_path()
    home = layers[-1]  # the user's own workspace, else the built-in one when working inside a checkout of evalrun
    if home.builtin and not Path.cwd().resolve().is_relative_to(home.root.resolve()):
        home = Workspace(Path.cwd())  # a first task of the user's own: its registry starts in the current folder
    rubrics = Registry.load(layers).judges
    made = scaffold(home, args.eval_id, args.lang, args.grader, args.family, rubrics)
    created = [display_path(path) for path in made.created]
    if args.json:
        print(json.dumps({"eval": made.eval_id, "created": created, "canary": made.canary}, ensure_ascii=False))
        return EXIT_OK
    card = display_path(made.card)
    spec, data = created[:2]
    lines = [f"created {path}" for path in created]
    if made.card not in made.created:
        lines.append(f"reused the canary GUID of {card} ({made.canary})")
    if made.english_stand_in:
        lines.append(f"note: evalrun has no {args.lang} wording built in, so the prompt and examples are in English")
    lines += [
        "",
        "next:",
        f"  1. replace the two example lines of {data} with your items (keep the canary on every line)",
        f"  2. write the description in {spec}, and adjust its prompt and checks",
        f"  3. fill in the TODOs of the data card {card}: sources, license, how items were written",
        f"  4. evalrun validate {spec}",
        f"  5. evalrun validate --preview {made.eval_id}",
        f"  6. evalrun run {made.eval_id} --model baseline/oracle   (must score 1.0: the answer key passes the grader)",
    ]
    print("\n".join(lines))
    return EXIT_OK
