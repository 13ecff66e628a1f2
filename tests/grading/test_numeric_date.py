"""The numeric and date graders: values compared however they are written, in English, Japanese and Chinese."""

from __future__ import annotations

import dataclasses
import datetime
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.grading.dates import DateGrader, PartialDate, find_dates, parse_date
from harness.grading.numeric import NumericGrader, find_numbers, parse_number
from harness.types import Sample


def sample(*references: str) -> Sample:
    return Sample(id="s", fields={}, references=tuple(references))


def numeric(output: str, *references: str, language: str = "en", **options: object) -> float:
    score = NumericGrader(language, **options).grade(output, sample(*references))  # type: ignore[arg-type]
    json.dumps(score.detail)  # every detail is JSON
    assert score.metrics == {"accuracy": score.value}
    return score.value


def date(output: str, *references: str, language: str = "en") -> float:
    score = DateGrader(language).grade(output, sample(*references))
    json.dumps(score.detail)
    assert score.metrics == {"accuracy": score.value}
    return score.value


# ---------------------------------------------------------------------------------------------------------------------
# numeric: what equals 175 billion

GPT3_PARAMETERS = [
    ("en", "175 billion"),
    ("en", "175B"),
    ("en", "175bn"),
    ("en", "175 Billion"),
    ("en", "1.75e11"),
    ("en", "1.75E+11"),
    ("en", "1.75 × 10^11"),
    ("en", "1.75×10¹¹"),
    ("en", "175,000,000,000"),
    ("en", "175000000000"),
    ("en", "0.175 trillion"),
    ("en", "175,000 million"),
    ("en", "one hundred seventy-five billion"),
    ("en", "One hundred and seventy-five billion parameters."),
    ("en", "GPT-3 has 175 billion parameters"),
    ("en", "GPT-3 (175B) was released in 2020."),
    ("ja", "1750億"),
    ("ja", "１７５０億"),
    ("ja", "１，７５０億"),
    ("ja", "1,750億"),
    ("ja", "千七百五十億"),
    ("ja", "一千七百五十億"),
    ("ja", "GPT-3は1750億個のパラメータを持ちます。"),
    ("ja", "パラメータ数は約1750億です"),
    ("zh-Hans", "1750亿"),
    ("zh-Hans", "1,750亿"),
    ("zh-Hans", "一千七百五十亿"),
    ("zh-Hans", "GPT-3有1750亿个参数。"),
    ("zh-Hans", "参数量为１７５０亿"),
    ("zh-Hant", "一千七百五十億"),
    ("zh-Hant", "GPT-3 有 1,750 億個參數"),
]


@pytest.mark.parametrize(("language", "output"), GPT3_PARAMETERS)
@pytest.mark.parametrize("reference", ["175 billion", "175B", "1750億", "175,000,000,000"])
def test_numbers_written_any_way_compare_by_value(language: str, output: str, reference: str) -> None:
    assert numeric(output, reference, language=language) == 1.0


