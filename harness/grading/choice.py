"""Multiple-choice grading: find which option a free-text answer chose, or say it could not.

Evidence, strongest first:
1. a marked answer: a label or option text after "The answer is", "Answer:", "I choose", "答案是", "选", "正解は", … or a
   label followed by "is correct"/"が正解"/"正确", or ending a clause after "Therefore"/"所以"/"よって"; the last one wins;
2. labels standing on their own ("B", "(C)", "「ウ」"); ones negated or called wrong ("not A", "A is wrong", "アは誤り")
   do not count, and a tie goes to a label alone on its line, then to one ending the text as its own clause;
3. the text of exactly one option ("I think it is the CNN").
Labels map by position to A, B, C, …: A, B, … (lower case only when bracketed, alone, prefixed "option" or after a
marker, and "a", the article, only bracketed); ア イ ウ … (or イ ロ ハ …); い ろ は … (bracketed or alone); 甲 乙 丙 …;
① ② …, Ⓐ Ⓑ …, (1) (2) …; a bare digit only when marked, alone on its line or written "option 2"/"第2"/"2番", and never
when an option is itself a number. Two options named in one marked answer ("A or B"), or several loose labels, are
ambiguous and so unparsed, as is a label beyond the options ("E" of four). A reply that goes on to write a new
"Question:" is read up to it when that part names an answer.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from harness.cjk import CJK_CHARS
from harness.grading.normalize import normalize
from harness.types import LABELS, Sample, Score

_GOJUON = "アイウエオカキクケコサシスセソタチツテトナニヌネノハ"
"""Katakana labels in gojūon order: ア is A, イ is B, …."""
_IROHA = "イロハニホヘトチリヌ"
"""Katakana labels in iroha order, used only for a kana beyond the gojūon options (so イ stays B)."""
_HIRAGANA_IROHA = "いろはにほへとちりぬ"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = {
    **{0x2460 + i: f"({i + 1})" for i in range(20)},  # ① … ⑳
    **{0x2776 + i: f"({i + 1})" for i in range(10)},  # ❶ … ❿
    **{0x2780 + i: f"({i + 1})" for i in range(10)},  # ➀ … ➉
    **{0x278A + i: f"({i + 1})" for i in range(10)},  # ➊ … ➓
    **{0x24B6 + i: f"({LABELS[i]})" for i in range(26)},  # Ⓐ … Ⓩ
    **{0x24D0 + i: f"({LABELS[i].lower()})" for i in range(26)},  # ⓐ … ⓩ
    **dict.fromkeys(range(0xD800, 0xE000), "\ufffd"),  # lone surrogates (JSON "\ud83d" escapes) cannot be encoded
}
"""Enclosed labels, rewritten as bracketed ones before NFKC (which would make ① a bare 1); lone surrogates replaced."""

_CJK = f"[{CJK_CHARS}]"
_TAILS = (
    "です|でした|でしょう|だ|である|となり|になり|が|は|を|と|も|の|に|か|や|"
    "选项|選項|项|項|是|为|為|正确|正確|对的|對的|错|錯|不|吧|呢|啊|和|或|还是|還是|都|也|番|号|號"
)
"""What may follow a label directly in Japanese or Chinese ("Bです", "アが正解", "选B项", "乙是正确的")."""
_RIGHT = rf"(?:(?!{_CJK})|(?=・|{_TAILS}))"
_LATIN = (
    rf"(?<![A-Za-z0-9_\-&+/])(?<![A-Za-z][.'’])[A-Za-z](?![A-Za-z0-9_\-&+#/])(?!['’][A-Za-z])(?!\.[A-Za-z0-9]){_RIGHT}"
)
_DIGIT = rf"(?<![A-Za-z0-9_.,\-])[0-9]{{1,2}}(?![A-Za-z0-9_%])(?![.,][0-9]){_RIGHT}"
_KANA = f"[{_GOJUON}{_IROHA}{_HIRAGANA_IROHA}{_STEMS}]"
_OPEN = r"(?:\\boxed\{|\\text(?:bf)?\{|\\mathrm\{|\*{1,2}|[(\[「『【〔〈《\"“'‘<{])"
_CLOSE = r"(?:\}|\*{1,2}|[)\]」』】〕〉》\"”'’>])"
_PREFIX = r"(?:\b(?i:option|choice|alternative|letter)[ \t]*|(?:选项|選項|選択肢|第)[ \t]*)"


def _token_regex(kana_left: str) -> re.Pattern[str]:
    """A label with its prefix and brackets; `kana_left` is the look-behind a kana or stem label needs."""
    core = rf"{_LATIN}|{_DIGIT}|{kana_left}{_KANA}(?!ー){_RIGHT}"
    return re.compile(rf"(?P<pre>{_PREFIX})?(?P<open>{_OPEN}{{0,3}})(?P<core>{core})(?P<close>{_CLOSE}{{0,3}})")


_TOKEN = _token_regex(rf"(?:(?<!{_CJK})|(?<=[・とかや和或及与與])|(?<=选项)|(?<=選項)|(?<=選択肢)|(?<=第))")
"""A label found by scanning: a kana or Han label must not be part of a word."""
_TOKEN_AT = _token_regex("")
"""A label right after a marker ("正解はイ")."""

_STRONG = re.compile(
    r"(?i:(?<!wrong )(?<!incorrect )(?<!false )\b(?:answer|option|choice|solution|pick|selection)s?"
    r"(?:\s+(?:to|for|of)\s+(?:this|the|that)\s+(?:question|problem))?"
    r"(?:'s\b|[\"”']?\s*(?:(?:is|would\s+be|should\s+be|must\s+be|will\s+be)\b|[=:])|\s+-(?=\s))"
    r"|\b(?:i|we)(?:\s+would|'d|\s+will|'ll|\s+should|\s+must|\s+(?:am|are)\s+going\s+to|'m\s+going\s+to)?"
    r"\s+(?:choose|chose|pick|picked|select|selected|go\s+with|went\s+with|opt\s+for|vote\s+for)\b"
    r"|\blet(?:'s|\s+us|\s+me)\s+(?:go\s+with|choose|pick|select)\b|\bgoing\s+with\b|\bans\b\.?\s*[:=])"
    r"|\\boxed\{(?:\\text(?:bf)?\{)?"
    r"|(?<![不非误誤错錯])(?:(?:正确|正確|最终|最終|标准|標準|正しい)?(?:答案|答え|解答|回答|正解|正答|结论|結論|答)"
    r"|正しい(?:選択肢|もの|の)|選(?:ぶ|んだ|びます|択する)(?:の|もの)|(?:正确|正確|对|對)的(?:选项|選項|答案)?|(?:正确|正確)(?:选项|選項))"
    r"[ \t]*(?:应该|應該|应当|應當|应|應|就|肯定|当然|當然|则|則)?[ \t]*(?:是|为|為|选|選|は|:|=)"
    r"|(?<![不别別])[选選](?:择|擇|出)?(?![项項择擇])"
)
"""Words that name the answer that follows them."""
_WEAK = re.compile(
    r"(?:(?i:\b(?:therefore|thus|hence|so|consequently|accordingly|in\s+conclusion|in\s+summary|to\s+conclude|overall"
    r"|(?:that|which|this)\s+leaves(?:\s+us\s+with)?|leaving(?:\s+us\s+with)?|i\s+(?:think|believe|guess|say)"
    r"|i(?:'d|\s+would)\s+say|my\s+guess\s+is)\b)"
    r"|所以|因此|因而|故而|故|综上所述|綜上所述|综上|綜上|总之|總之|我认为|我認為|我觉得|我覺得|应该是|應該是"
    r"|よって|したがって|従って|つまり|ゆえに|故に|以上より|以上から|結論として|なので|だから)[ \t]*[,，、:]?[ \t]*(?:是|选|選)?"
)
"""Words that lead to a conclusion; what follows counts only when it ends the clause ("Therefore: D")."""
_POST = re.compile(
    r"[ \t)\]」』】*]*(?:(?i:(?:is|would\s+be|must\s+be|should\s+be)\s+(?:the\s+)?(?:(?:correct|right|best"
    r"|most\s+(?:appropriate|accurate|likely|plausible|suitable))\b(?!\s+only)|answer\b))"
    r"|が(?:正解|正しい|答え|適切|最も適切|妥当|正答)|は(?:正解|正しい|適切)|(?:选项|選項|项|項)?是?(?:正确|正確|对的|對的)(?![吗嗎])"
    r"|(?:是|为|為)(?:正确|正確)?(?:的)?(?:答案|选项|選項)|を選(?:ぶ|び|んだ|択))"
)
"""What, after a label, says it is the answer ("B is correct", "アが正解", "C项正确")."""
_WRONG = re.compile(
    r"[ \t)\]」』】*]*(?:(?i:(?:is|was|seems|looks|appears|would\s+be)\s+(?:(?:clearly|definitely|also|probably"
    r"|obviously|certainly)\s+)?(?:not\b|wrong|incorrect|false|invalid|unlikely|implausible|eliminated|ruled\s+out)"
    r"|isn't\b|can\s+be\s+(?:eliminated|ruled\s+out))"
    r"|は(?:誤|間違|不正解|正しくない|違|不適)|が(?:誤|間違)|(?:项|項)?是?(?:错|錯|不对|不對|不正确|不正確|排除)"
    r"|ではな|じゃな|でな|以外"
    r"|[ \t]*[:：\-–—][ \t]*(?:(?i:wrong|incorrect|false|not\s+correct)\b|誤|間違|错|錯|不正确|不正確|不对|不對|[×✕✗❌]))"
)
"""What, after a label, rejects it ("A is wrong", "A: incorrect", "アは誤り", "ウ：×", "A项错误", "Aではなく")."""
_NEGATED = re.compile(
    r"(?:(?i:\b(?:not|neither|nor|except|than|besides|excluding|instead\s+of|isn't|aren't|wasn't)|n't"
    r"|\b(?:wrong|incorrect|false)\s+(?:answer|option|choice|one)s?\s+(?:is|are)\s*:?)"
    r"|不是|而非|并非|並非|除了|排除|不选|不選|别选|別選)[ \t]*$"
)
"""What, before a label, rejects it ("not A", "rather than B", "the wrong answer is C", "不是A")."""
_ALTERNATIVE = re.compile(
    r"[ \t]*(?:(?i:,|/|\bor\b|\band\b|&|\bvs\.?)|、|，|或者|或|还是|還是|和|及び|及|か|と|および|ないし)[ \t]*"
    r"(?i:(?:either|also|maybe|perhaps)\s+)?"
)
_TERMINAL = re.compile(
    r"[ \t*)\]」』】〕〉》\"”'’}>]*(?:$|\n|[.。!！,，;；:：、]|です|でした|だ|である|となります|になります|吧)"
)
"""What ends the clause after a label."""
_WORD = re.compile(r"[^\W\d_]")
_TEXT_END = re.compile(r"[\s*)\]」』】〕〉》\"”'’}>.。!！]*\Z")
_CLAUSE_START = re.compile(r"(?:^|[.:。!！?？,，、;；\n]|→|=>|=)[ \t*]*\Z")
_SEPARATOR = re.compile(r"[ \t]*([.)）:：\-–—])?[ \t]*")
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][A-Za-z'’]*)")
_LABEL_WORD = re.compile(
    r"(?i:is|was|seems|looks|appears|would|could|might|must|should|can|cannot|can't|will|does|doesn't|has|and|or|nor"
    r"|because|since|as|but|then|also|too|fits|matches|describes|states|says|gives|correctly|best|only|isn't|wasn't"
    r"|vs|versus|here|instead|alone|either)"
)
"""Words after "A" or "I" that make it a label ("A is wrong") rather than an article or pronoun ("A good one")."""
_GAP = re.compile(r"[ \t]*(?:[,，、:：][ \t]*)?(?:\n[ \t]*){0,3}")
_SENTENCE_END = re.compile(r"\n|[。!！?？]|\.(?![0-9])")
_LINE_END = re.compile(r"\n")
_CONTINUATION = re.compile(r"\n\s*(?:(?i:question|problem|q)|質問|問題|问题|問)\s*[0-9]*\s*[:.]")
"""A new question the model went on to write (few-shot completions often do); its answer is not this one's."""
_NEGATED_TEXT = re.compile(
    r"(?:\b(?:not|neither|nor|except|than|isnt|wasnt|arent|dont|doesnt)|不是|而非|并非|並非|除了)\s*$"
)
_NUMBER = re.compile(r"[0-9. ]+")
_WORDS = re.compile(r"[^\W_]+")
_JOINT = re.compile(r"(?:or|and|vs|或者|或|还是|還是|和|か|と)\s*")
"""A conjunction between two option texts in normalized text ("tokyo or kyoto")."""
_LABELISH = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]|[0-9]{1,2})(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Choice:
    """What an answer chose: the label (None when unparsed), how it was found, and the text that decided."""

    label: str | None
    how: str
    """"marked", "label" or "option text"; when unparsed "ambiguous", "not an option" or "no answer"."""
    match: str
    """The deciding text, as read after NFKC (full-width folded: "答案：Ｃ" shows as "答案:C")."""


@dataclass(frozen=True)
class _Options:
    """A sample's options, prepared once: labels, normalized texts, and where option texts hide label letters."""

    labels: str
    texts: tuple[str, ...]
    norms: tuple[str, ...]
    language: str
    digits: bool
    """Whether a bare digit may be a label: not when some option is itself a number."""
    covers: tuple[re.Pattern[str], ...]
    """Option texts containing a lone letter or number ("Vitamin C"), so that letter is not read as a label."""


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
        """Score `output` against the sample's references; the detail says what was chosen, how and from what text."""
        found = find_choice(output, sample.choices, self.language)
        detail = {"chosen": found.label, "how": found.how, "match": found.match}
        if found.label is None:
            return Score(0.0, {"accuracy": 0.0}, detail, unparsed=True)
        value = float(found.label in sample.references)
        return Score(value, {"accuracy": value}, detail)


def parse_choice(output: str, choices: tuple[str, ...], language: str = "") -> str | None:
    """The label (A, B, …) an answer picks, or None when it names no single option."""
    return find_choice(output, choices, language).label


def find_choice(output: str, choices: tuple[str, ...], language: str = "") -> Choice:
    """Which option an answer picks and how that was decided (see the module docstring)."""
    options = _options(tuple(choices), language)
    text = unicodedata.normalize("NFKC", output.translate(_CIRCLED))
    cut = _CONTINUATION.search(text)
    if cut and text[: cut.start()].strip():
        first = _find(text[: cut.start()], options)
        if first.label is not None:
            return first
    return _find(text, options)


@lru_cache(maxsize=256)
def _options(choices: tuple[str, ...], language: str) -> _Options:
    """Prepare a sample's options for matching."""
    norms = tuple(normalize(c, language) for c in choices)
    digits = not any(n and _NUMBER.fullmatch(n) for n in norms)
    covers = []
    for choice in choices:
        text = unicodedata.normalize("NFKC", choice).strip()
        words = _WORDS.findall(text)
        if len(words) > 1 and _LABELISH.search(text):
            covers.append(
                re.compile(r"(?<![^\W_])" + r"[\W_]*".join(map(re.escape, words)) + r"(?![^\W_])", re.IGNORECASE)
            )
    return _Options(LABELS[: len(choices)], tuple(choices), norms, language, digits, tuple(covers))


def _find(text: str, options: _Options) -> Choice:
    """The choice in prepared (NFKC) text: marked answers, else loose labels, else option texts."""
    if not text.strip():
        return Choice(None, "no answer", "")
    tokens = _scan(text, options)
    return (
        _marked(text, tokens, options)
        or _loose(text, tokens, options)
        or _by_text(text, options)
        or _stray(text, options)
    )


def _stray(text: str, options: _Options) -> Choice:
    """Nothing chosen: "not an option" when the answer is just a label beyond the options ("E" of four), else none."""
    match = _TOKEN.fullmatch(text.strip().rstrip(".。"))
    if match and match["core"].isupper() and _token(match, options).index < 0:
        return Choice(None, "not an option", match[0])
    return Choice(None, "no answer", "")


def _token(match: re.Match[str], options: _Options) -> _Token:
    """A matched label with the option index it names (-1 when it names none)."""
    core = match["core"]
    n = len(options.labels)
    if core.isdigit():
        index, kind = int(core) - 1, "digit"
    elif core.isascii():
        index, kind = ord(core.upper()) - ord("A"), "upper" if core.isupper() else "lower"
    elif core in _HIRAGANA_IROHA:
        index, kind = _HIRAGANA_IROHA.index(core), "hiragana"
    elif core in _STEMS:
        index, kind = _STEMS.index(core), "stem"
    else:
        index, kind = _kana_index(core, n), "katakana"
    decorated = bool(match["open"] and match["close"])
    index = index if 0 <= index < n else -1
    return _Token(match.start(), match.end(), index, kind, core, match[0], decorated, bool(match["pre"]))


def _kana_index(kana: str, n: int) -> int:
    """A katakana label's position: gojūon (ア イ ウ …) first, iroha (ロ ハ ニ …) beyond the gojūon options."""
    gojuon = _GOJUON.find(kana)
    if 0 <= gojuon < n:
        return gojuon
    iroha = _IROHA.find(kana)
    return iroha if 0 < iroha < n else -1


def _scan(text: str, options: _Options) -> list[_Token]:
    """Every label standing on its own in the text that names an option."""
    covered = _Spans([m.span() for pattern in options.covers for m in pattern.finditer(text)])
    tokens = []
    for match in _TOKEN.finditer(text):
        token = _token(match, options)
        if token.index < 0 or covered.contain(token.start, token.end):
            continue
        if _acceptable(text, token, options, alone=_alone(text, token, options)):
            tokens.append(token)
    return tokens


def _acceptable(text: str, token: _Token, options: _Options, alone: bool, marked: bool = False) -> bool:
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


def _article(text: str, token: _Token, options: _Options) -> bool:
    """Whether a bare "A" or "I" is the English article or pronoun ("A good answer", "I think")."""
    word = _NEXT_WORD.match(text, token.end)
    if not word or len(word[1]) == 1 or _LABEL_WORD.fullmatch(word[1]):
        return False
    return _option_after(text, token, options)[0] != token.index


def _option_after(text: str, token: _Token, options: _Options) -> tuple[int | None, bool]:
    """The option whose text follows a label, and whether a separator (")", ":", "-") joins them."""
    sep = _SEPARATOR.match(text, token.end)
    mark = sep[1] or ""
    joined = bool(mark and mark != ".") or token.text[-1] in ")]」』】" or (mark == "." and _starts_line(text, token))
    return _option_at(text, sep.end(), options), joined


def _starts_line(text: str, token: _Token) -> bool:
    """Whether only blanks, bullets or emphasis come before a label on its line."""
    window = max(0, token.start - 80)
    line_start = text.rfind("\n", window, token.start) + 1
    return not (window and not line_start) and not text[line_start : token.start].strip(" \t*#>-•・")


def _alone(text: str, token: _Token, options: _Options) -> bool:
    """Whether a label stands alone on its line, perhaps followed by its own option text."""
    if not _starts_line(text, token):
        return False
    line_end = text.find("\n", token.end, token.end + 2 * len(options.texts[token.index]) + 40)
    if line_end < 0 and len(text) - token.end > 2 * len(options.texts[token.index]) + 40:
        return False
    rest = normalize(text[token.end : line_end if line_end >= 0 else len(text)], options.language)
    return not rest or rest == options.norms[token.index]


def _ends_clause(text: str, token: _Token, options: _Options) -> bool:
    """Whether a label ends its clause, says it is correct, or is followed by its own option text."""
    if _TERMINAL.match(text, token.end) or _POST.match(text, token.end):
        return True
    return _option_after(text, token, options)[0] == token.index


def _rejected(text: str, token: _Token) -> bool:
    """Whether a label is negated or called wrong ("not A", "A is wrong", "アは誤り")."""
    return bool(_NEGATED.search(text, max(0, token.start - 24), token.start) or _WRONG.match(text, token.end))


def _marked(text: str, tokens: list[_Token], options: _Options) -> Choice | None:
    """The last marked answer: a label or option text after a marker, or a label followed by "is correct"."""
    found: list[tuple[int, Choice]] = []
    for pattern, weak in ((_STRONG, False), (_WEAK, True)):
        for marker in pattern.finditer(text):
            answer = _answer_at(text, marker.start(), marker.end(), options, weak)
            if answer:
                found.append(answer)
    for before, token in zip([None, *tokens], tokens):
        post = _POST.match(text, token.end)
        if not post or _NEGATED.search(text, max(0, token.start - 24), token.start):
            continue
        span = text[token.start : post.end()].strip()
        if before and before.index != token.index and _ALTERNATIVE.fullmatch(text, before.end, token.start):
            found.append((token.start, Choice(None, "ambiguous", text[before.start : post.end()])))
        else:
            found.append((token.start, _checked(text, token, options, span)))
    return max(found, key=lambda f: f[0])[1] if found else None


def _answer_at(text: str, start: int, end: int, options: _Options, weak: bool) -> tuple[int, Choice] | None:
    """The answer a marker at text[start:end] names, with its position, or None when it names none."""
    at = _GAP.match(text, end).end()
    match = _TOKEN_AT.match(text, at)
    index = _option_at(text, at, options, exact=weak)
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
    span = text[start : _sentence_end(text, at)].strip()
    return at, Choice(None, "ambiguous", span) if index < 0 else Choice(options.labels[index], "marked", span)


def _checked(text: str, token: _Token, options: _Options, span: str) -> Choice:
    """A marked label's choice, unless another option is named with it ("A or B", "B: <text of A>")."""
    other = _ALTERNATIVE.match(text, token.end)
    match = other and _TOKEN_AT.match(text, other.end())
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


def _option_at(text: str, at: int, options: _Options, exact: bool = False) -> int | None:
    """The option whose text starts the line at `at` (or is the whole sentence, when `exact`; -1 if two are offered)."""
    said = normalize(text[at : _sentence_end(text, at, _SENTENCE_END if exact else _LINE_END)], options.language)
    best = _prefix_option(said, options)
    if best is None or (exact and said != options.norms[best]):
        return None
    rest = said[len(options.norms[best]) :].lstrip()
    if rest.startswith(("ではな", "じゃな", "でな", "以外", "不对", "不對", "错", "錯")):
        return None
    joint = _JOINT.match(rest)
    if joint:
        second = _prefix_option(rest[joint.end() :], options)
        if second is not None and second != best:
            return -1
    return best


def _prefix_option(said: str, options: _Options) -> int | None:
    """The option with the longest normalized text that `said` starts with, at a word boundary."""
    hits = [(len(norm), i) for i, norm in enumerate(options.norms) if norm and said.startswith(norm)]
    hits = [(length, i) for length, i in hits if _boundary(said, length)]
    return max(hits)[1] if hits else None


def _boundary(said: str, i: int) -> bool:
    """Whether position i of normalized text is not inside a Latin word or number."""
    if i <= 0 or i >= len(said):
        return True
    left, right = said[i - 1], said[i]
    return not (left.isascii() and left.isalnum() and right.isascii() and right.isalnum())


def _loose(text: str, tokens: list[_Token], options: _Options) -> Choice | None:
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
    if not _TEXT_END.match(text, last.end) or not _CLAUSE_START.search(text, max(0, last.start - 8), last.start):
        return []
    before = tokens[-2] if len(tokens) > 1 else None
    return [] if before and not _WORD.search(text, before.end, last.start) else [last]


def _names(text: str, token: _Token, options: _Options) -> set[int]:
    """The options a loose label names: its own, plus another's whose text it introduces ("B) <text of A>")."""
    follows, joined = _option_after(text, token, options)
    return {token.index, follows} if joined and follows is not None else {token.index}


def _by_text(text: str, options: _Options) -> Choice | None:
    """The one option whose text the answer is or mentions (not negated, not inside a longer option's text)."""
    said = normalize(text, options.language)
    if not said:
        return None
    if said in options.norms:
        index = options.norms.index(said)
        return Choice(options.labels[index], "option text", options.texts[index])
    spans = []
    for i, norm in enumerate(options.norms):
        start = said.find(norm) if norm else -1
        while start >= 0:
            end = start + len(norm)
            if _boundary(said, start) and _boundary(said, end) and not _negated_text(said, start, end):
                spans.append((start, end, i))
            start = said.find(norm, start + 1)
    longer = _Spans([(s, e) for s, e, _ in spans])
    kept = {i for s, e, i in spans if not longer.contain(s, e, strictly=True)}
    if len(kept) == 1:
        index = kept.pop()
        return Choice(options.labels[index], "option text", options.texts[index])
    if kept:
        return Choice(None, "ambiguous", ", ".join(options.texts[i] for i in sorted(kept)))
    return None


def _negated_text(said: str, start: int, end: int) -> bool:
    """Whether an option's text is negated in the normalized answer ("not lstm", "東京ではなく")."""
    return bool(_NEGATED_TEXT.search(said[max(0, start - 12) : start])) or said.startswith(
        ("ではな", "じゃな", "でな", "以外"), end
    )


def _sentence_end(text: str, at: int, end: re.Pattern[str] = _SENTENCE_END) -> int:
    """Where the sentence (or line) starting at `at` ends, looking at most 300 characters ahead."""
    stop = end.search(text, at, at + 300)
    return stop.start() if stop else min(len(text), at + 300)


class _Spans:
    """Spans of text, sorted once, asked whether one of them contains a given span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))

    def contain(self, start: int, end: int, strictly: bool = False) -> bool:
        """Whether a span contains text[start:end] (when `strictly`, one that is also longer)."""
        before = bisect_left(self.starts, start)
        if before and self.reach[before - 1] >= end:
            return True
        upto = bisect_right(self.starts, start)
        return upto > before and self.reach[upto - 1] >= (end + 1 if strictly else end)
