"""The `cloud` area: CVM purchase records and mini-program admin screenshots.

The accuracy tests generate only the cloud bundles (fixtures/plan_cloud.py), read every document for real
(pdfplumber, RapidOCR with the session's OCR cache), classify it and run its extractor, then compare every fact
with the truth. The focused tests build Documents from text blocks, to pin the tricky rules: the order id's
date prefix, CVM rows only, the invoice's buyer rather than its seller, 累计用户数 never read from a neighbour
card, no invented statistics date."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors import cloud_console, cvm_order, miniprogram_stats
from fixtures.plan_cloud import BUNDLES
from pipeline.models import Document, DocumentKind, Fact, FileType, Page, TextBlock, TextSource
from tests.readings import read_bundles

SURE = 0.9
Reading = tuple[str, dict, dict, Document, list[Fact]]  # where, bundle truth, document truth, document, facts
KINDS = {DocumentKind.CVM_ORDER, DocumentKind.MINIPROGRAM_STATS}


# --- reading the generated cloud bundles -------------------------------------------------------------------

@pytest.fixture(scope="module")
def cloud_readings(tmp_path_factory: pytest.TempPathFactory, session_home: Path) -> list[Reading]:
    """(where, truth of the bundle, truth of the document, classified document, facts) per cloud document."""
    kinds = {str(k) for k in KINDS}
    return [(r.where, {"bundle": r.bundle, "application": r.application}, r.truth, r.document, r.facts)
            for r in read_bundles(BUNDLES, tmp_path_factory.mktemp("cloud"), session_home, kinds) if r.truth_kind in kinds]


def _same(value: object, expected: object) -> bool:
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(_same(value.get(k), v) for k, v in expected.items())
    if isinstance(expected, float) or isinstance(value, float):
        return value is not None and expected is not None and abs(float(value) - float(expected)) < 0.005
    return value == expected


class Tally:
    """Right/total per fact name and, for order facts, per component; misses and confident false values."""

    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.misses: list[str] = []
        self.confident_false: list[str] = []

    def add(self, name: str, ok: bool, where: str, what: str, fact: Fact | None) -> None:
        self.total[name] += 1
        self.right[name] += ok
        if not ok:
            self.misses.append(f"{where}: {name} {what}")
            if fact is not None and fact.confidence > SURE:
                self.confident_false.append(f"{where}: {name}={fact.value!r} at {fact.confidence}")

    def items(self, where: str, name: str, expected: list[dict], facts: list[Fact]) -> None:
        left = list(facts)
        for item in expected:
            match = next((f for f in left if _same(f.value, item)), None)
            nearest = match or next((f for f in left if f.value.get("order_id") == item["order_id"]), None)
            for key, value in item.items():  # per component, against the fact of the same order id
                self.total[f"  {name}.{key}"] += 1
                self.right[f"  {name}.{key}"] += nearest is not None and _same(nearest.value.get(key), value)
            if match is not None:
                left.remove(match)
            self.add(name, match is not None, where, f"item {item} not read", None)
        for extra in left:
            self.add(name, False, where, f"invented or wrong {extra.value}", extra)

    def scalar(self, where: str, name: str, expected: object, facts: list[Fact]) -> None:
        got = facts[0] if facts else None
        if expected is None:
            self.add(name, got is None, where, f"invented {got.value if got else None!r}", got)
        else:
            self.add(name, got is not None and _same(got.value, expected), where,
                     f"read {got.value if got else None!r}, truth {expected!r}", got)


@pytest.fixture(scope="module")
def tally(cloud_readings) -> Tally:
    result = Tally()
    for where, _, doc, _, facts in cloud_readings:
        for name, expected in doc["facts"].items():
            named = [f for f in facts if f.name == name]
            if isinstance(expected, list):
                result.items(where, name, expected, named)
            else:
                result.scalar(where, name, expected, named)
    return result


@pytest.mark.slow
def test_cloud_facts_against_truth(tally: Tally) -> None:
    names = [n for n in tally.total if not n.startswith(" ")]
    right, total = sum(tally.right[n] for n in names), sum(tally.total[n] for n in names)
    print(f"\ncloud documents: {total} facts, {right} right = {100 * right / total:.1f}%")
    for name in sorted(tally.total, key=lambda n: (n.strip().split(".")[0], n.startswith(" "), n)):
        rate = 100 * tally.right[name] / tally.total[name]
        print(f"  {name:<40} {tally.right[name]:>3}/{tally.total[name]:<3} {rate:5.1f}%")
    print("\n".join(tally.misses))
    assert total >= 20
    assert right / total >= 0.97
    assert all(tally.right[n] / tally.total[n] >= 0.90 for n in names), tally.misses


@pytest.mark.slow
def test_cloud_documents_are_classified(cloud_readings) -> None:
    wrong = [f"{where}: {document.kind} ({document.kind_score})" for where, _, doc, document, _ in cloud_readings
             if document.kind is not DocumentKind(doc["kind"])]
    assert len(cloud_readings) >= 10 and wrong == []


@pytest.mark.slow
def test_no_confident_false_value(tally: Tally) -> None:
    assert tally.confident_false == []


@pytest.mark.slow
def test_only_paid_cvm_rows_are_cvm_orders(cloud_readings) -> None:
    """Other products of the same list are cloud_order facts; a cancelled order is no fact at all."""
    lists = [(doc, facts) for _, _, doc, _, facts in cloud_readings if doc.get("layout", "").startswith("console_list")]
    assert len(lists) >= 3
    for doc, facts in lists:
        cvm = {f.value["order_id"] for f in facts if f.name == "cvm_order"}
        other = {f.value["order_id"] for f in facts if f.name == "cloud_order"}
        assert cvm == {o["order_id"] for o in doc["facts"]["cvm_order"]} and len(cvm) >= 2
        assert other == {o["order_id"] for o in doc["facts"]["cloud_order"]} and other
        assert not (cvm | other) & set(doc["unpaid_order_ids"])
        assert all(cvm_order.EXTRACTOR.is_cvm(f.value["product"]) for f in facts if f.name == "cvm_order")


@pytest.mark.slow
def test_account_subject_is_shown_or_null(cloud_readings) -> None:
    """认证主体 / the invoice's buyer when shown (another company in cloud_cvm_other_subject), else null;
    never the invoice's seller."""
    for where, truth, doc, _, facts in cloud_readings:
        for fact in (f for f in facts if f.name in ("cvm_order", "cloud_order")):
            subject = fact.value["account_subject"]
            assert subject == doc["facts"][fact.name][0]["account_subject"], where
            if subject is not None:
                assert "腾讯" not in subject, where
                other_account = truth["bundle"] == "cloud_cvm_other_subject"
                assert (subject != truth["application"]["company_name"]) is other_account, where


