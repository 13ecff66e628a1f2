"""Synthetic text for the leaderboard benchmark: facts (names, counts, titles, phrases) in en, ja and zh-Hans, and the
words models wrap their answers in, none of which holds a digit or a numeral (so a numeric grader reads the answer)."""

from __future__ import annotations

import random
from dataclasses import dataclass

LANGUAGES = ("en", "ja", "zh-Hans")
KINDS = ("includes", "numeric", "f1", "includes", "exact")
"""The grader of each family of evals, in turn: names, counts, phrases (token F1), names again, titles."""
# A syllable in Latin letters, katakana and hanzi: one name, written in each language's script.
SYLLABLES = (
    ("ka", "カ", "卡"), ("ren", "レン", "仁"), ("mi", "ミ", "米"), ("to", "ト", "托"), ("sa", "サ", "萨"),
    ("vel", "ヴェル", "维"), ("dor", "ドル", "朵"), ("an", "アン", "安"), ("li", "リ", "丽"), ("mo", "モ", "莫"),
    ("ru", "ル", "鲁"), ("chi", "チ", "奇"), ("ne", "ネ", "内"), ("bo", "ボ", "博"), ("ta", "タ", "塔"),
    ("shi", "シ", "希"), ("ra", "ラ", "拉"), ("ven", "ヴェン", "文"), ("yu", "ユ", "尤"), ("ko", "コ", "科"),
)  # fmt: skip
WORDS = {
    "en": [
        "quiet",
        "silver",
        "river",
        "garden",
        "northern",
        "glass",
        "harbor",
        "lantern",
        "winter",
        "orchard",
        "copper",
        "valley",
        "distant",
        "archive",
        "hidden",
        "bridge",
        "amber",
        "station",
        "eastern",
        "meadow",
    ],
    "ja": [
        "静かな",
        "銀の",
        "川",
        "庭園",
        "北の",
        "ガラス",
        "港",
        "灯籠",
        "冬の",
        "果樹園",
        "銅の",
        "谷",
        "遠い",
        "書庫",
        "隠れた",
        "橋",
        "琥珀",
        "駅",
        "東の",
        "草原",
    ],
    "zh-Hans": [
        "安静的",
        "银色",
        "河流",
        "花园",
        "北方",
        "玻璃",
        "港口",
        "灯笼",
        "冬天",
        "果园",
        "铜色",
        "山谷",
        "遥远",
        "档案馆",
        "隐藏",
        "桥梁",
        "琥珀",
        "车站",
        "东方",
        "草地",
    ],
}
JOIN = {"en": " ", "ja": "", "zh-Hans": ""}
# (before, after) the answer, by language: each model keeps to a few of them.
FRAMES = {
    "en": [("", ""), ("The answer is ", "."), ("Answer: ", ""), ("I believe it is ", "."), ("That would be ", "."),
           ("It's ", "."), ("**", "**"), ("Most likely ", ".")],
    "ja": [("", ""), ("答えは", "です。"), ("答え：", ""), ("正解は「", "」です。"), ("おそらく", "だと思います。"),
           ("「", "」"), ("それは", "です。"), ("**", "**")],
    "zh-Hans": [("", ""), ("答案是", "。"), ("答案：", ""), ("我认为是", "。"), ("应该是「", "」。"),
                ("是", "。"), ("**", "**"), ("正确答案为", "。")],
}  # fmt: skip
# Sentences a verbose model adds after its answer.
FILLERS = {
    "en": [
        "I am fairly confident about this.", "This is well documented in the usual references.",
        "Let me know if you need the source.", "It is often confused with a similar record from the same set.",
        "Some accounts disagree, but this is the accepted answer.", "The question is answered directly above.",
        "Note that spellings differ between sources.", "This follows from the records of that period.",
        "I could be wrong about the details, so please check.", "That is the name most sources give.",
    ],
    "ja": [
        "この答えにはかなり自信があります。", "通常の資料によく記載されています。", "出典が必要であればお知らせください。",
        "同じ記録集の似た項目と混同されることがあります。", "異なる説もありますが、これが定説です。",
        "表記は資料によって異なります。", "当時の記録から判断しました。", "細部は誤っている可能性があるので確認してください。",
    ],
    "zh-Hans": [
        "我对这个答案相当有把握。", "这在常见的资料中都有记载。", "如果需要出处，请告诉我。",
        "它常与本记录集中的类似条目混淆。", "虽然有不同说法，但这是公认的答案。", "不同资料的写法有所不同。",
        "这是根据当时的记录判断的。", "细节可能有误，请再核实。",
    ],
}  # fmt: skip
NO_NUMBER = {
    "en": ["I could not find that figure.", "The records do not say.", "Unknown."],
    "ja": ["その数字は見つかりませんでした。", "記録には書かれていません。", "不明です。"],
    "zh-Hans": ["我找不到这个数字。", "记录中没有写明。", "不知道。"],
}
QUESTION = {
    "includes": {
        "en": "In record set {f}, who led expedition {n}?",
        "ja": "記録集{f}で、第{n}探検隊を率いたのは誰ですか？",
        "zh-Hans": "在记录集{f}中，第{n}探险队的队长是谁？",
    },
    "numeric": {
        "en": "In record set {f}, how many visitors did site {n} have?",
        "ja": "記録集{f}で、地点{n}の来訪者は何人でしたか？",
        "zh-Hans": "在记录集{f}中，地点{n}有多少访客？",
    },
    "f1": {
        "en": "In record set {f}, describe where marker {n} stands, in a few words.",
        "ja": "記録集{f}で、標識{n}はどこにありますか？短く答えてください。",
        "zh-Hans": "在记录集{f}中，标志{n}在哪里？请简短回答。",
    },
    "exact": {
        "en": "In record set {f}, what is the exact title of volume {n}?",
        "ja": "記録集{f}で、第{n}巻の正確な題名は何ですか？",
        "zh-Hans": "在记录集{f}中，第{n}卷的确切标题是什么？",
    },
}
PLACE = {
    "en": "{0} {1} near the {2} of {name}",
    "ja": "{name}の{0}{1}の近くの{2}",
    "zh-Hans": "{name}的{0}{1}附近的{2}",
}
TITLE = {"en": "The {0} {1} of {name}", "ja": "{name}と{0}{1}", "zh-Hans": "{name}与{0}{1}"}
UNIT = {"en": " visitors", "ja": "人", "zh-Hans": "人"}