NUMERIC_CASES = [
    # (language, output, reference, expected)
    ("ja", "15億", "1.5 billion", 1.0),
    ("ja", "15億", "15 billion", 0.0),
    ("en", "1.5 billion", "15 billion", 0.0),
    ("ja", "17億5000万", "1.75 billion", 1.0),
    ("ja", "17億5000万", "1,750,000,000", 1.0),
    ("zh-Hans", "17亿5000万", "1750000000", 1.0),
    ("zh-Hans", "3.5万", "35000", 1.0),
    ("zh-Hans", "3.5万", "35,000", 1.0),
    ("zh-Hans", "三万五千", "3.5万", 1.0),
    ("zh-Hant", "3.5萬", "35000", 1.0),
    ("zh-Hans", "0.29亿", "29000000", 1.0),  # exact decimal arithmetic (no float truncation to 28999999)
    ("zh-Hans", "1.5万亿", "1.5 trillion", 1.0),
    ("ja", "3.5千万", "35 million", 1.0),
    ("ja", "1兆", "1 trillion", 1.0),
    ("ja", "2.6兆トークン", "2.6T", 1.0),
    ("en", "50%", "50", 1.0),
    ("en", "50 percent", "50%", 1.0),
    ("en", "50%", "0.5", 1.0),  # a percentage is also its proportion (was 0 before issue 14)
    ("ja", "５０％", "50%", 1.0),
    ("ja", "50パーセント", "50%", 1.0),
    ("zh-Hans", "百分之五十", "50%", 1.0),
    ("zh-Hans", "百分之五", "5%", 1.0),
    ("zh-Hans", "百分之五", "100", 0.0),  # the 百 of 百分之 is no number
    ("en", "twelve", "12", 1.0),
    ("en", "There are twelve layers.", "12", 1.0),
    ("ja", "十二", "12", 1.0),
    ("en", "12 layers", "12", 1.0),
    ("ja", "96層", "96", 1.0),
    ("zh-Hans", "96层", "96", 1.0),
    ("ja", "九十六層", "96 layers", 1.0),
    ("en", "2048 tokens", "2048", 1.0),
    ("en", "2,048 tokens", "2048", 1.0),
    ("zh-Hans", "两千零四十八", "2048", 1.0),
    ("zh-Hant", "兩千", "2000", 1.0),
    ("ja", "千二百", "1200", 1.0),
    ("en", "2K tokens", "2048", 0.0),
    ("en", "16k", "16000", 1.0),
    ("en", "1.5M", "1,500,000", 1.0),
    ("en", "a million", "1000000", 1.0),
    ("en", "five thousand", "5000", 1.0),
    ("en", "10^11", "1e11", 1.0),
    ("en", "3.50", "3.5", 1.0),
    ("en", "0.1 billion", "100000000", 1.0),  # float noise is not a difference
    ("en", ".5", "0.5", 1.0),
    ("ja", "１２", "12", 1.0),
    ("ja", "１．５億", "150000000", 1.0),
    # values that differ
    ("en", "175", "1750", 0.0),
    ("ja", "175億", "1750億", 0.0),
    ("en", "175", "175 billion", 0.0),
    ("en", "175 million", "175 billion", 0.0),
    ("zh-Hans", "1750万", "1750亿", 0.0),
    ("en", "1,750", "1.75", 0.0),
    ("en", "12", "21", 0.0),
    # negatives
    ("en", "-5", "5", 0.0),
    ("en", "The low was -5 degrees", "-5", 1.0),
    ("en", "−3.5", "-3.5", 1.0),
    ("en", "minus five", "-5", 1.0),
    ("zh-Hans", "负五", "-5", 1.0),
    ("ja", "マイナス5", "-5", 1.0),
    ("en", "10-20", "-20", 0.0),  # a range, not a negative number
    ("en", "10-20", "20", 0.0),  # a range commits to no one value
    ("en", "10-20", "10-20", 1.0),  # but answers the same range
    ("en", "10 to 20", "10〜20", 1.0),
    # zero
    ("en", "0", "0", 1.0),
    ("en", "0.0", "0", 1.0),
    ("en", "zero", "0", 1.0),
    ("zh-Hans", "零", "0", 1.0),
    ("en", "0.001", "0", 0.0),
    # years are numbers too
    ("en", "It was released in 2020.", "2020", 1.0),
    ("ja", "2020年に公開", "2020", 1.0),
    # names, ordinals and other weak numbers count only when nothing else is there
    ("en", "GPT-3 was released in 2020", "3", 0.0),
    ("en", "GPT-3 has 175B parameters", "3", 0.0),
    ("en", "GPT-3 was released", "3", 1.0),  # the only number: documented fallback
    ("en", "GPT-4o scores 88.7", "4", 0.0),
    ("en", "COVID-19 caused 500 cancellations", "19", 0.0),
    ("en", "An A100 has 80 GB", "100", 0.0),
    ("en", "An A100 has 80 GB", "80", 1.0),
    ("en", "Llama-2-70B", "70 billion", 1.0),
    ("en", "It came 2nd of 5", "2", 0.0),
    ("en", "2nd", "2", 1.0),
    ("en", "version 1.2.3 has 12 layers", "3", 0.0),
    ("en", "The answer is one.", "1", 1.0),
    ("en", "It is one of the best, with 96 layers", "1", 0.0),
    ("ja", "一般的には96層です", "1", 0.0),
    ("ja", "答えは三です", "3", 1.0),
    ("zh-Hans", "第三层有96个头", "3", 0.0),
    # any number of the output may match; references are alternatives and the first number of each is its answer
    ("en", "It is either 7 or 8", "8", 0.0),  # a hedge is no commitment
    ("en", "7 or seven", "7", 1.0),  # the same value twice is
    ("en", "96", "95", 0.0),
    ("en", "twenty", "12", 0.0),
    ("en", "175B", "175B (175,000,000,000)", 1.0),
    ("en", "20", "between 10 and 20", 0.0),  # a range reference is answered by the range
    ("en", "10", "between 10 and 20", 0.0),
    ("en", "from 10 to 20", "between 10 and 20", 1.0),
    ("en", "175 billion", "GPT-3: 175B", 1.0),
    # no number at all, or no finite one
    ("en", "I don't know.", "12", 0.0),
    ("en", "infinity", "inf", 0.0),
    ("en", "1e999", "1e999", 0.0),
    ("en", "NaN", "NaN", 0.0),
    ("en", "12", "no idea", 0.0),
    # vague quantities are no numbers, or weak ones
    ("en", "millions of users", "1000000", 0.0),
    ("en", "hundreds of millions of people", "100", 0.0),
    ("en", "several thousand", "1000", 0.0),
    ("zh-Hans", "数百万用户，其中3万活跃", "1000000", 0.0),
    ("ja", "数十億", "1000000000", 1.0),  # weak, but the only number
    # thin, no-break and plain spaces group digits (plain ones only in whole groups of three: was 0 before issue 14)
    ("en", "1\u202f000\u202f000", "1000000", 1.0),
    ("en", "175\u00a0000", "175000", 1.0),
    ("en", "1 000 000", "1000000", 1.0),
    # Chinese variants that only kanjize reads
    ("zh-Hans", "千亿", "100 billion", 1.0),
    ("zh-Hant", "千七百五十萬", "17500000", 1.0),
    ("zh-Hans", "1,750 亿", "175B", 1.0),
    ("zh-Hans", "三点五", "3.5", 1.0),
    ("ja", "一億七千五百万", "175,000,000", 1.0),
]


