"""Multiple-choice grading: find which option a free-text answer chose, or say it could not, and compare it with the
reference key however the key is written.

Evidence, strongest first:
0. a correction: after a word that takes back what came before ("Actually", "wait", "No,", "いや", "待って", "訂正",
   "不对", "等一下", …), labels naming one option, the last ending the text ("A. Actually, wait, it's C." is C,
   "答えはA…いや、Cです" is C); a marked answer after the correction is read as in 1;
1. a marked answer: a label or option text after "The answer is", "Answer:", "I choose", "答案是", "选", "正解は",
   "正しくは", … or a label followed by "is correct"/"が正解"/"正确", or ending a clause after "Therefore"/"所以"/"よって";
   the last one wins;
2. labels standing on their own ("B", "(C)", "「ウ」"); ones negated or called wrong ("not A", "A is wrong", "アは誤り")
   do not count, and a tie goes to a label alone on its line, then to one ending the text as its own clause;
3. the text of exactly one option, named whole: not inside a longer option's text and not overlapping another's, so
   `東京都` names `東京都` when it is an option and neither `東京` nor `京都` otherwise ("not an option").
Labels map by position to A, B, C, … (harness.text.labels): A, B, … (lower case only when bracketed, alone, prefixed
"option" or after a marker, and "a", the article, only bracketed); ア イ ウ … (or イ ロ ハ … beyond the gojūon
options); あ い う … (or ろ は に …; bracketed or alone); 甲 乙 丙 …; ① ② …, Ⓐ Ⓑ …, (1) (2) …; a bare digit only when
marked, alone on its line or written "option 2"/"第2"/"2番", and never when an option is itself a number. A letter
inside an option's text ("Vitamin C", "維生素C") is not a label. Two options named in one marked answer ("A or B"), or
several loose labels, are ambiguous and so unparsed, as is a label beyond the options ("E" of four). A reply that goes
on to write a new "Question:" is read up to it when that part names an answer.

The reference key may be written in any of these schemes (`B`, `b`, `イ`, `い`, `乙`, `③`, `(2)`), as a digit counted
from 1 like `(2)` (`2` is B, unless an option is itself a number), or as its option's text (`京都`); the detail shows
which option such a key names (`key`), and why a key names none (`key_problem`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from harness.grading.choice_labels import (
    ALTERNATIVE,
    CLAUSE_START,
    CONTINUATION,
    CORRECTION,
    GAP,
    LABEL_WORD,
    NEGATED,
    NEXT_WORD,
    POST,
    SEPARATOR,
    STRONG,
    TERMINAL,
    TEXT_END,
    TOKEN,
    TOKEN_AT,
    WEAK,
    WORD,
    WRONG,
)
from harness.grading.choice_options import Choice, Options, Spans, by_text, option_at, prepare_options, sentence_end
from harness.grading.normalize import normalize
from harness.text.labels import CIRCLED, HIRAGANA_GOJUON, HIRAGANA_IROHA, STEMS, KeyProblem, key_option, label_position
from harness.types import LABELS, Sample, Score


@dataclass(frozen=True)
class _Token:
    """A label in the text: its span (brackets included), option index (-1: none), kind and decoration."""

    start: int
    end: int
    index: int
    kind: str
    core: str
    text: str
    decorated: bool
    prefixed: bool


@dataclass(frozen=True)
class ChoiceGrader:
    """1 when the chosen option is the reference; an answer naming no single option is `unparsed`."""

    language: str

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's keys; the detail says what was chosen, how and from what text, and
        which option a key written otherwise than as its Latin label names."""
        found = find_choice(output, sample.choices, self.language)
        detail: dict[str, object] = {"chosen": found.label, "how": found.how, "match": found.match}
        read, problems = read_keys(sample.references, sample.choices)
        if any(reference != label for reference, label in read.items()):
            detail["key"] = read
        if problems:
            detail["key_problem"] = "; ".join(problems)
        if found.label is None:
            return Score(0.0, {"accuracy": 0.0}, detail, unparsed=True)
        value = float(found.label in read.values())
        return Score(value, {"accuracy": value}, detail)


