"""Make comprehension/zh-Hans.jsonl from comprehension/zh-Hant.jsonl: the same items in Simplified characters.

    python evals/comprehension/to_simplified.py            (from the repository's root; rewrites zh-Hans.jsonl)
    python evals/comprehension/to_simplified.py --check    (exit 1 if zh-Hans.jsonl is not what it would write)

Each item's passage, question and answers are converted with OpenCC's `t2s` (characters only, no regional words, so
that a span converted alone reads as it does inside its passage); an item whose answers are no longer all in its
converted passage stops the script, naming it. Ids, sources and offsets (which count characters of the Traditional
text: `t2s` maps each character to one character) stay as they are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
SOURCE, TARGET = HERE / "zh-Hant.jsonl", HERE / "zh-Hans.jsonl"


def simplified(lines: list[str]) -> str:
    """The zh-Hans file's text for the zh-Hant file's lines; ValueError naming an item whose spans were lost."""
    convert = opencc.OpenCC("t2s").convert
    out = []
    for line in lines:
        item = json.loads(line)
        for key in ("title", "context", "question"):
            item[key] = convert(item[key])
        item["answers"] = list(dict.fromkeys(convert(answer) for answer in item["answers"]))
        if len(item["context"]) != len(json.loads(line)["context"]):
            raise ValueError(f"{item['id']}: t2s changed the passage's length")
        missing = [answer for answer in item["answers"] if answer not in item["context"]]
        if missing:
            raise ValueError(f"{item['id']}: answers not in the converted passage: {missing}")
        out.append(json.dumps(item, ensure_ascii=False))
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """Write zh-Hans.jsonl, or with --check compare it with what would be written."""
    try:
        text = simplified(SOURCE.read_text(encoding="utf-8").splitlines())
    except ValueError as exc:
        print(f"to_simplified: {exc}", file=sys.stderr)
        return 1
    if argv == ["--check"]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(
                "to_simplified: zh-Hans.jsonl is not the conversion of zh-Hant.jsonl: run the script", file=sys.stderr
            )
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
