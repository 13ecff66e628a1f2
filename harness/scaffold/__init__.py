"""`evalrun new`: write an eval's spec, two example data lines and its family's data card, valid as written."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.spec import GRADER_METRICS, GRADER_OPTIONS
from harness.workspace import Workspace, display_path

CANARY = "evalrun canary GUID {}"
"""The string on every data line of a family; `{}` is the GUID in the family's data card."""

_FAMILY = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$", re.DOTALL | re.MULTILINE)
_OPTIONS = "{% for choice in choices %}{{ 'ABCDEFGH'[loop.index0] }}. {{ choice }}\n{% endfor %}"

_USER = {
    "en": ("Passage: {{ context }}\n\n", "Question: {{ question }}\n", "Answer:"),
    "ja": ("文章：{{ context }}\n\n", "質問：{{ question }}\n", "答え："),
    "zh": ("文章：{{ context }}\n\n", "问题：{{ question }}\n", "答案："),
}
"""Per wording: how the user message shows the passage, the question, and where the answer goes."""

_GPT3_PAPER, _GPT2_PAPER = (
    "Language Models are Few-Shot Learners",
    "Language Models are Unsupervised Multitask Learners",
)
_GPT3_JSON, _GPT2_JSON = '{"model": "GPT-3", "year": 2020}', '{"model": "GPT-2", "year": 2019}'
_COMPANIES = ["Google", "OpenAI", "Meta", "Anthropic"]
_ALGORITHMS = ["Q-learning", "REINFORCE", "PPO", "DQN"]

