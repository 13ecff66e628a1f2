"""What a multiple-choice label looks like in an answer, and the words around it that mark, reject, correct or end an
answer: the regular expressions `harness.grading.choice` reads answers with, compiled once (the label vocabularies are
`harness.text.labels`)."""

from __future__ import annotations

import re

from harness.text.cjk import CJK_CHARS
from harness.text.labels import GOJUON, HIRAGANA_GOJUON, HIRAGANA_IROHA, IROHA, STEMS

CJK = f"[{CJK_CHARS}]"
TAILS = (
    "です|でした|でしょう|だ|である|となり|になり|が|は|を|と|も|の|に|か|や|"
    "选项|選項|项|項|是|为|為|正确|正確|对的|對的|错|錯|不|吧|呢|啊|和|或|还是|還是|都|也|番|号|號"
)
"""What may follow a label directly in Japanese or Chinese ("Bです", "アが正解", "选B项", "乙是正确的")."""
RIGHT = rf"(?:(?!{CJK})|(?=・|{TAILS}))"
LATIN = (
    rf"(?<![A-Za-z0-9_\-&+/])(?<![A-Za-z][.'’])[A-Za-z](?![A-Za-z0-9_\-&+#/])(?!['’][A-Za-z])(?!\.[A-Za-z0-9]){RIGHT}"
)
DIGIT = rf"(?<![A-Za-z0-9_.,\-])[0-9]{{1,2}}(?![A-Za-z0-9_%])(?![.,][0-9]){RIGHT}"
KANA = f"[{GOJUON}{IROHA}{HIRAGANA_GOJUON}{HIRAGANA_IROHA}{STEMS}]"
OPEN = r"(?:\\boxed\{|\\text(?:bf)?\{|\\mathrm\{|\*{1,2}|[(\[「『【〔〈《\"“'‘<{])"
CLOSE = r"(?:\}|\*{1,2}|[)\]」』】〕〉》\"”'’>])"
PREFIX = r"(?:\b(?i:option|choice|alternative|letter)[ \t]*|(?:选项|選項|選択肢|第)[ \t]*)"


def token_regex(kana_left: str) -> re.Pattern[str]:
    """A label with its prefix and brackets; `kana_left` is the look-behind a kana or stem label needs."""
    core = rf"{LATIN}|{DIGIT}|{kana_left}{KANA}(?!ー){RIGHT}"
    return re.compile(rf"(?P<pre>{PREFIX})?(?P<open>{OPEN}{{0,3}})(?P<core>{core})(?P<close>{CLOSE}{{0,3}})")


TOKEN = token_regex(rf"(?:(?<!{CJK})|(?<=[・とかや和或及与與])|(?<=选项)|(?<=選項)|(?<=選択肢)|(?<=第))")
"""A label found by scanning: a kana or Han label must not be part of a word."""
TOKEN_AT = token_regex("")
"""A label right after a marker ("正解はイ")."""

