"""Amount, date, count and month parsers: examples from real documents, and Hypothesis properties."""
import datetime as dt
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings, strategies as st

from extractors.values import ValueParseError, parse_count, parse_date, parse_money, parse_month


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("壹佰万元整", 1_000_000, "CNY"),
        ("陆佰万圆整", 6_000_000, "CNY"),
        ("贰佰零壹万圆整", 2_010_000, "CNY"),
        ("人民币600万元", 6_000_000, "CNY"),
        ("500万元人民币", 5_000_000, "CNY"),
        ("1000.0000万元", 10_000_000, "CNY"),
        ("人民币100.0000万元整", 1_000_000, "CNY"),
        ("（人民币）叁佰万元", 3_000_000, "CNY"),
        ("100.0001万元", 1_000_001, "CNY"),
        ("20万元人民币", 200_000, "CNY"),
        ("欧元260.0000万", 2_600_000, "EUR"),
        ("￥1,000,001元", 1_000_001, "CNY"),
    ],
)
def test_money_as_printed_on_licenses(text, amount, currency):
    money = parse_money(text)
    assert money.amount == Decimal(amount)
    assert money.currency == currency


def test_no_capital_is_none():
    assert parse_money("无") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2019年03月15日", "2019-03-15"),
        ("2019年3月5日", "2019-03-05"),
        ("2011 年6月21日", "2011-06-21"),
        ("二〇一一年十一月一日", "2011-11-01"),
        ("二零一一年六月二十一日", "2011-06-21"),
        ("二〇—一年十一月一日", "2011-11-01"),  # OCR read 一 as a dash (bl_dev_10)
        ("2026-10-01", "2026-10-01"),
        ("2026/1/9", "2026-01-09"),
    ],
)
def test_dates_as_printed(text, iso):
    assert parse_date(text).isoformat() == iso


def test_impossible_date_is_refused():
    with pytest.raises(ValueParseError):
        parse_date("2023年02月30日")


@pytest.mark.parametrize(("text", "count"), [("5,832", 5832), ("5832", 5832), ("1.2万", 12000), ("１２，０００", 12000)])
def test_counts(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize(("text", "month"), [("202610", "2026-10"), ("2026-10", "2026-10"), ("2026年10月", "2026-10")])
def test_months(text, month):
    assert parse_month(text) == month


# --- properties: a value or our own error, never TypeError, never a hang --------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parsers_never_raise_foreign_errors(text):
    for parser in (parse_money, parse_date, parse_count, parse_month):
        try:
            parser(text)
        except ValueParseError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999))
def test_arabic_wan_amounts_round_trip(wan):
    money = parse_money(f"人民币{wan}万元整")
    assert money.amount == Decimal(wan) * 10_000 and money.currency == "CNY"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=9999))
def test_chinese_capital_numerals_round_trip(wan):
    upper = cn2an.an2cn(wan, "up")  # 大写: 壹仟零伍
    assert parse_money(f"{upper}万元整").amount == Decimal(wan) * 10_000


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)), st.sampled_from(["{y}年{m:02d}月{d:02d}日", "{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}"]))
def test_dates_round_trip(day, pattern):
    assert parse_date(pattern.format(y=day.year, m=day.month, d=day.day)) == day


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10_000_000))
def test_counts_round_trip(n):
    assert parse_count(f"{n:,}") == n
    assert parse_count(str(n)) == n


@pytest.mark.parametrize("printed, number", [("No2025TCP1060782", "2025TCP1060782"), ("NO.2025TCP1060782", "2025TCP1060782"),
                                             ("NOVA2025X", "NOVA2025X")])
def test_a_numero_sign_glued_to_the_digits_is_no_part_of_the_number(printed: str, number: str) -> None:
    """№ reads as `No` (NFKC) and is often set tight against the number it marks."""
    from extractors.shapes import runs

    assert [r.value for r in runs(printed)] == [number]