@dataclass(frozen=True)
class Fact:
    """One sample id's item in every language: its question and answers; `core` is what a model answers with."""

    questions: dict[str, str]
    answers: dict[str, list[str]]
    core: dict[str, str]


def name(rng: random.Random) -> dict[str, str]:
    """A person's name in Latin letters, katakana and hanzi."""
    parts = [[rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))] for _ in range(2)]
    latin = " ".join("".join(s[0] for s in part).capitalize() for part in parts)
    return {"latin": latin, "en": latin, "ja": "・".join("".join(s[1] for s in p) for p in parts),
            "zh-Hans": "·".join("".join(s[2] for s in p) for p in parts)}  # fmt: skip


def fact(kind: str, family: int, number: int, rng: random.Random) -> Fact:
    """The item `number` of a family of evals graded by `kind`, in every language."""
    questions = {lang: QUESTION[kind][lang].format(f=family, n=number) for lang in LANGUAGES}
    who = name(rng)
    words = rng.sample(range(len(WORDS["en"])), 3)
    if kind == "includes":  # a name; in ja and zh also in Latin letters, which the grader accepts as well
        answers = {lang: [who[lang]] if lang == "en" else [who[lang], who["latin"]] for lang in LANGUAGES}
        core = {lang: who[lang] for lang in LANGUAGES}
    elif kind == "numeric":
        value = rng.choice([rng.randint(10, 999), rng.randint(1_000, 99_999), rng.randint(100_000, 9_999_999)])
        answers = {lang: [f"{value:,}"] for lang in LANGUAGES}
        core = {lang: f"{value:,}{UNIT[lang]}" for lang in LANGUAGES}
    else:
        pattern = PLACE if kind == "f1" else TITLE
        answers = {lang: [pattern[lang].format(*(WORDS[lang][w] for w in words), name=who[lang])] for lang in LANGUAGES}
        core = {lang: answers[lang][0] for lang in LANGUAGES}
    return Fact(questions, answers, core)


def partial(text: str, language: str, rng: random.Random) -> str:
    """Part of a right answer (a phrase with words or characters missing at either end)."""
    if language == "en":
        words = text.split()
        cut = rng.randint(1, max(1, len(words) // 2))
        return " ".join(words[cut:] if rng.random() < 0.5 else words[:-cut])
    cut = rng.randint(1, max(1, len(text) // 3))
    return text[cut:] if rng.random() < 0.5 else text[:-cut]