STRONG = re.compile(
    r"(?i:(?<!wrong )(?<!incorrect )(?<!false )\b(?:answer|option|choice|solution|pick|selection)s?"
    r"(?:\s+(?:to|for|of)\s+(?:this|the|that)\s+(?:question|problem))?"
    r"(?:'s\b|[\"”']?\s*(?:(?:is|would\s+be|should\s+be|must\s+be|will\s+be)\b|[=:])|\s+-(?=\s))"
    r"|\b(?:i|we)(?:\s+would|'d|\s+will|'ll|\s+should|\s+must|\s+(?:am|are)\s+going\s+to|'m\s+going\s+to)?"
    r"\s+(?:choose|chose|pick|picked|select|selected|go\s+with|went\s+with|opt\s+for|vote\s+for)\b"
    r"|\blet(?:'s|\s+us|\s+me)\s+(?:go\s+with|choose|pick|select)\b|\bgoing\s+with\b|\bans\b\.?\s*[:=])"
    r"|\\boxed\{(?:\\text(?:bf)?\{)?"
    r"|(?<![不非误誤错錯])(?:(?:正确|正確|最终|最終|标准|標準|正しい)?(?:答案|答え|解答|回答|正解|正答|结论|結論|答)"
    r"|正しい(?:選択肢|もの|の)|正しく|選(?:ぶ|んだ|びます|択する)(?:の|もの)|(?:正确|正確|对|對)的(?:选项|選項|答案)?|(?:正确|正確)(?:选项|選項))"
    r"[ \t]*(?:应该|應該|应当|應當|应|應|就|肯定|当然|當然|则|則)?[ \t]*(?:是|为|為|选|選|は|:|=)"
    r"|(?<![不别別])[选選](?:择|擇|出)?(?![项項择擇])"
)
"""Words that name the answer that follows them."""
WEAK = re.compile(
    r"(?:(?i:\b(?:therefore|thus|hence|so|consequently|accordingly|in\s+conclusion|in\s+summary|to\s+conclude|overall"
    r"|(?:that|which|this)\s+leaves(?:\s+us\s+with)?|leaving(?:\s+us\s+with)?|i\s+(?:think|believe|guess|say)"
    r"|i(?:'d|\s+would)\s+say|my\s+guess\s+is)\b)"
    r"|所以|因此|因而|故而|故|综上所述|綜上所述|综上|綜上|总之|總之|我认为|我認為|我觉得|我覺得|应该是|應該是"
    r"|よって|したがって|従って|つまり|ゆえに|故に|以上より|以上から|結論として|なので|だから)[ \t]*[,，、:]?[ \t]*(?:是|选|選)?"
)
"""Words that lead to a conclusion; what follows counts only when it ends the clause ("Therefore: D")."""
POST = re.compile(
    r"[ \t)\]」』】*]*(?:(?i:(?:is|would\s+be|must\s+be|should\s+be)\s+(?:the\s+)?(?:(?:correct|right|best"
    r"|most\s+(?:appropriate|accurate|likely|plausible|suitable))\b(?!\s+only)|answer\b))"
    r"|が(?:正解|正しい|答え|適切|最も適切|妥当|正答)|は(?:正解|正しい|適切)|(?:选项|選項|项|項)?是?(?:正确|正確|对的|對的)(?![吗嗎])"
    r"|(?:是|为|為)(?:正确|正確)?(?:的)?(?:答案|选项|選項)|を選(?:ぶ|び|んだ|択))"
)
"""What, after a label, says it is the answer ("B is correct", "アが正解", "C项正确")."""
WRONG = re.compile(
    r"[ \t)\]」』】*]*(?:(?i:(?:is|was|seems|looks|appears|would\s+be)\s+(?:(?:clearly|definitely|also|probably"
    r"|obviously|certainly)\s+)?(?:not\b|wrong|incorrect|false|invalid|unlikely|implausible|eliminated|ruled\s+out)"
    r"|isn't\b|can\s+be\s+(?:eliminated|ruled\s+out))"
    r"|は(?:誤|間違|不正解|正しくない|違|不適)|が(?:誤|間違)|(?:项|項)?是?(?:错|錯|不对|不對|不正确|不正確|排除)"
    r"|ではな|じゃな|でな|以外"
    r"|[ \t]*[:：\-–—][ \t]*(?:(?i:wrong|incorrect|false|not\s+correct)\b|誤|間違|错|錯|不正确|不正確|不对|不對|[×✕✗❌]))"
)
"""What, after a label, rejects it ("A is wrong", "A: incorrect", "アは誤り", "ウ：×", "A项错误", "Aではなく")."""
CORRECTION = re.compile(
    r"(?:^|(?<=[.!?。！？,，、;；:：…\n—–-])|(?<=[.!?,;:—–-][ \t])|(?<=\.\.\.))[ \t*]*"
    r"(?:(?i:actually|wait|no(?=[ \t]*[,.!;:—–-])|oops|sorry|correction|i\s+mean|on\s+second\s+thought|on\s+reflection"
    r"|scratch\s+that|let\s+me\s+(?:reconsider|rethink|correct\s+(?:that|myself))|i\s+was\s+wrong|my\s+mistake)\b"
    r"|いや|いいえ|待って|訂正|間違え|違いました|やっぱり|やはり"
    r"|不对|不對|等一下|等等|更正|纠正|糾正|改为|改為|其实|其實|哦不|噢不)"
)
"""A word that takes back what came before ("Actually, wait", "No,", "いや", "待って", "不对", "等一下")."""
NEGATED = re.compile(
    r"(?:(?i:\b(?:not|neither|nor|except|than|besides|excluding|instead\s+of|isn't|aren't|wasn't)|n't"
    r"|\b(?:wrong|incorrect|false)\s+(?:answer|option|choice|one)s?\s+(?:is|are)\s*:?)"
    r"|不是|而非|并非|並非|除了|排除|不选|不選|别选|別選)[ \t]*$"
)
"""What, before a label, rejects it ("not A", "rather than B", "the wrong answer is C", "不是A")."""
ALTERNATIVE = re.compile(
    r"[ \t]*(?:(?i:,|/|\bor\b|\band\b|&|\bvs\.?)|、|，|或者|或|还是|還是|和|及び|及|か|と|および|ないし)[ \t]*"
    r"(?i:(?:either|also|maybe|perhaps)\s+)?"
)
TERMINAL = re.compile(
    r"[ \t*)\]」』】〕〉》\"”'’}>]*(?:$|\n|[.。!！,，;；:：、]|です|でした|だ|である|となります|になります|吧)"
)
"""What ends the clause after a label."""
WORD = re.compile(r"[^\W\d_]")
TEXT_END = re.compile(r"[\s*)\]」』】〕〉》\"”'’}>.。!！]*\Z")
CLAUSE_START = re.compile(r"(?:^|[.:。!！?？,，、;；\n]|→|=>|=)[ \t*]*\Z")
SEPARATOR = re.compile(r"[ \t]*([.)）:：\-–—])?[ \t]*")
NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][A-Za-z'’]*)")
LABEL_WORD = re.compile(
    r"(?i:is|was|seems|looks|appears|would|could|might|must|should|can|cannot|can't|will|does|doesn't|has|and|or|nor"
    r"|because|since|as|but|then|also|too|fits|matches|describes|states|says|gives|correctly|best|only|isn't|wasn't"
    r"|vs|versus|here|instead|alone|either)"
)
"""Words after "A" or "I" that make it a label ("A is wrong") rather than an article or pronoun ("A good one")."""
GAP = re.compile(r"[ \t]*(?:[,，、:：][ \t]*)?(?:\n[ \t]*){0,3}")
SENTENCE_END = re.compile(r"\n|[。!！?？]|\.(?![0-9])")
LINE_END = re.compile(r"\n")
CONTINUATION = re.compile(r"\n\s*(?:(?i:question|problem|q)|質問|問題|问题|問)\s*[0-9]*\s*[:.]")
"""A new question the model went on to write (few-shot completions often do); its answer is not this one's."""
NEGATED_TEXT = re.compile(
    r"(?:\b(?:not|neither|nor|except|than|isnt|wasnt|arent|dont|doesnt)|不是|而非|并非|並非|除了)\s*$"
)
WORDS = re.compile(r"[^\W_]+")
JOINT = re.compile(r"(?:or|and|vs|或者|或|还是|還是|和|か|と)\s*")
"""A conjunction between two option texts in normalized text ("tokyo or kyoto")."""
LABELISH = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]|[0-9]{1,2})(?![A-Za-z0-9])")