@pytest.mark.parametrize(("language", "output", "reference", "expected"), NUMERIC_CASES)
def test_numeric_cases(language: str, output: str, reference: str, expected: float) -> None:
    assert numeric(output, reference, language=language) == expected


def test_any_reference_may_match() -> None:
    assert numeric("It has 96 layers", "95", "96") == 1.0
    assert numeric("It has 96 layers", "95", "97") == 0.0
    score = NumericGrader("en").grade("96", sample("95", "96"))
    assert score.detail["matched"] == "96"
    assert score.detail["reference_numbers"] == [95.0, 96.0]


TOLERANCE_CASES = [
    ("174.9 billion", "175 billion", 1.0),
    ("176.75 billion", "175 billion", 1.0),
    ("173.25 billion", "175 billion", 1.0),
    ("170 billion", "175 billion", 0.0),
    ("177 billion", "175 billion", 0.0),
    ("1749億", "1750億", 1.0),
    ("1700亿", "1750亿", 0.0),
    ("0.001", "0", 0.0),  # relative to a reference of 0, only 0 is close
    ("-174.9", "-175", 1.0),
    ("174.9", "-175", 0.0),
]


@pytest.mark.parametrize(("output", "reference", "expected"), TOLERANCE_CASES)
def test_relative_tolerance(output: str, reference: str, expected: float) -> None:
    assert numeric(output, reference, tolerance=0.01) == expected


def test_no_tolerance_means_exact() -> None:
    assert numeric("174.9 billion", "175 billion") == 0.0
    assert numeric("175.0000001 billion", "175 billion") == 0.0
    assert numeric("175,000,000,001", "175 billion") == 0.0


@pytest.mark.parametrize("tolerance", [-0.1, float("nan"), float("inf")])
def test_a_bad_tolerance_is_refused(tolerance: float) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        NumericGrader("en", tolerance=tolerance)


UNIT_CASES = [
    # (unit, language, output, reference, expected)
    ("parameters", "en", "GPT-3 has 96 layers and 175 billion parameters", "96", 0.0),
    ("parameters", "en", "GPT-3 has 96 layers and 175 billion parameters", "175B", 1.0),
    ("parameters", "en", "175 billion in total", "175B", 1.0),  # no unit follows: counts
    ("parameters", "en", "175B params", "175B", 1.0),
    ("parameters", "ja", "2020年に1750億パラメータ", "2020", 0.0),
    ("parameters", "ja", "2020年に1750億パラメータ", "1750億", 1.0),
    ("parameters", "zh-Hans", "1750亿个参数", "175B", 1.0),
    ("parameters", "zh-Hant", "1750億個參數", "175B", 1.0),
    ("layers", "en", "96 layers", "96", 1.0),
    ("layers", "en", "96-layer transformer", "96", 1.0),
    ("layers", "en", "96 heads", "96", 0.0),
    ("layers", "ja", "96層", "96", 1.0),
    ("layers", "ja", "96個の層", "96", 1.0),
    ("layers", "zh-Hans", "96层", "96", 1.0),
    ("layers", "zh-Hans", "96个头", "96", 0.0),
    ("層", "ja", "96 layers", "96", 1.0),  # a unit named by any of its aliases
    ("heads", "en", "96 attention heads", "96", 1.0),  # "attention" is no unit: nothing known follows 96
    ("tokens", "en", "2048 tokens", "2048", 1.0),
    ("tokens", "en", "a 2048-token context", "2048", 1.0),
    ("tokens", "en", "2048 layers", "2048", 0.0),
    ("tokens", "ja", "2048トークン", "2048", 1.0),
    ("tokens", "zh-Hans", "2048个词元", "2048", 1.0),
    ("tokens", "zh-Hans", "2048个token", "2048", 1.0),
    ("tokens", "en", "trained on 300B tokens", "300 billion", 1.0),
    ("GB", "en", "80GB", "80", 1.0),
    ("GB", "en", "80 gigabytes", "80", 1.0),
    ("GB", "en", "80 MB", "80", 0.0),
    ("GB", "ja", "80ギガバイト", "80", 1.0),
    ("%", "en", "50%", "50", 1.0),
    ("%", "en", "50 percent", "50", 1.0),
    ("%", "en", "50 GB", "50", 0.0),
    ("%", "zh-Hans", "百分之五十", "50", 1.0),
    ("%", "ja", "50パーセント", "50%", 1.0),
    ("%", "en", "accuracy rose 5 points to 50%", "5", 1.0),  # "points" is no known unit
    ("km", "en", "5 km", "5", 1.0),  # a unit outside the table is its own alias
    ("km", "en", "5 GB", "5", 0.0),
]