def read_keys(references: tuple[str, ...], choices: tuple[str, ...]) -> tuple[dict[str, str | None], list[str]]:
    """The label each reference key names (None: no option, however it is written), and why a key names none."""
    read: dict[str, str | None] = {}
    problems = []
    for reference in references:
        try:
            read[reference] = LABELS[key_option(reference, choices)]
        except KeyProblem as exc:
            read[reference] = None
            problems.append(str(exc))
    return read, problems


def parse_choice(output: str, choices: tuple[str, ...], language: str = "") -> str | None:
    """The label (A, B, …) an answer picks, or None when it names no single option."""
    return find_choice(output, choices, language).label


def find_choice(output: str, choices: tuple[str, ...], language: str = "") -> Choice:
    """Which option an answer picks and how that was decided (see the module docstring)."""
    options = prepare_options(tuple(choices), language)
    text = unicodedata.normalize("NFKC", output.translate(CIRCLED))
    cut = CONTINUATION.search(text)
    if cut and text[: cut.start()].strip():
        first = _find(text[: cut.start()], options)
        if first.label is not None:
            return first
    return _find(text, options)


def _find(text: str, options: Options) -> Choice:
    """The choice in prepared (NFKC) text: marked answers, else loose labels, else option texts."""
    if not text.strip():
        return Choice(None, "no answer", "")
    tokens = _scan(text, options)
    return (
        _corrected(text, tokens, options)
        or _marked(text, tokens, options)
        or _loose(text, tokens, options)
        or by_text(text, options)
        or _stray(text, options)
    )


def _stray(text: str, options: Options) -> Choice:
    """Nothing chosen: "not an option" when the answer is just a label beyond the options ("E" of four), else none."""
    match = TOKEN.fullmatch(text.strip().rstrip(".。"))
    if match and match["core"].isupper() and _token(match, options).index < 0:
        return Choice(None, "not an option", match[0])
    return Choice(None, "no answer", "")


def _token(match: re.Match[str], options: Options) -> _Token:
    """A matched label with the option index it names (-1 when it names none)."""
    core = match["core"]
    if core.isdigit():
        kind = "digit"
    elif core.isascii():
        kind = "upper" if core.isupper() else "lower"
    elif core in HIRAGANA_GOJUON or core in HIRAGANA_IROHA:
        kind = "hiragana"
    else:
        kind = "stem" if core in STEMS else "katakana"
    index = label_position(core, len(options.labels))
    decorated = bool(match["open"] and match["close"])
    return _Token(match.start(), match.end(), index, kind, core, match[0], decorated, bool(match["pre"]))


def _scan(text: str, options: Options) -> list[_Token]:
    """Every label standing on its own in the text that names an option."""
    covered = Spans([m.span() for pattern in options.covers for m in pattern.finditer(text)])
    tokens = []
    for match in TOKEN.finditer(text):
        token = _token(match, options)
        if token.index < 0 or covered.contain(token.start, token.end):
            continue
        if _acceptable(text, token, options, alone=_alone(text, token, options)):
            tokens.append(token)
    return tokens


def _acceptable(text: str, token: _Token, options: Options, alone: bool, marked: bool = False) -> bool:
    """Whether a label's form is unmistakable where it stands (lower case, digits and hiragana need more)."""
    kind = token.kind
    if kind == "upper" and token.text in ("A", "I"):
        return not _article(text, token, options)
    if kind == "lower" and token.core == "a":
        return token.decorated
    if kind == "lower":
        return token.decorated or token.prefixed or alone or (marked and _ends_clause(text, token, options))
    if kind == "digit":
        labelled = token.prefixed or text.startswith(("番", "号", "號"), token.end)
        return options.digits and ((token.decorated and "[" not in token.text) or labelled or alone or marked)
    if kind == "hiragana":
        return token.decorated or alone or (marked and _ends_clause(text, token, options))
    return True


def _article(text: str, token: _Token, options: Options) -> bool:
    """Whether a bare "A" or "I" is the English article or pronoun ("A good answer", "I think")."""
    word = NEXT_WORD.match(text, token.end)
    if not word or len(word[1]) == 1 or LABEL_WORD.fullmatch(word[1]):
        return False
    return _option_after(text, token, options)[0] != token.index