@pytest.mark.slow
def test_amount_is_what_was_paid(cloud_readings) -> None:
    details = [(doc, facts) for _, _, doc, _, facts in cloud_readings if "list_price" in doc]
    assert details and any(doc["list_price"] != doc["facts"]["cvm_order"][0]["amount_cny"] for doc, _ in details)
    for doc, facts in details:
        assert [f.value["amount_cny"] for f in facts] == [doc["facts"]["cvm_order"][0]["amount_cny"]]


@pytest.mark.slow
def test_users_and_dates_of_each_screen(cloud_readings) -> None:
    screens = [(doc, facts) for _, _, doc, _, facts in cloud_readings if doc["kind"] == "miniprogram_stats"]
    printed = {doc["users_printed"] for doc, _ in screens}
    assert {"5,832", "1.2万"} <= printed and any(doc["facts"]["miniprogram_stats_date"] is None for doc, _ in screens)
    for doc, facts in screens:
        users = [f.value for f in facts if f.name == "miniprogram_registered_users"]
        dates = [f.value for f in facts if f.name == "miniprogram_stats_date"]
        assert users == [doc["facts"]["miniprogram_registered_users"]]
        expected_date = doc["facts"]["miniprogram_stats_date"]
        assert dates == ([] if expected_date is None else [expected_date])


# --- focused rules on hand-made pages ----------------------------------------------------------------------

def _document(*lines: tuple[str, tuple[float, float, float, float]], source: TextSource = TextSource.OCR) -> Document:
    blocks = [TextBlock(text=text, bbox=bbox, confidence=0.99) for text, bbox in lines]
    page = Page(number=1, width=2000, height=2400, source=source, blocks=blocks)
    return Document(path="x.png", sha256="0", file_type=FileType.PNG, pages=[page])


def _detail(order_id: str, placed: str = "2024-03-15 10:23:45") -> Document:
    return _document(
        ("订单详情", (300, 100, 500, 140)), (f"订单号：{order_id}", (300, 200, 900, 240)),
        (f"下单时间：{placed}", (300, 260, 900, 300)), ("产品名称：云服务器CVM", (300, 320, 900, 360)),
        ("订单金额：¥1,620.00", (300, 380, 900, 420)), ("实付金额：¥1,296.00", (300, 440, 900, 480)),
        ("认证主体：深圳市云帆信息技术有限公司", (300, 500, 1100, 540)),
    )


def test_order_page_reads_paid_amount_and_subject() -> None:
    [fact] = cvm_order.extract(_detail("20240315123456789012"))
    assert fact.name == "cvm_order" and fact.warnings == [] and fact.confidence > 0.9
    assert fact.value == {"order_id": "20240315123456789012", "purchased_on": "2024-03-15", "product": "云服务器CVM",
                          "amount_cny": 1296, "account_subject": "深圳市云帆信息技术有限公司"}


@pytest.mark.parametrize("order_id", ["20241345123456789012", "20240230123456789012", "00010315123456789012"])
def test_order_id_without_a_real_date_prefix_is_not_trusted(order_id: str) -> None:
    [fact] = cvm_order.extract(_detail(order_id))
    assert fact.value["order_id"] == order_id
    assert fact.confidence <= 0.6 and any("real date" in w for w in fact.warnings)


def test_order_id_letters_repaired_and_date_checked() -> None:
    [fact] = cvm_order.extract(_detail("2024O3151234S6789012"))
    assert fact.value["order_id"] == "20240315123456789012" and fact.warnings
    [late] = cvm_order.extract(_detail("20240315123456789012", placed="2024-04-02 08:00:00"))
    assert late.confidence <= 0.8 and any("dated 2024-03-15" in w for w in late.warnings)


def test_tilted_order_list_keeps_cvm_rows_and_skips_the_search_box() -> None:
    """A list photographed at a slope of 5 %: rows stay whole; 轻量应用服务器 is not CVM; 已取消 is no order."""
    def at(x: float, y: float, text: str, width: float = 200) -> tuple[str, tuple[float, float, float, float]]:
        y += 0.05 * x
        return text, (x, y, x + width, y + 40)
    lines = [at(300, 100, "请输入订单号搜索", 300), at(800, 100, "下单时间近三年")]
    heads = ("订单号", "产品名称", "类型", "金额(元)", "下单时间", "状态")
    lines += [at(x, 200, head) for x, head in zip((300, 700, 1000, 1200, 1450, 1800), heads)]
    rows = [("20250815841702491508", "云服务器 CVM", "¥232.50", "已支付"), ("20250614642361244602", "轻量应用服务器", "¥1,934.40", "已支付"),
            ("20240624822611663406", "云服务器", "¥13,644.00", "已取消")]
    for n, (order_id, product, amount, status) in enumerate(rows):
        y = 280 + 80 * n
        placed = f"{order_id[:4]}-{order_id[4:6]}-{order_id[6:8]} 10:00:00"
        lines += [at(300, y, order_id, 340), at(700, y, product), at(1000, y, "新购", 80), at(1200, y, amount),
                  at(1450, y, placed, 290), at(1800, y, status, 100)]
    facts = cvm_order.extract(_document(*lines))
    assert [(f.name, f.value["order_id"], f.value["amount_cny"]) for f in facts] == [
        ("cvm_order", "20250815841702491508", 232.5), ("cloud_order", "20250614642361244602", 1934.4)]