@pytest.mark.parametrize(("unit", "language", "output", "reference", "expected"), UNIT_CASES)
def test_units(unit: str, language: str, output: str, reference: str, expected: float) -> None:
    assert numeric(output, reference, language=language, unit=unit) == expected


def test_the_unit_filter_reads_the_output_only() -> None:
    assert numeric("96", "96 layers", unit="parameters") == 1.0


# ---------------------------------------------------------------------------------------------------------------------
# numeric: detail explains the verdict


def test_detail_lists_the_numbers_compared_and_why_others_were_not() -> None:
    score = NumericGrader("en", unit="parameters").grade("GPT-3 has 96 layers and 175 billion parameters", sample("3"))
    assert score.value == 0.0
    assert not score.unparsed
    assert score.detail["output_numbers"] == [175e9]
    assert score.detail["output_mentions"] == ["175 billion = 175000000000 (parameters)"]
    assert score.detail["reference_numbers"] == [3.0]
    assert score.detail["matched"] is None
    assert score.detail["unit"] == "parameters"
    ignored = " | ".join(score.detail["ignored"])
    assert "glued to letters" in ignored and "96" in ignored and "'layers'" in ignored


def test_detail_on_a_match() -> None:
    score = NumericGrader("ja", tolerance=0.01).grade("約1750億個のパラメータ", sample("175 billion"))
    assert score.value == 1.0
    assert score.detail["output_numbers"] == [175e9]
    assert score.detail["output_mentions"] == ["1750億 = 175000000000 (parameters)"]
    assert score.detail["reference_numbers"] == [175e9]
    assert score.detail["matched"] == "175 billion"
    assert score.detail["tolerance"] == 0.01


def test_an_output_without_numbers_is_unparsed() -> None:
    score = NumericGrader("en").grade("I am not sure.", sample("12"))
    assert (score.value, score.unparsed) == (0.0, True)
    assert score.detail["output_numbers"] == []
    assert "no number" in score.detail["problem"]


def test_a_reference_without_a_number_shows_none() -> None:
    score = NumericGrader("en").grade("12", sample("unknown", "12"))
    assert score.detail["reference_numbers"] == [None, 12.0]
    assert score.detail["matched"] == "12"


def test_parse_number_and_find_numbers() -> None:
    assert parse_number("一千七百五十亿") == 175e9
    assert parse_number("GPT-3") == 3.0
    assert parse_number("no number") is None
    found = find_numbers("GPT-3 has 96 layers")
    assert [(m.value, m.weak is not None, m.unit) for m in found] == [(3.0, True, None), (96.0, False, "layers")]


def test_detail_lists_are_capped() -> None:
    score = NumericGrader("en").grade(" ".join(str(n) for n in range(1000)), sample("999"))
    assert score.value == 1.0
    assert len(score.detail["output_numbers"]) <= 50


# ---------------------------------------------------------------------------------------------------------------------
# dates

JUNE_2018 = [
    ("en", "June 2018"),
    ("en", "june 2018"),
    ("en", "Jun. 2018"),
    ("en", "Jun 2018"),
    ("en", "June of 2018"),
    ("en", "2018-06"),
    ("en", "2018/6"),
    ("en", "2018/06/11"),
    ("en", "2018.06.11"),
    ("en", "June 11, 2018"),
    ("en", "11 June 2018"),
    ("en", "the 11th of June, 2018"),
    ("en", "It was released in June 2018."),
    ("en", "It was announced in May 2018 and released in June 2018."),
    ("ja", "2018年6月"),
    ("ja", "2018年06月"),
    ("ja", "2018 年 6 月"),
    ("ja", "2018年の6月"),
    ("ja", "2018年6月11日"),
    ("ja", "２０１８年６月"),
    ("ja", "２０１８／６／１１"),
    ("ja", "二〇一八年六月"),
    ("ja", "平成30年6月"),
    ("ja", "平成三十年六月十一日"),
    ("ja", "2018年6月に公開された"),
    ("zh-Hans", "2018年6月11号"),
    ("zh-Hans", "二〇一八年六月十一日发布"),
    ("zh-Hans", "它于2018年6月发布。"),
    ("zh-Hant", "2018年6月11號"),
    ("zh-Hant", "民國107年6月"),
    ("zh-Hant", "於二〇一八年六月發布"),
]


@pytest.mark.parametrize(("language", "output"), JUNE_2018)
@pytest.mark.parametrize("reference", ["2018-06", "June 2018", "2018年6月"])
def test_dates_written_any_way_compare_at_the_references_precision(language: str, output: str, reference: str) -> None:
    assert date(output, reference, language=language) == 1.0


