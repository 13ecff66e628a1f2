"""Units a number may carry (parameters, tokens, layers, GB, % …) in English, Japanese and Chinese, and how one is read
after a number."""

from __future__ import annotations

import re

UNITS: dict[str, tuple[str, ...]] = {
    "parameters": ("parameters", "parameter", "params", "param", "パラメータ", "パラメーター", "参数", "參數"),
    "tokens": ("tokens", "token", "トークン", "词元", "詞元"),
    "layers": ("layers", "layer", "レイヤー", "レイヤ", "層", "层"),
    "heads": ("heads", "head", "ヘッド", "头", "頭"),
    "GB": ("gb", "gigabytes", "gigabyte", "ギガバイト", "吉字节", "吉位元組"),
    "%": ("%", "percent", "per cent", "pct", "パーセント", "百分点"),
    "‰": ("‰", "per mille", "permille", "per mil", "パーミル"),
    # Units no grader asks for in the registry yet; listed so that a number they follow is not read as another unit.
    "MB": ("mb", "megabytes", "megabyte", "メガバイト"),
    "TB": ("tb", "terabytes", "terabyte", "テラバイト"),
    "KB": ("kb", "kilobytes", "kilobyte", "キロバイト"),
    "GiB": ("gib",),
    "MiB": ("mib",),
    "TiB": ("tib",),
    "years": ("years", "year", "yrs", "年"),
    "months": ("months", "month", "か月", "ヶ月", "ヵ月", "カ月", "个月", "個月", "月"),
    "days": ("days", "day", "日", "天"),
    "hours": ("hours", "hour", "hrs", "時間", "小时", "小時"),
    "minutes": ("minutes", "minute", "mins", "分钟", "分鐘", "分"),
    "seconds": ("seconds", "second", "secs", "秒"),
    "experts": ("experts", "expert", "エキスパート", "专家", "專家"),
    "GPUs": ("gpus", "gpu"),
    "steps": ("steps", "step", "ステップ"),
    "epochs": ("epochs", "epoch", "エポック"),
    "dimensions": ("dimensions", "dimension", "dims", "次元", "维", "維"),
    "languages": ("languages", "language", "言語", "语言", "語言"),
    "times": ("times", "倍"),
}
"""Known units and their aliases (English in lower case, Japanese, Chinese); a `unit` outside the table is its own
only alias. The first six are the ones the numeric evals name; ‰
is there so that a per-mille number is a proportion too."""

_UNIT_OF_ALIAS = {alias: name for name, aliases in UNITS.items() for alias in aliases}
_UNIT_ALIAS = re.compile(
    "|".join(
        re.escape(alias) + ("(?![a-z])" if alias[-1].isascii() and alias[-1].isalpha() else "")
        for alias in sorted(_UNIT_OF_ALIAS, key=len, reverse=True)
    )
)
"""Any alias of a known unit, longest first; a Latin alias must end a word ("head" is not the start of "headline")."""

_UNIT_LEAD = re.compile(r"\s*(?:-\s*)?(?:[个個]\s*)?(?:の\s*)?")
"""What may stand between a number and its unit: a hyphen (2048-token), a counter (个, 個) or の."""
_GLUED_AFTER = re.compile(r"[A-Za-z]+")


def unit_after(text: str, end: int) -> str | None:
    """The known unit that follows position `end` (its longest alias that fits), else glued letters, else None."""
    lead = _UNIT_LEAD.match(text, end)
    start = lead.end() if lead else end
    known = _UNIT_ALIAS.match(text[start : start + 24].casefold())
    if known is not None:
        return _UNIT_OF_ALIAS[known.group()]
    glued = _GLUED_AFTER.match(text, end)
    return glued.group() if glued else None


def unit_aliases(unit: str) -> tuple[str, tuple[str, ...]]:
    """The canonical name and aliases of a grader's `unit` (any alias of a known unit names that unit)."""
    folded = unit.casefold()
    for name, aliases in UNITS.items():
        if folded == name.casefold() or folded in aliases:
            return name, aliases
    return unit, (folded,)