def test_invoice_buyer_not_seller_and_invoice_number_as_order_id() -> None:
    document = _document(
        ("增值税电子普通发票", (600, 40, 1200, 100)), ("发票号码：66235766", (1400, 90, 1700, 120)),
        ("开票日期：2025年07月12日", (1400, 130, 1760, 170)),
        ("名称：", (150, 240, 240, 280)), ("腾讯云计算（北京）有限责任公司", (400, 240, 850, 280)),
        ("名称：", (150, 880, 240, 920)), ("成都市蓝华电子商务有限公司", (400, 880, 800, 920)),
        ("货物或应税劳务、服务名称", (90, 480, 430, 520)), ("*信息技术服务*云服务器", (90, 580, 420, 620)),
        ("价税合计（大写）", (90, 810, 320, 850)), ("(小写)¥2376.00", (1330, 810, 1570, 850)),
    )
    [fact] = cvm_order.extract(document)
    assert fact.value == {"order_id": "66235766", "purchased_on": "2025-07-12", "product": "云服务器", "amount_cny": 2376,
                          "account_subject": "成都市蓝华电子商务有限公司"}


def test_a_paper_invoice_numbered_after_no_with_a_unit_price_of_eight_decimals() -> None:
    """A paper 增值税专用发票: its number after No at the top (no 发票号码), a goods line whose 单价 has eight decimals
    printed apart from 金额, and the 密码区's symbols between asterisks, which are no goods line."""
    document = _document(
        ("No 30571246", (1400, 40, 1700, 80)), ("北京增值税专用发票", (600, 40, 1200, 100)),
        ("开票日期：2026年02月14日", (1400, 130, 1760, 170)),
        ("名称：", (150, 240, 240, 280)), ("杭州蓝湾数字技术有限公司", (260, 240, 700, 280)),
        ("密", (760, 240, 790, 280)), ("3*+>+ε0*<>9-1/*", (820, 240, 1300, 280)),
        ("货物或应税劳务、服务名称", (90, 480, 430, 520)),
        ("*信息技术服务*云服务器 次 1 3452.83018868 3452.83 6% 207.17", (90, 580, 1500, 620)),
        ("价税合计（大写）", (90, 810, 320, 850)), ("(小写)¥3660.00", (1330, 810, 1570, 850)),
        ("名称：", (150, 880, 240, 920)), ("腾讯云计算（北京）有限责任公司", (260, 880, 700, 920)),
    )
    [fact] = cvm_order.extract(document)
    assert fact.value == {"order_id": "30571246", "purchased_on": "2026-02-14", "product": "云服务器", "amount_cny": 3660,
                          "account_subject": "杭州蓝湾数字技术有限公司"}


def test_a_goods_line_whose_tax_is_not_its_amount_times_the_rate_is_unread() -> None:
    from extractors.cvm_order import _line_amounts

    assert _line_amounts("次 1 1985.84905660 1985.85 6% 119.15") == ("1985.85", 2105.0)
    assert _line_amounts("3117.643117.646%187.06") == ("3117.64", 3304.7)  # run together by a text layer
    assert _line_amounts("次11985.849056601985.856%119.15") is None  # unit price and amount run together: no amount