DATE_CASES = [
    # (language, output, reference, expected)
    ("en", "2018-07", "2018-06", 0.0),
    ("en", "July 2018", "June 2018", 0.0),
    ("en", "June 2019", "June 2018", 0.0),
    ("ja", "2019年6月", "2018-06", 0.0),
    ("en", "June", "2018-06", 0.0),
    ("ja", "6月", "2018-06", 0.0),
    ("en", "2018", "2018-06", 0.0),  # less precise than the reference
    ("ja", "2018年", "2018年6月", 0.0),
    ("en", "June 2018", "2018-06-11", 0.0),
    ("en", "2018", "2018-06-11", 0.0),
    ("ja", "18年6月", "2018-06", 0.0),  # two-digit years are not read
    ("en", "Jun '18", "2018-06", 0.0),
    ("en", "6/11/18", "2018-06-11", 0.0),
    ("ja", "平成18年6月", "2018-06", 0.0),  # Heisei 18 is 2006
    ("ja", "平成18年6月", "2006-06", 1.0),
    # full dates
    ("en", "June 11, 2018", "2018-06-11", 1.0),
    ("en", "June 11th 2018", "2018-06-11", 1.0),
    ("en", "11-Jun-2018", "2018-06-11", 1.0),
    ("en", "Monday, June 11, 2018", "2018-06-11", 1.0),
    ("en", "June 12, 2018", "2018-06-11", 0.0),
    ("en", "2018-06-11T10:00:00Z", "2018-06-11", 1.0),
    ("en", "06/11/2018", "2018-06-11", 1.0),  # month/day/year in English
    ("en", "11/06/2018", "2018-06-11", 0.0),
    ("ja", "11/06/2018", "2018-06-11", 1.0),  # day/month/year otherwise
    ("en", "13/06/2018", "2018-06-13", 1.0),
    ("ja", "2018年6月11日", "June 11, 2018", 1.0),
    ("ja", "平成30年6月11日", "2018-06-11", 1.0),
    ("ja", "令和元年5月1日", "2019-05-01", 1.0),
    ("ja", "令和2年", "2020", 1.0),
    ("ja", "昭和64年1月7日", "1989-01-07", 1.0),
    ("ja", "大正元年", "1912", 1.0),
    ("zh-Hant", "民國107年6月11日", "2018-06-11", 1.0),
    ("zh-Hans", "二〇一八年六月十一日", "2018-06-11", 1.0),
    ("zh-Hans", "二〇一八年六月十二日", "2018-06-11", 0.0),
    # years
    ("en", "2018", "2018", 1.0),
    ("en", "It came out in 2018.", "2018", 1.0),
    ("en", "June 2018", "2018", 1.0),
    ("ja", "2018年6月11日", "2018", 1.0),
    ("ja", "平成30年", "2018", 1.0),
    ("ja", "2018年", "2018", 1.0),
    ("en", "2019", "2018", 0.0),
    ("ja", "18年", "2018", 0.0),
    ("en", "from 2017 to 2019", "2018", 0.0),
    ("en", "2017-2019", "2019", 0.0),  # a range of years commits to none
    ("en", "2018 June", "2018-06", 1.0),
    ("en", "2018 Jun 11", "2018-06-11", 1.0),
    ("en", "Released in 2018 may be", "2018-05", 0.0),  # the modal verb is no month
    ("en", "11th June 2018", "2018-06-11", 1.0),
    ("en", "June, 2018", "2018-06", 1.0),
    ("en", "GPT-2019", "2019", 0.0),
    # not dates
    ("en", "I don't know.", "2018-06", 0.0),
    ("en", "February 30, 2018", "2018-02", 0.0),
    ("ja", "2018年2月30日", "2018-02", 0.0),
    ("en", "June 2018", "unknown", 0.0),
]


@pytest.mark.parametrize(("language", "output", "reference", "expected"), DATE_CASES)
def test_date_cases(language: str, output: str, reference: str, expected: float) -> None:
    assert date(output, reference, language=language) == expected


def test_todays_date_never_fills_a_gap() -> None:
    today = datetime.date.today()
    for reference in (f"{today:%Y-%m}", f"{today.year}-06", f"{today:%Y-%m-%d}", f"{today.year}"):
        for output in ("June", "6月", "六月", "June 11", "6月11日", "today", "now", "this year", "yesterday"):
            assert date(output, reference) == 0.0, (output, reference)
            assert date(output, reference, language="ja") == 0.0, (output, reference)
    assert find_dates("June") == []
    assert parse_date("2018") == PartialDate(2018)  # no month, not this month


