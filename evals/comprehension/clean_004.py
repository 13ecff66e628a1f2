"""Clean seed 004 (a Traditional Chinese copy of an interview with Ilya Sutskever, converted by a web page that left
pinyin readings and broken characters behind) into the text the comprehension.zh-Hant passages are taken from.

    python evals/comprehension/clean_004.py SEED_004.txt > clean_004.txt

Reproducible: the same input gives the same bytes; the input's SHA-256 must be SOURCE_SHA256 (else it stops). Steps:
1. keep the article only: from its title line to the line starting with `聲明:` (the site's disclaimer);
2. delete the pinyin reading the converter put after some characters: `語(yǔ)言` becomes `語言`;
3. delete private-use characters (U+E000–U+F8FF);
4. drop every paragraph still garbled, which no passage may quote: one where characters were lost and their UTF-8
   bytes shown as other characters, which leaves a `?` before a pinyin reading or before `;` or `/` (as in
   `恰當(dāng)?shù)臅r間`), one holding HTML markup, or U+FFFD; each dropped paragraph's first characters go to
   stderr. A `?` elsewhere is the article's own question mark, and stays.
Offsets in the data (`offset`) count characters of this output.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

SOURCE_SHA256 = "adb481c1c8e5c7a3f3ff39e4fd204688845f4490af4fd636adb0142ba15c394c"
"""The SHA-256 of seed 004 (`004_4a93ab924b1d29cd.txt`) as the project received it."""
TITLE = "GPT總設(shè)計師:大型語言模型的未來"
END = "聲明:"
PINYIN = re.compile(r"(?<=[\u3400-\u9fff])\([a-zü\u00e0-\u00fc\u0101-\u01dc]+\)")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
GARBLED = re.compile(r"\?[a-zü\u00e0-\u00fc\u0101-\u01dc]+\)|\?[;/]|</?[a-z]|\ufffd")


def clean(text: str) -> tuple[str, list[str]]:
    """The cleaned article, and the paragraphs dropped as garbled."""
    start = text.index(TITLE)
    article = text[start : text.index(END, start)]
    article = PRIVATE_USE.sub("", PINYIN.sub("", article.replace("\r\n", "\n")))
    kept, dropped = [], []
    for paragraph in article.split("\n"):
        (dropped if GARBLED.search(paragraph) else kept).append(paragraph.strip())
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() + "\n"
    return cleaned, [p for p in dropped if p]


def main(argv: list[str]) -> int:
    """Print the cleaned text of the seed file named in argv."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    raw = Path(argv[0]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"clean_004: {argv[0]} is not seed 004 (SHA-256 {digest})", file=sys.stderr)
        return 2
    cleaned, dropped = clean(raw.decode("utf-8"))
    for paragraph in dropped:
        print(f"dropped (garbled): {paragraph[:40]}…", file=sys.stderr)
    sys.stdout.write(cleaned)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