def _option_after(text: str, token: _Token, options: Options) -> tuple[int | None, bool]:
    """The option whose text follows a label, and whether a separator (")", ":", "-") joins them."""
    sep = SEPARATOR.match(text, token.end)
    assert sep is not None  # the separator is optional: the pattern matches the empty string
    mark = sep[1] or ""
    joined = bool(mark and mark != ".") or token.text[-1] in ")]」』】" or (mark == "." and _starts_line(text, token))
    return option_at(text, sep.end(), options), joined


def _starts_line(text: str, token: _Token) -> bool:
    """Whether only blanks, bullets or emphasis come before a label on its line."""
    window = max(0, token.start - 80)
    line_start = text.rfind("\n", window, token.start) + 1
    return not (window and not line_start) and not text[line_start : token.start].strip(" \t*#>-•・")


def _alone(text: str, token: _Token, options: Options) -> bool:
    """Whether a label stands alone on its line, perhaps followed by its own option text."""
    if not _starts_line(text, token):
        return False
    line_end = text.find("\n", token.end, token.end + 2 * len(options.texts[token.index]) + 40)
    if line_end < 0 and len(text) - token.end > 2 * len(options.texts[token.index]) + 40:
        return False
    rest = normalize(text[token.end : line_end if line_end >= 0 else len(text)], options.language)
    return not rest or rest == options.norms[token.index]


def _ends_clause(text: str, token: _Token, options: Options) -> bool:
    """Whether a label ends its clause, says it is correct, or is followed by its own option text."""
    if TERMINAL.match(text, token.end) or POST.match(text, token.end):
        return True
    return _option_after(text, token, options)[0] == token.index


def _rejected(text: str, token: _Token) -> bool:
    """Whether a label is negated or called wrong ("not A", "A is wrong", "アは誤り")."""
    return bool(NEGATED.search(text, max(0, token.start - 24), token.start) or WRONG.match(text, token.end))


def _corrected(text: str, tokens: list[_Token], options: Options) -> Choice | None:
    """The label a correction ends with ("A. Actually, wait, it's C.", "答えはA…いや、Cです"): after one of the last
    words that take back an answer before it, one option named by labels, the last ending the text ("A: no. D: no."
    is no correction to D). A marked answer after it is left to `_marked`, which reads it as the last one."""
    for correction in list(CORRECTION.finditer(text))[-3:][::-1]:
        at = correction.end()
        head, before = text[: correction.start()], [t for t in tokens if t.end <= correction.start()]
        if not (before or _marked(head, before, options) or by_text(head, options)):
            continue  # no answer before it to take back
        after = [t for t in tokens if t.start >= at]
        if _marked(text, after, options, since=at) is not None:
            return None
        gap = GAP.match(text, at)
        assert gap is not None  # the gap is optional: the pattern matches the empty string
        direct = TOKEN_AT.match(text, gap.end())  # a label right after the word ("やっぱりイ", "不对，C")
        if direct and not (after and after[0].start == direct.start()):
            token = _token(direct, options)
            if token.index >= 0 and _acceptable(text, token, options, alone=False, marked=True):
                after.insert(0, token)
        live = [t for t in after if not _rejected(text, t)]
        final = live and TERMINAL.match(text, live[-1].end)
        if final and len({t.index for t in live}) == 1 and TEXT_END.match(text, final.end()):
            span = text[correction.start() : live[-1].end].strip()
            return Choice(options.labels[live[-1].index], "corrected", span)
    return None


def _marked(text: str, tokens: list[_Token], options: Options, since: int = 0) -> Choice | None:
    """The last marked answer (from `since` on): a label or option text after a marker, or a label followed by "is
    correct"."""
    found: list[tuple[int, Choice]] = []
    for pattern, weak in ((STRONG, False), (WEAK, True)):
        for marker in pattern.finditer(text, since):
            answer = _answer_at(text, marker.start(), marker.end(), options, weak)
            if answer:
                found.append(answer)
    for before, token in zip([None, *tokens], tokens, strict=False):
        post = POST.match(text, token.end)
        if not post or NEGATED.search(text, max(0, token.start - 24), token.start):
            continue
        span = text[token.start : post.end()].strip()
        if before and before.index != token.index and ALTERNATIVE.fullmatch(text, before.end, token.start):
            found.append((token.start, Choice(None, "ambiguous", text[before.start : post.end()])))
        else:
            found.append((token.start, _checked(text, token, options, span)))
    return max(found, key=lambda f: f[0])[1] if found else None