_TEXTS: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    "short": {
        "en": {
            "system": "Answer the question with a short answer only (a name, number, date or short phrase), without explanation.",
            "items": [
                {"question": "Which company developed ChatGPT?", "answers": ["OpenAI"]},
                {
                    "question": "What is the name of the text-to-image model that OpenAI announced in January 2021?",
                    "answers": ["DALL-E", "DALL·E"],
                },
            ],
            "right": "openai.",
            "wrapped": "ChatGPT was developed by OpenAI.",
            "wrong": "Google",
        },
        "ja": {
            "system": "質問に短い答え（名前・数・日付・短い語句）だけで答えてください。説明は不要です。",
            "items": [
                {"question": "ChatGPT を開発した企業はどこですか？", "answers": ["OpenAI", "オープンAI"]},
                {
                    "question": "OpenAI が2021年1月に発表した、テキストから画像を生成するモデルの名前は何ですか？",
                    "answers": ["DALL-E", "DALL·E"],
                },
            ],
            "right": "ＯｐｅｎＡＩ。",
            "wrapped": "ChatGPT を開発したのは OpenAI です。",
            "wrong": "グーグル",
        },
        "zh": {
            "system": "请只用简短的答案（名称、数字、日期或短语）回答问题，不要解释。",
            "items": [
                {"question": "ChatGPT 是由哪家公司开发的？", "answers": ["OpenAI"]},
                {
                    "question": "OpenAI 于2021年1月发布的根据文本生成图像的模型叫什么名字？",
                    "answers": ["DALL-E", "DALL·E"],
                },
            ],
            "right": "ＯｐｅｎＡＩ。",
            "wrapped": "ChatGPT 是由 OpenAI 开发的。",
            "wrong": "Google",
        },
    },
    "reading": {
        "en": {
            "system": "Read the passage and answer the question with words copied from the passage, without explanation.",
            "items": [
                {
                    "context": "OpenAI announced GPT-2 in February 2019. Its largest model has 1.5 billion parameters in 48 layers and was trained on WebText, about 40 GB of text from some 8 million web pages.",
                    "question": "How many parameters does the largest GPT-2 model have?",
                    "answers": ["1.5 billion"],
                },
                {
                    "context": "OpenAI released ChatGPT on November 30, 2022. It was fine-tuned from a model in the GPT-3.5 series with reinforcement learning from human feedback (RLHF).",
                    "question": "With what technique was ChatGPT fine-tuned?",
                    "answers": ["reinforcement learning from human feedback", "RLHF"],
                },
            ],
            "right": "“1.5 billion”.",
            "partial": "1.5 billion parameters",
            "wrong": "48",
        },
        "ja": {
            "system": "文章を読み、質問の答えを文章中からそのまま抜き出して、答えの語句だけを書いてください。",
            "items": [
                {
                    "context": "OpenAI は2019年2月に GPT-2 を発表した。最大のモデルは48層で15億個のパラメータを持ち、約800万のウェブページから集めた約40GBのテキスト「WebText」で学習された。",
                    "question": "GPT-2 の最大のモデルのパラメータ数はいくつですか？",
                    "answers": ["15億"],
                },
                {
                    "context": "OpenAI は2022年11月30日に ChatGPT を公開した。ChatGPT は、GPT-3.5 シリーズのモデルを人間のフィードバックによる強化学習（RLHF）で微調整したものである。",
                    "question": "ChatGPT の微調整に使われた手法は何ですか？",
                    "answers": ["人間のフィードバックによる強化学習", "RLHF"],
                },
            ],
            "right": "「15億」。",
            "partial": "15億個",
            "wrong": "48",
        },
        "zh": {
            "system": "请阅读文章，从文章中原样摘出问题的答案，只写答案本身。",
            "items": [
                {
                    "context": "OpenAI 于2019年2月发布了 GPT-2。其最大的模型有48层、15亿个参数，训练数据 WebText 是从约800万个网页收集的约40GB文本。",
                    "question": "GPT-2 最大的模型有多少个参数？",
                    "answers": ["15亿"],
                },
                {
                    "context": "OpenAI 于2022年11月30日发布了 ChatGPT。ChatGPT 是用基于人类反馈的强化学习（RLHF）对 GPT-3.5 系列的一个模型进行微调得到的。",
                    "question": "ChatGPT 是用什么方法微调的？",
                    "answers": ["基于人类反馈的强化学习", "RLHF"],
                },
            ],
            "right": "“15亿”。",
            "partial": "15亿个",
            "wrong": "48",
        },
    },
    "numeric": {
        "en": {
            "system": "Answer the question with a number only, without explanation.",
            "items": [
                {
                    "question": "How many parameters does GPT-3 Small, the smallest model in the GPT-3 paper, have?",
                    "answers": ["125 million"],
                },
                {"question": "How many tokens are in the vocabulary of GPT-2's tokenizer?", "answers": ["50,257"]},
            ],
            "wrapped": "GPT-3 Small has 125M parameters.",
            "wrong": "175 billion",
        },
        "ja": {
            "system": "質問に数だけで答えてください。説明は不要です。",
            "items": [
                {
                    "question": "GPT-3 の論文で最も小さいモデル「GPT-3 Small」のパラメータ数はいくつですか？",
                    "answers": ["1億2500万"],
                },
                {"question": "GPT-2 のトークナイザーの語彙数はいくつですか？", "answers": ["50,257"]},
            ],
            "wrapped": "GPT-3 Small のパラメータ数は1.25億です。",
            "wrong": "1750億",
        },
        "zh": {
            "system": "请只用数字回答问题，不要解释。",
            "items": [
                {"question": "GPT-3 论文中最小的模型 GPT-3 Small 有多少个参数？", "answers": ["1.25亿"]},
                {"question": "GPT-2 的分词器词表中有多少个词元？", "answers": ["50,257"]},
            ],
            "wrapped": "GPT-3 Small 的参数量为1亿2500万。",
            "wrong": "1750亿",
        },
    },
    "date": {
        "en": {
            "system": "Answer the question with a date only, without explanation.",
            "items": [
                {
                    "question": "On what date did OpenAI release the full 1.5-billion-parameter GPT-2 model?",
                    "answers": ["November 5, 2019"],
                },
                {
                    "question": "In which month and year did OpenAI open the ChatGPT API (gpt-3.5-turbo) to developers?",
                    "answers": ["March 2023"],
                },
            ],
            "wrapped": "It was released on 5 November 2019.",
            "wrong": "November 5, 2018",
        },
        "ja": {
            "system": "質問に日付だけで答えてください。説明は不要です。",
            "items": [
                {
                    "question": "OpenAI が15億パラメータの GPT-2 の完全版を公開したのは何年何月何日ですか？",
                    "answers": ["2019年11月5日"],
                },
                {
                    "question": "OpenAI が開発者向けに ChatGPT API（gpt-3.5-turbo）を公開したのは何年何月ですか？",
                    "answers": ["2023年3月"],
                },
            ],
            "wrapped": "2019年11月5日に公開されました。",
            "wrong": "2018年11月5日",
        },
        "zh": {
            "system": "请只用日期回答问题，不要解释。",
            "items": [
                {"question": "OpenAI 是在哪一天发布完整的 15 亿参数 GPT-2 模型的？", "answers": ["2019年11月5日"]},
                {
                    "question": "OpenAI 在哪一年哪一月向开发者开放了 ChatGPT API（gpt-3.5-turbo）？",
                    "answers": ["2023年3月"],
                },
            ],
            "wrapped": "完整的 GPT-2 于2019年11月5日发布。",
            "wrong": "2018年11月5日",
        },
    },
    "choice": {
        "en": {
            "system": "Answer with the letter of the correct option only.",
            "items": [
                {"question": "Which company developed ChatGPT?", "choices": _COMPANIES, "answers": ["B"]},
                {
                    "question": "Which algorithm did InstructGPT use in the reinforcement-learning step of RLHF?",
                    "choices": _ALGORITHMS,
                    "answers": ["C"],
                },
            ],
            "wrapped": "The answer is B.",
            "wrong": "A",
        },
        "ja": {
            "system": "正しい選択肢の記号だけで答えてください。",
            "items": [
                {"question": "ChatGPT を開発した企業はどれですか？", "choices": _COMPANIES, "answers": ["B"]},
                {
                    "question": "InstructGPT は RLHF の強化学習の段階でどのアルゴリズムを使いましたか？",
                    "choices": _ALGORITHMS,
                    "answers": ["C"],
                },
            ],
            "wrapped": "答えは B です。",
            "wrong": "A",
        },
        "zh": {
            "system": "请只回答正确选项的字母。",
            "items": [
                {"question": "ChatGPT 是由哪家公司开发的？", "choices": _COMPANIES, "answers": ["B"]},
                {
                    "question": "InstructGPT 在 RLHF 的强化学习阶段使用了哪种算法？",
                    "choices": _ALGORITHMS,
                    "answers": ["C"],
                },
            ],
            "wrapped": "答案是B。",
            "wrong": "A",
        },
    },
    "arxiv": {
        "en": {
            "system": "Answer with the paper's arXiv identifier only (of the form YYMM.NNNNN), without explanation.",
            "items": [
                {
                    "question": 'What is the arXiv identifier of the paper "Attention Is All You Need"?',
                    "answers": ["1706.03762"],
                },
                {
                    "question": f'What is the arXiv identifier of the GPT-3 paper "{_GPT3_PAPER}"?',
                    "answers": ["2005.14165"],
                },
            ],
            "wrapped": "It is arXiv:1706.03762.",
            "wrong": "The paper came out in June 2017.",
        },
        "ja": {
            "system": "論文の arXiv 識別子（YYMM.NNNNN の形）だけで答えてください。説明は不要です。",
            "items": [
                {"question": "論文「Attention Is All You Need」の arXiv 識別子は何ですか？", "answers": ["1706.03762"]},
                {"question": f"GPT-3 の論文「{_GPT3_PAPER}」の arXiv 識別子は何ですか？", "answers": ["2005.14165"]},
            ],
            "wrapped": "arXiv:1706.03762 です。",
            "wrong": "2017年6月に公開されました。",
        },
        "zh": {
            "system": "请只回答论文的 arXiv 编号（形如 YYMM.NNNNN），不要解释。",
            "items": [
                {"question": "论文《Attention Is All You Need》的 arXiv 编号是什么？", "answers": ["1706.03762"]},
                {"question": f"GPT-3 论文《{_GPT3_PAPER}》的 arXiv 编号是什么？", "answers": ["2005.14165"]},
            ],
            "wrapped": "arXiv 编号是 1706.03762。",
            "wrong": "2017年6月发布。",
        },
    },
    "json": {
        "en": {
            "system": 'Answer with a JSON object only, with the keys "model" (the model\'s name) and "year" (the year the paper came out, a number).',
            "items": [
                {
                    "question": f'Which OpenAI model did the paper "{paper}" introduce, and in which year did the paper come out?',
                    "answers": [answer],
                }
                for paper, answer in ((_GPT3_PAPER, _GPT3_JSON), (_GPT2_PAPER, _GPT2_JSON))
            ],
        },
        "ja": {
            "system": 'JSON オブジェクトだけで答えてください。キーは "model"（モデル名）と "year"（論文が出た年、数値）です。',
            "items": [
                {
                    "question": f"論文「{paper}」で発表された OpenAI のモデルは何で、論文は何年に出ましたか？",
                    "answers": [answer],
                }
                for paper, answer in ((_GPT3_PAPER, _GPT3_JSON), (_GPT2_PAPER, _GPT2_JSON))
            ],
        },
        "zh": {
            "system": '请只用一个 JSON 对象回答，键为 "model"（模型名称）和 "year"（论文发表的年份，数字）。',
            "items": [
                {
                    "question": f"论文《{paper}》提出了 OpenAI 的哪个模型？该论文发表于哪一年？",
                    "answers": [answer],
                }
                for paper, answer in ((_GPT3_PAPER, _GPT3_JSON), (_GPT2_PAPER, _GPT2_JSON))
            ],
        },
    },
}
"""Per question shape and wording: the system prompt, two example items (real facts about GPT history), and
outputs the checks use: `right` (the first answer, restyled), `wrapped` (inside a sentence), `partial`, `wrong`."""