def _cards(number_first: bool) -> Document:
    """2x2 cards: 累计用户数 | 访问人数 over 新增用户 | 打开次数; number above or below each label."""
    lines = []
    for i, (label, number) in enumerate((("累计用户数", "1.2万"), ("访问人数", "1,204"), ("新增用户", "86"), ("打开次数", "3,517"))):
        x, y = 40 + (i % 2) * 515, 700 + (i // 2) * 250
        label_y, number_y = (y + 130, y + 40) if number_first else (y + 30, y + 90)
        lines += [(label, (x + 30, label_y, x + 200, label_y + 45)), (number, (x + 30, number_y, x + 200, number_y + 70))]
    return _document(*lines)


@pytest.mark.parametrize("number_first", [False, True])
def test_users_come_only_from_their_own_card(number_first: bool) -> None:
    facts = miniprogram_stats.extract(_cards(number_first))
    assert [(f.name, f.value) for f in facts] == [("miniprogram_registered_users", 12000)]


def test_users_in_a_list_row_and_a_misread_separator() -> None:
    document = _document(("数据更新至2026-11-20", (60, 500, 400, 540)), ("累计用户数", (55, 677, 237, 725)),
                         ("5.832", (900, 672, 1029, 731)), ("访问人数", (54, 787, 204, 836)), ("141", (933, 784, 1028, 842)))
    users, day = miniprogram_stats.extract(document)
    assert (users.value, day.value) == (5832, "2026-11-20")
    assert users.confidence < 0.9 and users.warnings


def _weekly_cards(*cards: tuple[str | None, str]) -> Document:
    """A chat of weekly report cards, oldest first: each its 统计时间 (or none) over its 累计用户数 figure."""
    lines = []
    for i, (period, users) in enumerate(cards):
        y = 300 + 900 * i
        if period is not None:
            lines += [("统计时间", (80, y, 260, y + 50)), (period, (345, y, 845, y + 50))]
        lines += [("访问人数", (80, y + 80, 260, y + 130)), ("370", (340, y + 80, 435, y + 130)),
                  ("累计用户数", (80, y + 230, 300, y + 280)), (users, (335, y + 230, 475, y + 280))]
    return _document(*lines)


def test_several_weekly_cards_give_the_newest_card_s_figure_and_day() -> None:
    """A WeChat chat of 小程序数据周报 cards: the figure is the newest week's, whichever card prints first."""
    for cards in ((("2026.11.09-2026.11.15", "3,463"), ("2026.11.16-2026.11.22", "3,537")),
                  (("2026.11.16-2026.11.22", "3,537"), ("2026.11.09-2026.11.15", "3,463"))):
        users, day = miniprogram_stats.extract(_weekly_cards(*cards))
        assert (users.value, day.value) == (3537, "2026-11-22")
        assert users.confidence >= 0.8 and "newest of 2 cards" in " ".join(users.evidence)


def test_cards_with_other_figures_and_no_dates_to_order_them_are_left_to_an_analyst() -> None:
    users = miniprogram_stats.extract(_weekly_cards((None, "3,463"), (None, "3,537")))[0]
    assert users.confidence < 0.8 and any("3537" in w for w in users.warnings)


def test_no_stats_date_is_invented() -> None:
    document = _document(("累计用户数", (55, 677, 237, 725)), ("5832", (900, 672, 1029, 731)),
                         ("近7日访问人数趋势", (55, 1269, 356, 1312)), ("11-14", (132, 1792, 207, 1829)))
    assert [f.name for f in miniprogram_stats.extract(document)] == ["miniprogram_registered_users"]


@given(st.text(max_size=40))
def test_value_parsers_never_raise(text: str) -> None:
    assert cvm_order.EXTRACTOR.order_id(text) is None or isinstance(cvm_order.EXTRACTOR.order_id(text), tuple)
    assert cvm_order.amount_in(text) is None or isinstance(cvm_order.amount_in(text), float)
    for parse in (miniprogram_stats.parse_users, miniprogram_stats.parse_stats_date):
        assert isinstance(parse(text), list)


def test_an_order_export_open_in_a_spreadsheet_keeps_its_row_numbers_apart() -> None:
    """A phone photo of the export open in a spreadsheet program: each row's number is printed just left of its
    order id (10 2025…), and the column of row numbers under the table is no order."""
    heads = ("订单号", "产品名称", "订单状态", "下单时间", "实付金额(元)")
    lines = [(head, (x, 200, x + 160, 230)) for x, head in zip((120, 500, 800, 1000, 1400), heads)]
    rows = [("20250921690658690550747", "云服务器", "已支付", "2025-09-21 08:32:08", "1148.96"),
            ("20250625930321107784814", "云服务器", "已取消", "2025-06-25 16:57:44", "0.00")]
    for n, (order_id, product, status, placed, amount) in enumerate(rows):
        y = 250 + 40 * n
        lines += [(str(10 + n), (80, y, 110, y + 28)), (order_id, (120, y, 420, y + 28)), (product, (500, y, 640, y + 28)),
                  (status, (800, y, 880, y + 28)), (placed, (1000, y, 1260, y + 28)), (amount, (1400, y, 1500, y + 28))]
    lines += [("19 20 24 2 23 4 5 6 7 28 9", (60, 340, 104, 600))]
    facts = cvm_order.extract(_document(*lines))
    assert [(f.name, f.value["order_id"], f.value["amount_cny"]) for f in facts] == [
        ("cvm_order", "20250921690658690550747", 1148.96)]


def test_order_cards_under_a_status_filter_take_their_own_status() -> None:
    """The app's order cards under a filter bar (全部 待支付 已支付 已取消): each card's status is the one printed on
    its order id's line, and a card whose product starts with 域 (域名注册) is no label 地域's tail."""
    lines = [("订单管理", (475, 174, 700, 242)), ("全部", (96, 309, 180, 371)), ("待支付", (300, 309, 450, 371)),
             ("已支付", (600, 309, 750, 371)), ("已取消", (900, 309, 1050, 371))]
    cards = [("20260517973776160814635", "已支付", "域名注册续费", "2026.05.17 15:35", "实付¥25.74"),
             ("20260423546506696584704", "已取消", "云硬盘新购", "2026.04.23 13:52", "应付¥421.59"),
             ("20260409296551483540229", "已支付", "云服务器续费", "2026.04.09 15:09", "实付¥5,147.28")]
    for n, (order_id, status, product, placed, amount) in enumerate(cards):
        y = 476 + 530 * n
        lines += [(f"订单号{order_id}", (74, y, 800, y + 55)), (status, (950, y, 1099, y + 55)), (product, (68, y + 115, 390, y + 180)),
                  ("地域:全局 时长:1个月", (71, y + 203, 524, y + 254)), (f"下单时间:{placed}", (74, y + 280, 579, y + 325)),
                  (amount, (800, y + 374, 1098, y + 426))]
    facts = cvm_order.extract(_document(*lines))
    assert [(f.name, f.value["order_id"], f.value["product"]) for f in facts] == [
        ("cloud_order", "20260517973776160814635", "域名注册"), ("cvm_order", "20260409296551483540229", "云服务器")]


@pytest.mark.parametrize("newest_first", [True, False])
def test_a_daily_download_gives_the_latest_day_s_users(newest_first: bool) -> None:
    """The 统计 download, one row per day, in either order: the 累计用户数 of the latest day, and that day."""
    rows = [["日期", "累计用户数", "访问人数"], ["20261124", "6372", "257"], ["20261125", "6441", "301"], ["20261126", "6507", "288"]]
    body = rows[1:][::-1] if newest_first else rows[1:]
    blocks = [TextBlock(text=text, bbox=(col, i, col + 1, i + 1), confidence=1.0)
              for i, row in enumerate([rows[0], *body]) for col, text in enumerate(row)]
    document = Document(path="趋势.xlsx", sha256="0", file_type=FileType.XLSX,
                        pages=[Page(number=1, width=3, height=4, source=TextSource.CELLS, blocks=blocks)])
    facts = {f.name: f for f in miniprogram_stats.extract(document)}
    assert facts["miniprogram_registered_users"].value == 6507
    assert facts["miniprogram_stats_date"].value == "2026-11-26"


def test_an_ocr_box_over_two_columns_is_cut_between_them_never_inside_a_date_and_time() -> None:
    """Photographed order tables: OCR read one row's order id with its date (…072 2025-10-14 19:32), and in a
    mail another row's date, time and amount (2026-07-04 23:21 122.38元), as single boxes."""
    page = cvm_order.extract(_document(
        ("订单号", (572, 618, 618, 640)), ("下单时间", (756, 618, 817, 642)), ("产品名称", (901, 621, 961, 641)),
        ("实付金额", (1469, 624, 1531, 645)),
        ("20251014922828047774113", (571, 663, 745, 691)), ("2025-10-14 19:29", (756, 663, 870, 691)),
        ("云服务器CVM", (901, 663, 990, 691)), ("¥1,644.00", (1469, 663, 1540, 691)),
        ("20251014895007538608072 2025-10-14 19:32", (571, 714, 870, 743)), ("云数据库Redis", (901, 714, 995, 743)),
        ("¥2,300.00", (1469, 714, 1540, 743))))
    assert sorted((f.value["order_id"], f.value["purchased_on"], f.value["amount_cny"]) for f in page) == [
        ("20251014895007538608072", "2025-10-14", 2300.0), ("20251014922828047774113", "2025-10-14", 1644.0)]
    mail = cvm_order.extract(_document(
        ("订单号", (812, 772, 869, 801)), ("产品", (1128, 769, 1203, 799)), ("下单时间", (1408, 767, 1480, 794)),
        ("实付金额", (1563, 766, 1634, 793)),
        ("20260704408789130583979", (811, 814, 1060, 845)), ("云服务器", (1128, 814, 1200, 845)),
        ("2026-07-04 23:20", (1407, 814, 1570, 838)), ("971.50元", (1575, 814, 1635, 845)),
        ("20260704971290858133943", (811, 863, 1060, 896)), ("对象存储", (1128, 863, 1200, 896)),
        ("2026-07-04 23:21 122.38元", (1406, 863, 1635, 888))))
    assert sorted((f.value["order_id"], f.value["purchased_on"], f.value["amount_cny"]) for f in mail) == [
        ("20260704408789130583979", "2026-07-04", 971.5), ("20260704971290858133943", "2026-07-04", 122.38)]


def test_a_purchase_contract_is_no_invoice_and_its_list_price_is_not_paid() -> None:
    """A 腾讯云 purchase contract names 增值税发票 in a clause: its order table is still read, and 原价 (the list
    price) is not the amount paid."""
    rows = [("甲方(买方):深圳市数联数字技术有限公司", (100, 100, 900, 140)),
            ("甲方可在费用中心提交开票申请，乙方开具增值税发票。", (100, 160, 1400, 200)),
            ("订单号", (100, 300, 300, 340)), ("产品名称", (420, 300, 560, 340)), ("下单时间", (700, 300, 840, 340)),
            ("原价", (1000, 300, 1080, 340)), ("订单金额", (1200, 300, 1340, 340)),
            ("20260205336789905735948", (100, 360, 400, 400)), ("云服务器", (420, 360, 560, 400)),
            ("2026-02-05", (700, 360, 840, 400)), ("939.00", (1000, 360, 1080, 400)), ("798.15", (1200, 360, 1300, 400))]
    (fact,) = cvm_order.extract(_document(*rows))
    assert (fact.name, fact.value["amount_cny"], fact.value["account_subject"]) == ("cvm_order", 798.15, "深圳市数联数字技术有限公司")


def test_an_invoice_goods_list_names_its_buyer_on_one_line_and_its_model_codes_are_no_goods() -> None:
    """A 销货清单 photographed: 购买方名称：… on one line, and the 规格型号 cell (SA2.LARGE8) read as a box of its own
    right after the goods name, too near to be told apart by the gap."""
    document = _document(
        ("销售货物或者提供应税劳务清单", (600, 40, 1300, 100)), ("购买方名称：北京市智汇数据科技有限公司", (150, 140, 900, 180)),
        ("销售方名称：腾讯云计算（北京）有限责任公司", (150, 190, 950, 230)), ("所属增值税电子普通发票", (1000, 40, 1380, 80)),
        ("发票号码：69475317", (1400, 90, 1700, 120)),
        ("开票日期：2021年06月14日", (1400, 130, 1760, 170)), ("货物（劳务）名称", (160, 300, 460, 340)),
        ("规格型号", (500, 300, 620, 340)),
        ("*信息技术服务*云服务器CVM", (90, 360, 480, 400)), ("SA2.LARGE8", (500, 362, 640, 398)),
        ("1 3981.27 3981.27 6% 238.88", (700, 362, 1500, 400)))
    [fact] = cvm_order.extract(document)
    assert fact.value["product"] == "云服务器CVM"
    assert fact.value["account_subject"] == "北京市智汇数据科技有限公司"


def test_the_one_date_a_statistics_page_prints_is_its_day() -> None:
    """小程序数据助手's 概况: the 日 / 周 / 月 picker shows the day (2026年11月27日) over the figures, with no label."""
    document = _document(("日", (181, 146, 201, 169)), ("周", (244, 143, 272, 171)), ("2026年11月27日", (188, 192, 327, 218)),
                         ("累计用户数", (15, 728, 108, 754)), ("3187", (446, 720, 503, 745)))
    facts = {f.name: f.value for f in miniprogram_stats.extract(document)}
    assert facts == {"miniprogram_registered_users": 3187, "miniprogram_stats_date": "2026-11-27"}


def test_a_renewal_drawer_over_the_list_gives_each_instance_its_own_expiry() -> None:
    """The CVM list with the 续费 drawer open over its right half: the list keeps the ids and statuses, the drawer
    lists the instances it renews (not the pay-as-you-go one) with their 当前到期时间, in rows that do not line up
    with the list's. Each instance is read at its place in the list, and its expiry at its own row of the drawer."""
    rows = [("ins-aaaa1111", 600, "运行中"), ("ins-bbbb2222", 700, "运行中"), ("ins-cccc3333", 800, "运行中")]
    drawer = [("ins-bbbb2222", 620, "2027-03-30 20:55:11"), ("ins-cccc3333", 720, "2028-06-27 09:22:51")]
    document = _document(
        ("ID/名称", (100, 500, 250, 540)), ("状态", (500, 500, 580, 540)), ("实例ID/名称", (1000, 500, 1200, 540)),
        ("当前到期时间", (1400, 500, 1600, 540)), ("续费后到期时间", (1700, 500, 1950, 540)),
        *[(i, (100, y, 300, y + 36)) for i, y, _ in rows], *[(s, (500, y + 20, 600, y + 56)) for _, y, s in rows],
        *[(i, (1000, y, 1200, y + 36)) for i, y, _ in drawer], *[(d, (1400, y, 1650, y + 36)) for _, y, d in drawer],
        *[(d.replace("2027", "2028").replace("2028-06", "2029-06"), (1700, y, 1950, y + 36)) for _, y, d in drawer])
    read = {f.value["instance_id"]: (f.value["status"], f.value["expires_on"]) for f in cloud_console.extract(document)}
    assert read == {"ins-aaaa1111": ("running", None), "ins-bbbb2222": ("running", "2027-03-30"),
                    "ins-cccc3333": ("running", "2028-06-27")}


def test_a_column_settings_popover_listing_the_expiry_column_is_no_header() -> None:
    """The CVM list with its 自定义列表字段 popover open: the popover lists 到期时间 among the columns one may show,
    nearer above the lower rows than the list's own header; the date is the one under the header that has dates."""
    document = _document(
        ("ID/名称", (100, 270, 250, 300)), ("状态", (400, 270, 480, 300)), ("计费模式", (700, 270, 800, 300)),
        ("到期时间", (840, 270, 940, 300)),
        ("ins-aaaa1111", (100, 330, 300, 360)), ("运行中", (400, 330, 480, 360)), ("包年包月", (700, 330, 800, 360)),
        ("2028-09-29 10:00:00", (840, 330, 1060, 360)),
        ("自定义列表字段", (1100, 400, 1300, 430)), ("到期时间", (1120, 490, 1200, 520)),
        ("ins-bbbb2222", (100, 540, 300, 570)), ("运行中", (400, 540, 480, 570)), ("包年包月", (700, 540, 800, 570)),
        ("2028-06-2914:21:17", (840, 545, 1000, 570)))
    read = {f.value["instance_id"]: f.value["expires_on"] for f in cloud_console.extract(document)}
    assert read == {"ins-aaaa1111": "2028-09-29", "ins-bbbb2222": "2028-06-29"}


def test_an_order_detail_naming_the_instance_it_renews_is_an_order() -> None:
    """The app's 订单详情 of a renewal: under 商品信息 it names the instance renewed, its 地域, 可用区 and 实例规格,
    as a console's detail page does. 订单类型 and 应付金额 are an order's words only."""
    from extractors.classify import classify

    document = _document(
        ("订单详情", (300, 100, 500, 140)), ("订单信息", (60, 300, 200, 340)),
        ("订单号 20260312902420817237126", (60, 360, 900, 400)), ("订单类型 续费", (60, 420, 600, 460)),
        ("商品信息", (60, 600, 200, 640)), ("云服务器CVM 续费", (60, 660, 600, 700)),
        ("实例ID ins-8paoglc0", (60, 720, 600, 760)), ("地域 上海", (60, 780, 600, 820)),
        ("可用区 上海八区", (60, 840, 600, 880)), ("实例规格 标准型SA2 8核32GB", (60, 900, 700, 940)),
        ("费用信息", (60, 1000, 200, 1040)), ("应付金额 ¥4,399.91", (60, 1060, 600, 1100)))
    assert classify(document)[0] is DocumentKind.CVM_ORDER


def test_an_invoice_photographed_reads_its_goods_lines_whose_stars_read_as_quotes() -> None:
    """The 发票查验 dialog photographed off a monitor: OCR read the stars of *信息技术服务* as quotes and lost the
    first one at the start of a line. Each goods line is still one order."""
    document = _document(
        ("增值税电子普通发票", (1036, 432, 1346, 474)), ("发票号码：", (1451, 444, 1530, 468)), ("03071244", (1541, 441, 1632, 468)),
        ("开票日期：", (1450, 468, 1526, 494)), ("2024年04月28日", (1538, 466, 1667, 494)),
        ("名称：杭州微澜智能科技有限公司", (660, 548, 927, 572)),
        ("信息技术服务“轻量应用服务器", (615, 687, 842, 715)), ("1364.68", (1383, 684, 1458, 710)), ("6%", (1515, 686, 1548, 709)),
        ("81.88", (1690, 683, 1745, 709)),
        ("“信息技术服务“对象存储", (613, 718, 794, 746)), ("220.36", (1390, 715, 1455, 740)), ("6%", (1514, 715, 1547, 740)),
        ("13.22", (1689, 713, 1742, 739)),
        ("信息技术服务*云服务器", (611, 748, 791, 776)), ("2504.40", (1379, 745, 1454, 769)), ("6%", (1513, 744, 1546, 769)),
        ("150.26", (1676, 742, 1741, 768)), ("价税合计（大写）", (606, 830, 731, 858)), ("¥4334.80", (1564, 827, 1648, 851)))
    read = sorted((f.name, f.value["product"], f.value["amount_cny"]) for f in cvm_order.extract(document))
    assert read == [("cloud_order", "对象存储", 233.58), ("cloud_order", "轻量应用服务器", 1446.56), ("cvm_order", "云服务器", 2654.66)]


def test_the_statistics_tabs_name_a_statistics_page_with_no_user_count() -> None:
    """公众平台 统计 › 用户画像: the tabs (访问分析 来源分析 实时统计 用户画像) and age and province charts, no 累计用户数."""
    from extractors.classify import classify

    document = _document(("访问分析", (9, 78, 92, 108)), ("来源分析", (125, 78, 208, 108)), ("实时统计", (243, 78, 325, 108)),
                         ("用户画像", (361, 80, 441, 107)), ("2026/10/28至2026/11/26", (227, 169, 436, 194)),
                         ("17岁以下", (214, 314, 287, 343)), ("5.1%", (644, 315, 693, 339)), ("山东省", (841, 345, 898, 373)))
    assert classify(document)[0] is DocumentKind.MINIPROGRAM_STATS


def test_the_api_s_states_in_capitals_are_read_as_the_api_means_them() -> None:
    """TCCLI's text output: one INSTANCESET line per instance, no keys. The API's SHUTDOWN is an instance stopped to
    be destroyed (with PROTECTMODE: isolated), not the console's Shutdown (stopped); RUNNING is running."""
    document = _document(
        ("PS C:\\Users\\ops> tccli cvm DescribeInstances --region ap-beijing --output text", (7, 41, 667, 59)),
        ("INSTANCESET 8 2025-07-01T05:45:26Z None img-i0p9krw7 POSTPAID_BY_HOUR ins-ek9p152p 生产-应用服务器", (7, 76, 1360, 95)),
        ("SHUTDOWN M5.2XLARGE16 StartInstances SUCCESS 16 CentOS 7.9 64位 None PROTECTMODE NOT_APPLICABLE", (64, 95, 1360, 112)),
        ("PLACEMENT None None None 0 ap-beijing-7", (6, 167, 518, 185)),
        ("INSTANCESET 16 2024-12-22T02:10:00Z 2027-12-22T02:10:00Z img-9sk2ldx1 PREPAID ins-cn30gali 官网-web", (7, 275, 1360, 293)),
        ("RUNNING S5.LARGE8 StartInstances SUCCESS 8 Ubuntu 22.04 None NORMAL NOT_APPLICABLE", (64, 293, 1360, 310)),
        ("PLACEMENT None None None 0 ap-beijing-5", (6, 365, 518, 383)))
    read = {f.value["instance_id"]: f.value["status"] for f in cloud_console.extract(document)}
    assert read == {"ins-ek9p152p": "isolated", "ins-cn30gali": "running"}


def test_a_reseller_s_order_confirmation_names_the_account_s_owner_as_its_customer() -> None:
    """A 渠道商's 腾讯云产品订购确认单: the reseller's letterhead at the top, the 客户名称 beside its 腾讯云账号ID, and
    each order's 下单日期 in dots; the 官网价 is no amount paid, a cancelled row no order."""
    document = _document(
        ("天津市云迈信息技术有限公司", (88, 36, 257, 49)), ("腾讯云产品订购确认单", (341, 88, 501, 104)),
        ("客户名称", (59, 137, 94, 146)), ("天津微澜云计算技术有限公司", (118, 137, 232, 146)),
        ("腾讯云账号ID", (566, 137, 619, 146)), ("100081676728", (640, 137, 698, 146)),
        ("产品名称", (77, 203, 109, 211)), ("腾讯云订单号", (478, 203, 526, 211)), ("下单日期", (564, 203, 596, 211)),
        ("官网价（元）", (609, 203, 657, 211)), ("实付金额（元）", (694, 203, 750, 211)), ("状态", (770, 203, 786, 211)),
        ("云服务器CVM", (68, 224, 115, 232)), ("20261022233128438799663", (453, 224, 552, 232)), ("2026.10.22", (561, 224, 600, 232)),
        ("901.96", (634, 224, 658, 232)), ("351.76", (727, 224, 751, 232)), ("已付款", (767, 224, 790, 232)),
        ("云硬盘", (68, 245, 91, 253)), ("20261024540705151784022", (453, 245, 552, 253)), ("2026.10.24", (561, 245, 600, 253)),
        ("202.00", (634, 245, 658, 253)), ("181.80", (727, 245, 751, 253)), ("已取消", (767, 245, 790, 253)))
    read = [(f.name, f.value["purchased_on"], f.value["amount_cny"], f.value["account_subject"]) for f in cvm_order.extract(document)]
    assert read == [("cvm_order", "2026-10-22", 351.76, "天津微澜云计算技术有限公司")]


def test_a_statistics_card_forwarded_to_a_chat_is_a_statistics_page() -> None:
    """数据助手's 核心数据 card forwarded into a WeChat group: 访问人数, 新访问用户, 打开次数, 分享人数 and its day, no
    累计用户数; the chat's own words around it."""
    from extractors.classify import classify

    document = _document(("鼎睿小程序项目组(7)", (345, 168, 820, 231)), ("@徐杰浩小程序上周的数据", (218, 710, 807, 764)),
                         ("核心数据", (285, 1152, 459, 1212)), ("2026/11/26", (778, 1164, 952, 1198)),
                         ("访问人数", (290, 1272, 429, 1317)), ("新访问用户", (615, 1272, 784, 1316)), ("208", (286, 1335, 398, 1396)),
                         ("打开次数", (287, 1452, 429, 1497)), ("分享人数", (615, 1454, 755, 1497)), ("293", (286, 1515, 398, 1576)))
    assert classify(document)[0] is DocumentKind.MINIPROGRAM_STATS


def test_an_expiry_notice_lists_instances_by_region_id_and_its_sentence_gives_none_its_status() -> None:
    """The console's 站内信 (or its e-mail) that instances expired: 资源ID | 名称 | 所属地域 | 到期时间 rows under a
    sentence naming three states at once (已到期，目前已被隔离（已关机）). It is an instance screen, not an order; each
    row's region is its id as printed; which state each instance is in, the sentence does not say."""
    from extractors.classify import classify

    document = _document(
        ("消息中心", (40, 80, 200, 110)), ("站内消息详情", (260, 80, 460, 110)),
        ("【腾讯云】您的云服务器（CVM）已到期并被隔离", (260, 140, 900, 175)),
        ("尊敬的腾讯云用户，您好！", (260, 220, 600, 250)),
        ("您的账号（ID：100025234394）下的以下云服务器（CVM）已到期，目前已被隔离（已关机），数据将为您保留至2026-12-04。",
         (260, 270, 1700, 300)),
        ("资源ID", (260, 340, 360, 370)), ("名称", (520, 340, 580, 370)), ("所属地域", (760, 340, 880, 370)),
        ("到期时间", (1100, 340, 1220, 370)),
        ("ins-dg5iji5w", (260, 390, 430, 420)), ("yida-api", (520, 390, 640, 420)), ("ap-hongkong", (760, 390, 920, 420)),
        ("2026-11-26 17:33:35", (1100, 390, 1360, 420)),
        ("ins-e7fnoxxu", (260, 440, 430, 470)), ("k8s-node-1", (520, 440, 660, 470)), ("ap-hongkong", (760, 440, 920, 470)),
        ("2026-11-27 20:38:29", (1100, 440, 1360, 470)),
        ("如您已完成续费，请忽略本消息。", (260, 520, 700, 550)), ("立即续费", (260, 580, 400, 610)))
    assert classify(document)[0] is DocumentKind.CLOUD_CONSOLE
    read = {f.value["instance_id"]: (f.value["region"], f.value["status"], f.value["expires_on"], f.confidence < 0.8)
            for f in cloud_console.extract(document)}
    assert read == {"ins-dg5iji5w": ("ap-hongkong", None, "2026-11-26", True),
                    "ins-e7fnoxxu": ("ap-hongkong", None, "2026-11-27", True)}


def test_an_order_detail_s_product_cell_ends_where_the_configuration_begins_and_its_paid_amount_is_read() -> None:
    """The English 订单详情 (Order Details): the product's cell (Cloud Virtual Machine) sits close before the
    configuration's (Renewed instance: ins-…), and the fee block prints Original Price, Discount and Paid Amount;
    the Chinese page's 实际支付 is the same. The original price is never the amount paid."""
    def detail(product_cells: list[tuple[str, tuple]], paid_label: str) -> Document:
        return _document(
            ("Order Details", (240, 60, 420, 85)), ("Order ID", (240, 140, 330, 160)),
            ("20251218416396761951687", (400, 140, 680, 160)), ("Order Status", (240, 180, 370, 200)), ("Paid", (400, 180, 450, 200)),
            ("Order Time", (800, 180, 920, 200)), ("2025-12-18 22:13:11", (980, 180, 1180, 200)),
            ("Product", (256, 370, 330, 390)), ("Configuration", (406, 370, 540, 390)), ("Original Price", (1000, 370, 1130, 390)),
            *product_cells, ("¥931.79", (1000, 412, 1080, 432)),
            ("Fee Information", (240, 500, 400, 520)), ("Original Price", (240, 540, 380, 560)), ("¥931.79", (520, 540, 600, 560)),
            ("Discount", (240, 580, 330, 600)), ("-¥139.77", (520, 580, 610, 600)),
            (paid_label, (240, 620, 380, 640)), ("¥792.02", (520, 620, 600, 640)))

    close = [("Cloud Virtual Machine", (256, 412, 399, 432)), ("Renewed instance: ins-9hsu2761", (406, 422, 605, 442))]
    coded = [("Cloud Virtual Machine (CVM)", (256, 412, 399, 432)), ("Instance: ins-9hsu2761", (406, 412, 605, 432))]
    for cells, label, product in ((close, "Paid Amount", "Cloud Virtual Machine"), (coded, "实际支付", "Cloud Virtual Machine(CVM)")):
        (fact,) = cvm_order.extract(detail(cells, label))
        assert (fact.name, fact.value["product"], fact.value["amount_cny"]) == ("cvm_order", product, 792.02)


def test_a_statistics_platform_s_total_users_is_the_cumulative_count() -> None:
    """A third-party statistics dashboard (友盟+ / 阿拉丁-style) calls the cumulative count 总用户数, an info icon
    glued to it, over its card's figure in 万."""
    document = _document(("应用概况", (40, 100, 200, 130)), ("2026/11/20~2026/11/26", (1600, 100, 1900, 130)),
                         ("总用户数③", (300, 200, 440, 230)), ("新增用户", (700, 200, 820, 230)), ("活跃用户", (1100, 200, 1220, 230)),
                         ("1.82万", (300, 260, 420, 310)), ("1,967", (700, 260, 800, 310)), ("4,084", (1100, 260, 1200, 310)))
    facts = {f.name: f.value for f in miniprogram_stats.extract(document)}
    assert facts["miniprogram_registered_users"] == 18200