def test_date_detail_explains_the_verdict() -> None:
    score = DateGrader("ja").grade("2018年に発表され、平成30年6月11日に公開された。", sample("2018-07", "June 2018"))
    assert score.value == 1.0
    assert score.detail["output_dates"] == ["2018", "2018-06-11"]
    assert score.detail["output_mentions"] == ["2018年", "平成30年6月11日"]
    assert score.detail["reference_dates"] == ["2018-07", "2018-06"]
    assert score.detail["matched"] == "June 2018"
    none = DateGrader("en").grade("Sometime in June.", sample("2018-06"))
    assert (none.value, none.unparsed, none.detail["output_dates"]) == (0.0, True, [])
    assert "no date" in none.detail["problem"]


def test_parse_date_precision() -> None:
    assert parse_date("2018") == PartialDate(2018)
    assert parse_date("Jun. 2018") == PartialDate(2018, 6)
    assert parse_date("2018年6月11日", "ja") == PartialDate(2018, 6, 11)
    assert str(PartialDate(2018, 6)) == "2018-06"
    assert parse_date("no date here") is None


# ---------------------------------------------------------------------------------------------------------------------
# forms read since issue 14 (class 4): fractions, proportions, halves and dozens, financial numerals, SI grouping, and
# years of one to three digits, AD and BC years, abbreviated eras

FORM_CASES = [
    # (language, output, reference, expected)
    # fractions are one number, never two alternatives
    ("en", "1/2", "0.5", 1.0),
    ("en", "1/2", "1", 0.0),
    ("en", "1/2", "2", 0.0),
    ("zh-Hans", "1/2", "12", 0.0),
    ("en", "½", "1/2", 1.0),
    ("en", "1½ cups", "1.5", 1.0),
    ("en", "1 1/2", "3/2", 1.0),
    ("en", "3/4 of the users", "0.75", 1.0),
    ("en", "-3/4", "-0.75", 1.0),
    ("en", "It is 1/2 or 1/3", "0.5", 0.0),  # two fractions offered: a hedge
    ("en", "2019/2020", "2019", 0.0),  # a four-digit numerator: two numbers, offered as alternatives
    ("ja", "二分の一", "0.5", 1.0),
    ("ja", "3分の1", "1/3", 1.0),
    ("ja", "三分の一", "0.3", 0.0),
    ("zh-Hans", "二分之一", "1/2", 1.0),
    ("zh-Hans", "负三分之一", "-1/3", 1.0),
    ("zh-Hans", "三分之一", "3", 0.0),
    ("zh-Hant", "四分之三", "0.75", 1.0),
    ("zh-Hant", "四分之三", "4", 0.0),
    # halves and dozens
    ("en", "a dozen", "12", 1.0),
    ("en", "a dozen", "1", 0.0),
    ("en", "two dozen", "24", 1.0),
    ("en", "2 dozen eggs", "24", 1.0),
    ("en", "half a dozen", "6", 1.0),
    ("en", "half a million", "500000", 1.0),
    ("en", "half a million", "1000000", 0.0),
    ("en", "two and a half million", "2.5M", 1.0),
    ("en", "one and a half", "1.5", 1.0),
    ("en", "2 and a half", "2.5", 1.0),
    ("en", "three quarters of a million", "750000", 1.0),
    ("en", "a third", "1/3", 1.0),
    ("en", "two thirds", "2/3", 1.0),
    ("en", "half", "0.5", 1.0),
    ("en", "half of the 300 users", "0.5", 0.0),  # "half" alone is weak
    ("en", "the third quarter", "0.25", 0.0),
    ("zh-Hans", "一半", "0.5", 1.0),
    ("zh-Hans", "一半以上的人有3个", "0.5", 0.0),
    ("zh-Hans", "两个半小时", "2.5", 1.0),
    ("zh-Hant", "一個半", "1.5", 1.0),
    ("ja", "半分", "0.5", 1.0),
    ("ja", "1年半", "1.5", 1.0),
    ("ja", "2018年半ば", "2018.5", 0.0),
    # digit groups written with plain spaces
    ("en", "1 000 000", "1", 0.0),
    ("zh-Hans", "1 000 000", "100万", 1.0),
    ("zh-Hant", "1 000 000", "1000", 0.0),
    ("ja", "1 000 000円", "100万円", 1.0),
    ("en", "12 34", "1234", 0.0),  # a group of two digits: two numbers
    ("en", "98 99 100 101", "101", 1.0),  # a list stays a list
    ("en", "between 10 000 and 20 000", "10000-20000", 1.0),
    # proportions: 割 10%, 分 1%, 厘 0.1%; 成 10%
    ("ja", "3割", "30%", 1.0),
    ("ja", "3割", "0.3", 1.0),
    ("ja", "3割", "3", 0.0),
    ("ja", "3割", "3%", 0.0),
    ("ja", "三割", "30%", 1.0),
    ("ja", "2割5分", "25%", 1.0),
    ("ja", "2割5分", "2.5%", 0.0),
    ("ja", "2分5厘", "2.5%", 1.0),
    ("ja", "打率は3割2分5厘", "0.325", 1.0),
    ("ja", "5分", "5%", 0.0),  # a 分 alone is a minute
    ("zh-Hant", "三成", "30%", 1.0),
    ("zh-Hans", "两成", "2", 0.0),
    ("zh-Hans", "两成", "0.2", 1.0),
    ("zh-Hans", "七成五", "75%", 1.0),
    ("zh-Hans", "一成不变", "10%", 0.0),
    # a percentage and a plain number
    ("en", "30%", "0.3", 1.0),
    ("en", "0.3", "30%", 1.0),
    ("en", "30%", "30", 1.0),
    ("en", "thirty percent", "0.3", 1.0),
    ("en", "30%", "3", 0.0),
    ("en", "0.3%", "30%", 0.0),
    ("en", "5%", "50‰", 1.0),
    ("zh-Hans", "百分之三十", "0.3", 1.0),
    ("zh-Hans", "千分之五", "0.5%", 1.0),
    ("zh-Hant", "百分之三十", "三成", 1.0),
    ("ja", "30パーセント", "3割", 1.0),
    # financial numerals
    ("zh-Hant", "壹仟貳佰元", "1200", 1.0),
    ("zh-Hant", "壹仟零貳元", "1200", 0.0),
    ("zh-Hans", "贰拾伍万", "250000", 1.0),
    ("zh-Hans", "叁佰陆拾", "360", 1.0),
    ("ja", "金壱萬弐阡円", "12000円", 1.0),
    ("ja", "金弐拾万円", "2万円", 0.0),
    ("ja", "参拾", "30", 1.0),
    ("zh-Hans", "参数量为一千七百五十亿", "3", 0.0),  # the 参 of 参数 is no number
    ("zh-Hans", "中国大陆有十四亿人", "1.4e9", 1.0),  # the 陆 of 大陆 does not join 十四亿
    ("zh-Hans", "中国大陆有十四亿人", "6.4e9", 0.0),
    # below zero
    ("zh-Hant", "零下五度", "-5", 1.0),
    ("zh-Hans", "零下五度", "5", 0.0),
    ("ja", "氷点下5度", "-5", 1.0),
]