_HANT_QUESTIONS: Mapping[str, tuple[str, str]] = {
    "short": ("開發 ChatGPT 的是哪一家公司？", "OpenAI 在 2021 年 1 月推出、能依文字描述產生圖片的模型叫什麼？"),
    "reading": ("GPT-2 最大的模型擁有的參數數量是多少？", "微調 ChatGPT 時採用的是哪一種技術？"),
    "numeric": ("GPT-3 論文裡最小的 GPT-3 Small 模型，參數量是多少？", "GPT-2 分詞器的詞彙表共有幾個詞元？"),
    "date": (
        "完整的 15 億參數 GPT-2 模型是在哪一天由 OpenAI 公開的？",
        "ChatGPT API（gpt-3.5-turbo）是在哪一年的幾月開放給開發者使用的？",
    ),
    "choice": ("下列哪一家公司開發了 ChatGPT？", "在 RLHF 的強化學習步驟中，InstructGPT 採用了下列哪一種演算法？"),
    "arxiv": (
        "《Attention Is All You Need》這篇論文在 arXiv 上的編號為何？",
        "提出 GPT-3 的 OpenAI 論文，在 arXiv 上的編號為何？",
    ),
    "json": tuple(
        f"《{paper}》這篇論文介紹的是 OpenAI 的哪一個模型？論文是在哪一年發表的？"
        for paper in (_GPT3_PAPER, _GPT2_PAPER)
    ),
}
"""Traditional Chinese questions: the rest of zh-Hant is the zh-Hans text converted with OpenCC, but the same question
in both scripts would be a duplicate across a family's zh-Hans and zh-Hant files, so these are worded anew."""