def _answer_at(text: str, start: int, end: int, options: Options, weak: bool) -> tuple[int, Choice] | None:
    """The answer a marker at text[start:end] names, with its position, or None when it names none."""
    gap = GAP.match(text, end)
    assert gap is not None  # the gap is optional: the pattern matches the empty string
    at = gap.end()
    match = TOKEN_AT.match(text, at)
    index = option_at(text, at, options, exact=weak)
    if match and index is not None and index >= 0 and len(options.norms[index]) > len(normalize(match[0])):
        match = None  # the label letter starts an option's text ("The answer is F. Scott Fitzgerald")
    if match:
        token = _token(match, options)
        named = token.index >= 0 and _acceptable(text, token, options, alone=False, marked=True)
        stray = token.kind == "upper" and token.index < 0 and not _article(text, token, options)
        if named or stray:
            if _rejected(text, token) or (weak and not _ends_clause(text, token, options)):
                return None
            span = text[start : token.end].strip()
            return token.start, _checked(text, token, options, span) if named else Choice(None, "not an option", span)
    if index is None:
        return None
    span = text[start : sentence_end(text, at)].strip()
    return at, Choice(None, "ambiguous", span) if index < 0 else Choice(options.labels[index], "marked", span)


def _checked(text: str, token: _Token, options: Options, span: str) -> Choice:
    """A marked label's choice, unless another option is named with it ("A or B", "B: <text of A>")."""
    other = ALTERNATIVE.match(text, token.end)
    match = other and TOKEN_AT.match(text, other.end())
    if match:
        second = _token(match, options)
        alike = second.kind == token.kind or {second.kind, token.kind} <= {"upper", "lower"}
        if alike and second.index != token.index and not _rejected(text, second):
            stray = second.index < 0 and second.kind == "upper" and not _article(text, second, options)
            if stray or (second.index >= 0 and _acceptable(text, second, options, alone=False, marked=True)):
                return Choice(None, "ambiguous", text[token.start : second.end])
    follows, joined = _option_after(text, token, options)
    if joined and follows is not None and follows != token.index:
        return Choice(None, "ambiguous", text[token.start : token.end + 40].split("\n")[0])
    return Choice(options.labels[token.index], "marked", span)


def _loose(text: str, tokens: list[_Token], options: Options) -> Choice | None:
    """The one option that the loose labels name; ties go to labels alone on their line, then to bare ones there."""
    live = [t for t in tokens if not _rejected(text, t)]
    if not live:
        return None
    if any(t.kind != "digit" for t in live):
        live = [t for t in live if t.kind != "digit"]
    alone = [t for t in live if _alone(text, t, options)]
    for pool in (live, alone, [t for t in alone if _option_after(text, t, options)[0] is None], _final(text, live)):
        named = {n for t in pool for n in _names(text, t, options)}
        if len(named) == 1:
            index = named.pop()
            return Choice(options.labels[index], "label", next(t.text for t in reversed(pool) if t.index == index))
    return Choice(None, "ambiguous", ", ".join(dict.fromkeys(t.text for t in live)))


def _final(text: str, tokens: list[_Token]) -> list[_Token]:
    """The last label when it ends the text as a clause of its own ("…, after all that, C."), else nothing."""
    last = tokens[-1]
    if not TEXT_END.match(text, last.end) or not CLAUSE_START.search(text, max(0, last.start - 8), last.start):
        return []
    before = tokens[-2] if len(tokens) > 1 else None
    return [] if before and not WORD.search(text, before.end, last.start) else [last]


def _names(text: str, token: _Token, options: Options) -> set[int]:
    """The options a loose label names: its own, plus another's whose text it introduces ("B) <text of A>")."""
    follows, joined = _option_after(text, token, options)
    return {token.index, follows} if joined and follows is not None else {token.index}