@pytest.mark.parametrize(("language", "output", "reference", "expected"), FORM_CASES)
def test_number_forms(language: str, output: str, reference: str, expected: float) -> None:
    assert numeric(output, reference, language=language) == expected


def test_a_fraction_is_one_number_in_the_detail() -> None:
    score = NumericGrader("en").grade("1/2", sample("0.5"))
    assert score.detail["output_mentions"] == ["1/2 = 0.5"]
    assert score.detail["ignored"] == []
    assert score.detail["matched_as"] == "equal"


def test_the_detail_says_how_a_percentage_matched() -> None:
    assert NumericGrader("en").grade("30%", sample("0.3")).detail["matched_as"] == "30% = 0.3, as a proportion"
    assert NumericGrader("ja").grade("3割", sample("30%")).detail["output_mentions"] == ["3割 = 30 (%)"]
    assert NumericGrader("en").grade("30", sample("30%")).detail["matched_as"] == "equal (the % sign left out)"
    assert NumericGrader("zh-Hans").grade("5%", sample("50‰")).detail["matched_as"] == "the same proportion"


def test_a_per_mille_answer_counts_for_a_percent_unit() -> None:
    assert numeric("5‰", "0.5%", unit="%") == 1.0


DATE_FORM_CASES = [
    # (language, output, reference, expected)
    # years of three digits with 年; fewer digits need a marker
    ("ja", "大化の改新は645年です。", "645年", 1.0),
    ("ja", "645年", "645", 1.0),
    ("ja", "645年", "1645", 0.0),
    ("ja", "645年から3年間", "645", 1.0),
    ("ja", "300年間続いた", "300", 0.0),  # a duration
    ("zh-Hans", "800年代", "800", 0.0),  # a decade
    ("zh-Hans", "公元618年", "618", 1.0),
    ("zh-Hans", "公元618年", "618年", 1.0),
    ("zh-Hans", "唐朝建立于公元618年", "公元618年", 1.0),
    ("zh-Hans", "公元18年", "公元18年", 1.0),
    ("zh-Hant", "西元1949年10月1日", "1949-10-01", 1.0),
    ("ja", "西暦79年", "AD 79", 1.0),
    ("en", "It erupted in AD 79.", "79 CE", 1.0),
    ("en", "It erupted in AD 79.", "1979", 0.0),
    ("en", "79 AD", "AD 79", 1.0),
    ("en", "June 11, 2018 AD", "2018-06-11", 1.0),
    # BC years never equal the AD year
    ("zh-Hans", "公元前221年", "221", 0.0),
    ("zh-Hans", "公元前221年", "221 BC", 1.0),
    ("zh-Hans", "公元前二二一年", "221 BC", 1.0),
    ("zh-Hans", "秦于前221年统一六国", "公元前221年", 1.0),
    ("zh-Hant", "前221年", "公元前221年", 1.0),
    ("zh-Hant", "公元221年", "公元前221年", 0.0),
    ("ja", "紀元前221年", "221年", 0.0),
    ("ja", "前221年", "紀元前221年", 1.0),
    ("en", "221 BCE", "221 BC", 1.0),
    ("en", "221 B.C.", "221 BC", 1.0),
    ("en", "221 BC", "AD 221", 0.0),
    ("en", "June 1046 BC", "1046", 0.0),
    ("en", "1046 BC", "公元前1046年", 1.0),
    ("zh-Hans", "不是公元221年，是公元前221年", "221 BC", 1.0),
    # a bare three-digit number is a year when nothing else is
    ("en", "The Tang dynasty was founded in 618.", "618", 1.0),
    ("en", "618", "公元618年", 1.0),
    ("en", "618-907", "618", 0.0),  # a range
    ("en", "It lasted 289 years", "289", 0.0),
    ("en", "79", "AD 79", 0.0),  # two digits alone are no year
    # abbreviated eras
    ("ja", "H30.6.11", "2018-06-11", 1.0),
    ("ja", "R1.5.1", "2019-05-01", 1.0),
    ("ja", "R元年5月1日", "2019-05-01", 1.0),
    ("ja", "S64年", "1989", 1.0),
    ("ja", "S64年", "1964", 0.0),
    ("ja", "S64", "1989", 1.0),
    ("ja", "S30.4.1", "1930-04-01", 0.0),
    ("ja", "S30.4.1", "1955-04-01", 1.0),
    ("ja", "R3.4.1", "2003-04-01", 0.0),
    ("ja", "H30年6月", "2018-06", 1.0),
    ("ja", "平成30.6.11", "2018-06-11", 1.0),
    ("en", "DeepSeek R1 came out in January 2025", "2019", 0.0),  # a name, with a date beside it
]