_JSON_OUTPUTS = {"wrapped": f"```json\n{_GPT3_JSON}\n```", "wrong": _GPT3_JSON.replace("2020", "2019")}


@dataclass(frozen=True)
class Kind:
    """How `evalrun new` sets up one grader kind: its question shape, what it does, its options and checks."""

    shape: str
    about: str
    options: Mapping[str, Any]
    checks: tuple[tuple[str, float], ...]
    """(output from the shape's texts, the score this grader gives it against the first item's answers)."""


KINDS: Mapping[str, Kind] = {
    "exact": Kind(
        "short", "1 if the output's tokens equal a reference's after normalization", {}, (("right", 1), ("wrapped", 0))
    ),
    "includes": Kind(
        "short", "1 if a reference appears in the output as a run of whole tokens", {}, (("wrapped", 1), ("wrong", 0))
    ),
    "em": Kind(
        "reading", "exact match with the best reference (F1 is reported too)", {}, (("right", 1), ("partial", 0))
    ),
    "f1": Kind(
        "reading", "token-overlap F1 with the best reference (EM is reported too)", {}, (("partial", 0.8), ("wrong", 0))
    ),
    "numeric": Kind(
        "numeric",
        "1 if a number in the output equals the reference's by value (175B = 1750億 = 1,750亿)",
        {},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "date": Kind(
        "date",
        "1 if a date in the output agrees with the reference at the reference's precision",
        {},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "choice": Kind("choice", "1 if the option the output chose is the answer", {}, (("wrapped", 1), ("wrong", 0))),
    "regex": Kind(
        "arxiv",
        "the last match of `pattern` must equal a reference; no match scores 0",
        {"pattern": r"\d{4}\.\d{4,5}"},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "fuzzy": Kind(
        "short",
        "1 if the edit-distance similarity of output and reference reaches `threshold`",
        {"threshold": 0.8},
        (("right", 1), ("wrong", 0)),
    ),
    "json": Kind(
        "json",
        "1 if the output holds JSON valid under `schema` (with `compare: equal`, also equal to a reference)",
        {
            "schema": {
                "type": "object",
                "properties": {"model": {"type": "string"}, "year": {"type": "integer"}},
                "required": ["model", "year"],
            },
            "compare": "equal",
        },
        (("wrapped", 1), ("wrong", 0)),
    ),
    "judge": Kind(
        "short",
        "a judging model (`--judge MODEL` or `model:`) grades with a rubric in registry/judges/; validate skips checks",
        {"rubric": "correctness"},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "any_of": Kind(
        "short",
        "the best part's score: here the answer inside the output, or an output close to it",
        {"graders": [{"kind": "includes"}, {"kind": "fuzzy", "threshold": 0.8}]},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "all_of": Kind(
        "short",
        "the worst part's score: here the answer must be in the output, and the output not much more than it",
        {"graders": [{"kind": "includes"}, {"kind": "fuzzy", "threshold": 0.5}]},
        (("right", 1), ("wrapped", 0)),
    ),
    "weighted": Kind(
        "short",
        "the weighted mean of the parts' scores: here half for the answer inside a sentence, all for the answer alone",
        {"graders": [{"kind": "exact", "weight": 1}, {"kind": "includes", "weight": 1}]},
        (("right", 1), ("wrapped", 0.5)),
    ),
}
"""Every grader kind `evalrun new --grader` offers (all of GRADER_METRICS)."""

_SPEC = """\
# {eval_id}, made by `evalrun new`. README.md ("The registry", "Graders") explains every key.
id: {eval_id}  # must match the file name
description: {description}  # shown by `evalrun list`
language: {language}  # a BCP-47 tag; graders normalize text for it
tags: []  # free labels, e.g. [factual-recall, closed-book]
version: 1  # raise it when a change makes earlier scores incomparable (prompt, grader, data)

# Where the samples are: a JSONL file under evals/, one JSON object per line.
data:
  path: {data_path}
{data_extra}
# What the model is asked: sandboxed Jinja2 templates that see the fields of each data line.
prompt:
  system: {system}
  user: {user}

# Sampling: deterministic and short, so that runs repeat.
generation: {{temperature: 0, max_tokens: 64}}

# How an answer is scored. {kind}: {about}.
# Options of this kind: {options}.
grader:
{grader}
metrics: {metrics}  # what the grader reports; the first is the primary metric in tables

# Self-tests `evalrun validate` runs: an output, its references, and the score the grader must give it.
# Add one for each case the grader must keep getting right.
checks:
{checks}
"""

_CARD = """\
---
license: CC-BY-4.0
source: "TODO: where the questions and answers come from (URLs, papers, or 'written by the contributors')"
canary: {canary}
---

# {family}: TODO a title that says what the task is

## What the task is

TODO: what the model sees, what it must answer, and how it is scored. The first eval of this family is
`{eval_id}` ({language}), graded by `{kind}`, with its data in `{data_file}`; list each file here as languages are
added.

## Line format

One JSON object per line, UTF-8, written with `json.dumps(obj, ensure_ascii=False)`:

```json
{example}
```

- `id`: unique within the file (`{family}-{stem}-001`, …).
{fields}- `answers`: the accepted answers; the first is the canonical one, the rest are aliases.
- `canary`: the canary string below, exactly.

## Canary

Canary GUID: {canary}

This is evaluation data: never put these files, or text taken from them, in a training corpus. Every line of every
file here carries the canary string

    {canary_string}

so that leaked copies can be found and filtered out of corpora. New lines and new files of this family carry the same
string.

## Sources

TODO: where each question and answer comes from (URLs, papers, datasets), or "written by the contributors". Keep
`source` in the front matter in step.

## License

CC-BY-4.0 (the front matter's `license`, an SPDX identifier). If the items come from an existing dataset, use its
license instead and give the attribution it asks for here.

## How items were written

TODO: how questions were chosen and worded, which primary sources each answer was checked against, and which other
forms of an answer are accepted as aliases (and which are left out because a wrong answer could contain them).

## Where a source was wrong

TODO: each error found in a source, and what the data follows instead; or "none found".

| source | what it says | what the public record says | affected ids |
| --- | --- | --- | --- |
"""

_FIELDS = {
    "reading": "- `context`: the passage; the answer is copied from it.\n",
    "choice": "- `choices`: the options, shown to the model as A, B, C, …; `answers` names the right one by its label.\n",
}


@dataclass(frozen=True)
class Scaffold:
    """What `evalrun new` wrote: the eval id, the files created (in order), and the family's canary GUID."""

    eval_id: str
    created: tuple[Path, ...]
    canary: str
    card: Path
    """The family's data card (created, or the existing one whose canary was reused)."""
    english_stand_in: bool
    """Whether the prompt and examples are in English because evalrun has no wording for the eval's language."""


def scaffold(workspace: Workspace, eval_id: str, tag: str, kind: str, family: str | None = None) -> Scaffold:
    """Write a new eval, its two example lines and (if the family has none) its data card; InputError, writing nothing, if it cannot."""
    folder = family if family is not None else eval_id.split(".")[0]
    problems = _id_problems(eval_id)
    if family is not None or not problems:  # a family taken from a bad id would only repeat the id's problem
        problems += _family_problems(folder)
    language, language_problems = check_language(tag)
    problems += language_problems + _workspace_problems(workspace, kind)
    if problems:
        raise InputError(problems)
    stem = data_stem(language)
    spec_file = workspace.registry_dir / "evals" / f"{eval_id}.yaml"
    data_file = workspace.evals_dir / folder / f"{stem}.jsonl"
    card = workspace.evals_dir / folder / "README.md"
    canary = card_canary(card) if card.exists() else str(uuid.uuid4())
    problems = _taken_problems(spec_file, data_file)
    if canary is None:
        problems.append(
            f"evalrun: {display_path(card)} has no `canary:` GUID in its front matter to reuse; add the family's there first"
        )
    if problems:
        raise InputError(problems)
    texts = _texts(language, KINDS[kind].shape)
    primary = _subtags(language)[0]
    rows = _rows(texts, f"{folder}-{stem}", canary)
    files = {
        spec_file: _spec(eval_id, language, kind, f"{folder}/{stem}.jsonl", texts),
        data_file: "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
    }
    if not card.exists():
        files[card] = _card(eval_id, language, kind, folder, stem, canary, rows[0])
    return Scaffold(eval_id, _write(files), canary, card, primary not in _USER)


def check_language(tag: str) -> tuple[str, list[str]]:
    """The tag in its standard form, and why an eval cannot be written in it (none if it can)."""
    import langcodes

    from harness.schemas import schema

    if "_" in tag:
        dashed = tag.replace("_", "-")
        hint = f", as in {dashed!r}" if langcodes.tag_is_valid(dashed) else ""
        return tag, [f"evalrun: --lang {tag!r} is not a BCP-47 tag: its subtags are joined with '-'{hint}"]
    if not langcodes.tag_is_valid(tag):
        return tag, [f"evalrun: --lang {tag!r} is not a valid BCP-47 language tag (like en, ja or zh-Hans)"]
    standard = langcodes.standardize_tag(tag)
    rule = schema("eval")["properties"]["language"]
    if standard not in rule.get("enum", (standard,)) or not re.search(rule.get("pattern", ""), standard):
        return standard, [f"evalrun: --lang {tag!r} is not a language an eval may declare (eval.schema.json)"]
    return standard, []


def data_stem(language: str) -> str:
    """The data file's name for a language: its language subtag and script (for Chinese, the one it implies), lower
    case: en-GB → en, zh-Hans → zh-hans, zh-TW → zh-hant."""
    return "-".join(part for part in _subtags(language) if part).lower()


def _subtags(language: str) -> tuple[str, str | None]:
    """The language subtag and script subtag of a tag; Chinese always has a script (zh implies Hans, zh-TW Hant)."""
    import langcodes

    parsed = langcodes.Language.get(language)
    implied = parsed.maximize().script if parsed.language == "zh" else None
    return str(parsed.language), parsed.script or implied


def card_canary(card: Path) -> str | None:
    """The canary GUID in a data card's YAML front matter, None if it has none."""
    import yaml

    match = _FRONT_MATTER.match(card.read_text(encoding="utf-8"))
    try:
        value = (yaml.safe_load(match.group(1)) or {}).get("canary") if match else None
        uuid.UUID(str(value))
    except (yaml.YAMLError, AttributeError, ValueError):
        return None
    return str(value)


def _id_problems(eval_id: str) -> list[str]:
    """Why an eval id breaks the eval schema's rule (none if it does not)."""
    from harness.schemas import schema

    rule = schema("eval")["properties"]["id"]
    if re.fullmatch(rule["pattern"], eval_id) and len(eval_id) <= rule["maxLength"]:
        return []
    limit = rule["maxLength"]
    return [
        f"evalrun: eval id {eval_id!r} must be up to {limit} of a-z 0-9 - _, in parts joined by '.' (like jcommonsense.ja)"
    ]


def _taken_problems(spec_file: Path, data_file: Path) -> list[str]:
    """One problem for each file the scaffold would have to replace."""
    fixes = {spec_file: "choose another id", spec_file.with_suffix(".yml"): "choose another id"}
    fixes[data_file] = "give another --family"
    return [f"evalrun: {display_path(path)} already exists: {fix}" for path, fix in fixes.items() if path.exists()]


def _family_problems(family: str) -> list[str]:
    """Why a family name cannot be a folder under evals/ (none if it can)."""
    if _FAMILY.fullmatch(family):
        return []
    return [f"evalrun: family {family!r} must be lower-case letters, digits, '-' and '_' (like gpt-history)"]


def _workspace_problems(workspace: Workspace, kind: str) -> list[str]:
    """Why scaffolds cannot go into this workspace: evalrun's own copy, or a judge rubric it lacks."""
    if workspace.root.resolve().is_relative_to(Path(__file__).resolve().parent):
        return [
            "evalrun: no workspace here: run `evalrun new` in a folder with registry/ and evals/ (or set EVALRUN_HOME)"
        ]
    rubric = KINDS[kind].options.get("rubric")
    if rubric and not (workspace.registry_dir / "judges" / f"{rubric}.yaml").is_file():
        return [f"evalrun: --grader judge needs the rubric registry/judges/{rubric}.yaml, which this workspace lacks"]
    return []


def _texts(language: str, shape: str) -> Mapping[str, Any]:
    """The shape's texts and user template in the eval's language: Japanese, Chinese (Simplified or Traditional), else
    English."""
    primary, script = _subtags(language)
    wording = primary if primary in ("ja", "zh") else "en"
    texts = {**_TEXTS[shape][wording], **(_JSON_OUTPUTS if shape == "json" else {})}
    passage, question, answer = _USER[wording]
    options = _OPTIONS if shape == "choice" else ""
    texts["user"] = (passage if shape == "reading" else "") + question + options + answer
    if script == "Hant":
        import opencc

        texts = _convert(texts, opencc.OpenCC("s2tw").convert)
        texts["items"] = [{**item, "question": q} for item, q in zip(texts["items"], _HANT_QUESTIONS[shape])]
    return texts


def _convert(value: Any, convert: Any) -> Any:
    """`value` with every string passed through `convert`."""
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, Mapping):
        return {key: _convert(item, convert) for key, item in value.items()}
    if isinstance(value, list):
        return [_convert(item, convert) for item in value]
    return value


def _rows(texts: Mapping[str, Any], prefix: str, canary: str) -> list[dict[str, Any]]:
    """The example data lines: numbered ids, the items, and the family's canary string."""
    return [
        {"id": f"{prefix}-{n:03d}", **item, "canary": CANARY.format(canary)} for n, item in enumerate(texts["items"], 1)
    ]


def _spec(eval_id: str, language: str, kind: str, data_path: str, texts: Mapping[str, Any]) -> str:
    """The eval's YAML: every block with a comment for a first-time contributor."""
    spec = KINDS[kind]
    first = texts["items"][0]
    extra = "  context_field: context  # the passage each question is about\n" if spec.shape == "reading" else ""
    checks = [
        {
            "output": texts[output],
            "references": first["answers"],
            **({"choices": first["choices"]} if "choices" in first else {}),
            "score": score,
        }
        for output, score in spec.checks
    ]
    return _SPEC.format(
        eval_id=eval_id,
        description=_flow("TODO: one sentence on what this eval measures, in its own language"),
        language=_flow(language),
        data_path=_flow(data_path),
        data_extra=extra,
        system=_flow(texts["system"]),
        user=_flow(texts["user"]),
        kind=kind,
        about=spec.about,
        options=", ".join(GRADER_OPTIONS[kind]) or "none",
        grader="\n".join(_grader_lines(kind, spec.options)),
        metrics=_flow(list(GRADER_METRICS[kind])),
        checks="\n".join(f"  - {_flow(check)}" for check in checks),
    )


def _grader_lines(kind: str, options: Mapping[str, Any]) -> list[str]:
    """The `grader:` block's lines: the kind, then each option (a list option as a block sequence)."""
    lines = [f"  kind: {kind}"]
    for key, value in options.items():
        if isinstance(value, list):
            lines += [f"  {key}:"] + [f"    - {_flow(item)}" for item in value]
        else:
            lines.append(f"  {key}: {_flow(value)}")
    return lines


def _card(
    eval_id: str, language: str, kind: str, family: str, stem: str, canary: str, example: Mapping[str, Any]
) -> str:
    """The family's data card: front matter (license, source, canary), then a section per thing a card must say."""
    shape = KINDS[kind].shape
    return _CARD.format(
        family=family,
        canary=canary,
        canary_string=CANARY.format(canary),
        eval_id=eval_id,
        language=language,
        kind=kind,
        data_file=f"{stem}.jsonl",
        stem=stem,
        example=json.dumps(example, ensure_ascii=False),
        fields="- `question`: the question, self-contained.\n" + _FIELDS.get(shape, ""),
    )


def _flow(value: Any) -> str:
    """`value` as one line of YAML: flow mappings and lists, plain or quoted strings, JSON numbers."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_flow(key)}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if not isinstance(value, str):
        return json.dumps(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    if ("\\" in value or '"' in value) and "'" not in value and value.isprintable():
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _write(files: Mapping[Path, str]) -> tuple[Path, ...]:
    """Create each file (never replacing one); if one appears meanwhile, remove those made and refuse."""
    made: list[Path] = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            for done in made:
                done.unlink()
            raise InputError(f"evalrun: {display_path(path)} already exists; nothing was written") from None
        made.append(path)
    return tuple(made)