@pytest.mark.parametrize(("language", "output", "reference", "expected"), DATE_FORM_CASES)
def test_date_forms(language: str, output: str, reference: str, expected: float) -> None:
    assert date(output, reference, language=language) == expected


def test_bc_years_are_negative_and_shown_as_bc() -> None:
    assert parse_date("221 BC") == PartialDate(-221)
    assert parse_date("公元前221年", "zh-Hans") == PartialDate(-221)
    assert parse_date("AD 79") == PartialDate(79)
    assert str(PartialDate(-221)) == "221 BC"
    assert str(PartialDate(79)) == "0079"
    score = DateGrader("zh-Hans").grade("前221年", sample("221"))
    assert (score.value, score.detail["output_dates"], score.detail["reference_dates"]) == (0.0, ["221 BC"], ["0221"])


@pytest.mark.parametrize(
    ("grader", "language", "key"),
    [
        ("date", "ja", "645年"),
        ("date", "zh-Hans", "公元618年"),
        ("date", "en", "AD 79"),
        ("date", "en", "79 CE"),
        ("date", "en", "221 BC"),
        ("date", "ja", "紀元前221年"),
        ("date", "zh-Hant", "公元前221年"),
        ("date", "ja", "H30.6.11"),
        ("date", "ja", "S64年"),
        ("date", "en", "618"),
        ("numeric", "en", "1/2"),
        ("numeric", "ja", "二分の一"),
        ("numeric", "zh-Hans", "二分之一"),
        ("numeric", "ja", "2割5分"),
        ("numeric", "zh-Hant", "壹仟貳佰"),
        ("numeric", "en", "1 000 000"),
        ("numeric", "en", "half a million"),
    ],
)
def test_the_answer_key_in_these_forms_passes_the_oracle_self_test(grader: str, language: str, key: str) -> None:
    score = numeric(key, key, language=language) if grader == "numeric" else date(key, key, language=language)
    assert score == 1.0


# ---------------------------------------------------------------------------------------------------------------------
# both


def test_graders_are_frozen_dataclasses() -> None:
    for grader in (NumericGrader("en", tolerance=0.01, unit="%"), DateGrader("ja")):
        assert dataclasses.is_dataclass(grader)
        with pytest.raises(dataclasses.FrozenInstanceError):
            grader.language = "zh"  # type: ignore[misc]


def test_importing_the_graders_loads_no_parsing_library() -> None:
    code = (
        "import sys, harness.grading.numeric, harness.grading.dates\n"
        "print(sorted(m for m in ('dateparser', 'cn2an', 'kanjize', 'text_to_num') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60), st.text(max_size=20))
def test_any_text_grades_without_error(output: str, reference: str) -> None:
    for grader in (NumericGrader("ja", tolerance=0.01, unit="layers"), DateGrader("zh-Hans")):
        score = grader.grade(output, sample(reference))
        assert score.value in (0.0, 1.0)
        json.dumps(score.detail)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_read_back(number: int) -> None:
    assert numeric(f"{number:,}", str(number)) == 1.0
    assert numeric(str(number), f"{number}") == 1.0
