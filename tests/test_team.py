"""Team evidence: social-security lists (社保缴纳清单) and org charts (组织架构 / 通讯录).

The accuracy part generates only the team bundles (fixtures/plan_team.py), reads every document with the real
PageReader (text layer, cells or RapidOCR, cached in the session home), classifies and extracts it, and compares
each fact with the truth: >= 97% right overall, >= 90% per fact name, nothing false above confidence 0.9, every
document classified as its kind. The focused tests build small documents by hand for the rules that matter:
departed employees, 险种 rows, same names, misread names, unclean rows, masked IDs and the org-chart methods.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from extractors import business_license, org_chart, social_security
from extractors.tables import document_rows, read_records
from extractors.specs import load_kinds
from extractors.values import normalise
from fixtures.plan_team import BUNDLES
from pipeline.models import Document, DocumentKind, Fact, FileType, Page, Table, TextBlock, TextSource
from pipeline.privacy import mask_id_numbers
from tests.readings import Reading as Read, read_bundles

SURE = 0.9
EXTRACTORS = {DocumentKind.SOCIAL_SECURITY_LIST: social_security, DocumentKind.ORG_CHART: org_chart,
              DocumentKind.BUSINESS_LICENSE: business_license}
SS, ORG = DocumentKind.SOCIAL_SECURITY_LIST, DocumentKind.ORG_CHART


@pytest.fixture(scope="module")
def team_reads(tmp_path_factory: pytest.TempPathFactory, session_home: Path) -> list[Read]:
    return read_bundles(BUNDLES, tmp_path_factory.mktemp("team"), session_home, {str(k) for k in EXTRACTORS})


def _team(reads: list[Read]) -> list[Read]:
    return [r for r in reads if DocumentKind(r.truth["kind"]) in (SS, ORG)]


def _roster_names(fact: Fact | None) -> list[str] | None:
    return sorted(p["name"] for p in fact.value) if fact is not None else None


@pytest.mark.slow
def test_team_facts_against_truth(team_reads: list[Read]) -> None:
    right, total, misses, confident_false = defaultdict(int), defaultdict(int), [], []
    for read in _team(team_reads):
        expected = dict(read.truth["facts"])
        if "roster" in read.truth:
            expected["social_security_roster"] = sorted(p["name"] for p in read.truth["roster"])
        for name, value in expected.items():
            fact = read.first(name)
            got = _roster_names(fact) if name == "social_security_roster" else (fact.value if fact else None)
            total[name] += 1
            if got == value:
                right[name] += 1
                continue
            misses.append(f"{read.where}: {name} read {got!r}, truth {value!r}")
            if fact is not None and fact.confidence > SURE:
                confident_false.append(f"{read.where}: {name}={got!r} at {fact.confidence}")
    overall = sum(right.values()) / sum(total.values())
    facts = f"{sum(right.values())}/{sum(total.values())} = {100 * overall:.1f}%"
    print(f"\nteam documents: {len(_team(team_reads))}, facts {facts}")
    for name in sorted(total):
        print(f"  {name:<34} {right[name]:>3}/{total[name]:<3} {100 * right[name] / total[name]:5.1f}%")
    print("\n".join(misses))
    assert len(_team(team_reads)) >= 10
    assert overall >= 0.97
    assert all(right[n] / total[n] >= 0.90 for n in total), misses
    assert confident_false == []


@pytest.mark.slow
def test_every_team_document_is_classified_as_its_kind(team_reads: list[Read]) -> None:
    wrong = [f"{r.where}: {r.kind} (truth {r.truth['kind']})" for r in team_reads if r.kind != DocumentKind(r.truth["kind"])]
    assert wrong == []
    assert {r.kind for r in team_reads} >= {SS, ORG, DocumentKind.BUSINESS_LICENSE}


@pytest.mark.slow
def test_lists_and_licenses_keep_apart(team_reads: list[Read]) -> None:
    """Neither kind reaches the other's min_score: the weights in the data files keep them apart."""
    kinds = load_kinds()
    for read in team_reads:
        other = {SS: DocumentKind.BUSINESS_LICENSE, DocumentKind.BUSINESS_LICENSE: SS}.get(read.kind)
        if other is not None:
            text = normalise(read.document.text)
            score = sum(w for word, w in kinds[str(other)].keywords.items() if word in text)
            assert score < kinds[str(other)].min_score, read.where


@pytest.mark.slow
def test_no_full_id_number_in_any_fact(team_reads: list[Read]) -> None:
    xlsx = [r for r in team_reads if r.kind is SS and r.document.file_type is FileType.XLSX]
    assert xlsx, "the plan must hold an xlsx list with full ID numbers"
    assert any(mask_id_numbers(r.document.text) != r.document.text for r in xlsx)  # the file does hold them
    for read in _team(team_reads):
        for fact in read.facts:
            dumped = json.dumps([fact.value, fact.text, fact.warnings], ensure_ascii=False)
            assert mask_id_numbers(dumped) == dumped, f"{read.where}: {fact.name} shows a full ID number"


@pytest.mark.slow
def test_org_chart_methods(team_reads: list[Read]) -> None:
    methods = {r.where: r.first("org_chart_headcount_method") for r in team_reads if r.kind is ORG}
    assert {f.value for f in methods.values() if f} == {"total_shown", "department_sum", "members_listed"}
    for read in (r for r in team_reads if r.kind is ORG):
        headcount = read.first("org_chart_headcount")
        assert headcount is not None and isinstance(headcount.value, int) and headcount.warnings == []


# --- focused rules, on documents built by hand (no OCR) --------------------------------------------------------

HEADER = ["姓名", "公民身份号码", "费款所属期", "险种"]


def _list_document(rows: list[list[str]], source: TextSource = TextSource.TEXT_LAYER) -> Document:
    """A one-page list: the employer line and a ruled table (text layer), or the cells as OCR lines."""
    title = TextBlock(text="单位名称：深圳市云帆信息技术有限公司", bbox=(40, 20, 400, 32), confidence=0.99)
    table = [HEADER, *rows]
    if source is TextSource.TEXT_LAYER:
        page = Page(number=1, width=600, height=800, source=source, blocks=[title],
                    tables=[Table(bbox=(40, 50, 560, 60 + 20 * len(table)), rows=table,
                                  row_bboxes=[(40, 50 + 20 * i, 560, 70 + 20 * i) for i in range(len(table))])])
    else:
        cells = [TextBlock(text=text, bbox=(40 + 150 * j, 50 + 40 * i, 160 + 150 * j, 80 + 40 * i), confidence=0.95)
                 for i, row in enumerate(table) for j, text in enumerate(row) if text]
        page = Page(number=1, width=700, height=900, source=source, blocks=[title, *cells])
    return Document(path="社保.pdf", sha256="0" * 64, file_type=FileType.PDF, pages=[page])


def _rows(name: str, id_masked: str, months: list[str], kinds: tuple[str, ...] = ("养老", "医疗", "失业")) -> list[list[str]]:
    return [[name, id_masked, month, kind] for month in months for kind in kinds]


def _facts(document: Document) -> dict[str, Fact]:
    return {f.name: f for f in social_security.extract(document)}


def test_departed_and_insurance_rows() -> None:
    rows = (_rows("张伟", "4403**********1234", ["202610", "202609"]) + _rows("李娜", "4403**********5678", ["202610"])
            + _rows("王芳", "4403**********9012", ["202609", "202608"]))
    facts = _facts(_list_document(rows))
    assert facts["social_security_month"].value == "2026-10"
    assert facts["social_security_headcount"].value == 2  # 王芳 left; three 险种 rows count once
    assert facts["social_security_headcount"].confidence > 0.9 and not facts["social_security_headcount"].warnings
    assert facts["social_security_employer"].value == "深圳市云帆信息技术有限公司"
    assert [p["name"] for p in facts["social_security_roster"].value] == ["张伟", "李娜"]


def test_same_name_told_apart_by_visible_digits() -> None:
    rows = _rows("张伟", "4403**********1234", ["202610"]) + _rows("张伟", "4403**********8765", ["202610"])
    assert _facts(_list_document(rows))["social_security_headcount"].value == 2
    one = _rows("张伟", "4403**********1234", ["202610"])
    assert _facts(_list_document(one + one[:1]))["social_security_headcount"].value == 1


def test_ocr_digits_never_split_a_person() -> None:
    """OCR reads masked IDs loosely (1234 / 7234 / **34): one person per name and 险种, and a name read one
    character off that only fills a gap is the same person."""
    rows = [["张伟", "4403**********1234", "2026-10", "养老"], ["张伟", "**7234", "2026-10", "医疗"],
            ["张伟", "4403*****1284", "2026-10", "失业"], ["李娜", "4403**********5678", "2026-10", "养老"],
            ["李娜", "4403**********5678", "2026-10", "医疗"], ["李哪", "4403**********5678", "2026-10", "失业"]]
    facts = _facts(_list_document(rows, TextSource.OCR))
    assert facts["social_security_headcount"].value == 2
    assert facts["social_security_headcount"].confidence <= social_security.OCR_CONFIDENCE
    twins = rows[:3] + [["张伟", "4403**********9876", "2026-10", kind] for kind in ("养老", "医疗", "失业")]
    assert _facts(_list_document(twins, TextSource.OCR))["social_security_headcount"].value == 2


@pytest.mark.parametrize("bad_row", [
    ["", "4403**********4321", "202610", "养老"],  # a row without a name
    ["赵敏", "4403**********4321", "2026-13", "养老"],  # a month parse_month refuses
])
def test_unclean_rows_lower_the_confidence(bad_row: list[str]) -> None:
    rows = _rows("张伟", "4403**********1234", ["202610"]) + [bad_row]
    headcount = _facts(_list_document(rows))["social_security_headcount"]
    assert headcount.confidence < 0.8
    assert headcount.warnings and "could not be parsed" in headcount.warnings[0]


def test_full_ids_are_masked() -> None:
    rows = _rows("张伟", "440305199001011236", ["202610"])
    for fact in social_security.extract(_list_document(rows)):
        dumped = json.dumps([fact.value, fact.text], ensure_ascii=False)
        assert "440305199001011236" not in dumped
    roster = _facts(_list_document(rows))["social_security_roster"].value
    assert roster == [{"name": "张伟", "id_masked": "4403**********1236"}]


def test_skewed_ocr_table_is_levelled() -> None:
    """A table turned by ~4 degrees: without levelling its cells mix rows."""
    slope, table = 0.07, [HEADER, *_rows("张伟", "4403**********1234", ["202610", "202609"]),
                          *_rows("李娜", "4403**********5678", ["202610"])]
    blocks = [TextBlock(text=text, bbox=(40 + 250 * j, 100 + 45 * i + slope * 250 * j, 200 + 250 * j,
                                         130 + 45 * i + slope * 250 * j), confidence=0.95)
              for i, row in enumerate(table) for j, text in enumerate(row)]
    document = Document(path="x.jpg", sha256="0" * 64, file_type=FileType.JPEG,
                        pages=[Page(number=1, width=1100, height=900, source=TextSource.OCR, blocks=blocks)])
    extractor = social_security.EXTRACTOR
    _, records = read_records(document_rows(document), extractor.options.columns, extractor._value_role)
    assert [(r.get("name"), r.get("month")) for r in records] == [(row[0], row[2]) for row in table[1:]]


def _screen(lines: list[tuple[str, ...]], source: TextSource = TextSource.OCR) -> Document:
    blocks = [TextBlock(text=text, bbox=(40 + 400 * j, 100 * i, 300 + 400 * j, 100 * i + 40), confidence=0.98)
              for i, line in enumerate(lines) for j, text in enumerate(line)]
    return Document(path="通讯录.png", sha256="0" * 64, file_type=FileType.PNG,
                    pages=[Page(number=1, width=1080, height=2340, source=source, blocks=blocks)])


def _org(document: Document) -> tuple[int | None, str | None]:
    facts = {f.name: f.value for f in org_chart.extract(document)}
    return facts.get("org_chart_headcount"), facts.get("org_chart_headcount_method")


def test_org_chart_prefers_the_total_then_departments_then_members() -> None:
    departments = [("技术部（12）",), ("研发中心", "8人"), ("消息", "3")]
    assert _org(_screen([("通讯录",), ("全部成员（25）",), *departments])) == (25, "total_shown")
    assert _org(_screen([("共25人",), *departments])) == (25, "total_shown")
    assert _org(_screen([("组织架构",), *departments])) == (20, "department_sum")
    members = [("姓名", "部门", "手机"), ("张伟", "技术部", "13800138000"), ("张伟", "产品部", "13800138000"),
               ("张伟", "运维部", "13900139000"), ("李娜", "技术部", "")]
    assert _org(_screen(members, TextSource.CELLS)) == (3, "members_listed")


def test_a_total_below_a_department_is_doubted() -> None:
    facts = org_chart.extract(_screen([("全部成员（5）",), ("技术部（12）",)]))
    assert facts[0].value == 5 and facts[0].confidence <= 0.6 and facts[0].warnings


def _ocr_rows(table: list[list[str]], width: int = 150) -> Document:
    """OCR lines of a table: one block per cell on a regular grid."""
    blocks = [TextBlock(text=text, bbox=(40 + width * j, 50 + 40 * i, 40 + width * (j + 1) - 20, 80 + 40 * i), confidence=0.95)
              for i, row in enumerate(table) for j, text in enumerate(row) if text]
    return Document(path="社保.jpg", sha256="0" * 64, file_type=FileType.JPEG,
                    pages=[Page(number=1, width=1400, height=1400, source=TextSource.OCR, blocks=blocks)])


def test_alike_names_with_other_id_digits_are_two_people() -> None:
    """OCR may misread one character of a name, but 李杰俊 …7444 and 李杰伟 …5616 differ in their IDs too."""
    rows = [["李杰俊", "4403**********7444", "202610", "养老、医疗(二档)"], ["李杰伟", "4403**********5616", "202610", "养老、医疗(一档)"]]
    facts = _facts(_list_document(rows, TextSource.OCR))
    assert facts["social_security_headcount"].value == 2


def test_a_caption_over_two_lines_heads_one_column() -> None:
    """本单位参保 printed above 起始年月: the values under the pair are start months, not payment months."""
    title = TextBlock(text="单位名称：深圳市云帆信息技术有限公司 缴费年月：2026年10月", bbox=(40, 10, 600, 30), confidence=0.99)
    header = [("姓名", 40, 100), ("身份证号码", 200, 300), ("本单位参保", 400, 480)]
    blocks = [title, *(TextBlock(text=t, bbox=(x0, 60, x1, 75), confidence=0.99) for t, x0, x1 in header),
              TextBlock(text="起始年月", bbox=(403, 77, 477, 92), confidence=0.99)]
    people = [("张伟", "4403**********1234", "202312"), ("李娜", "4403**********5678", "202610"),
              ("王芳", "4403**********9012", "202511")]
    for i, (name, ident, since) in enumerate(people):  # the value cells drift right, off the upper caption's span
        y, drift = 110 + 30 * i, 3 * i
        blocks += [TextBlock(text=name, bbox=(45, y, 95, y + 15), confidence=0.99),
                   TextBlock(text=ident, bbox=(190, y, 320, y + 15), confidence=0.99),
                   TextBlock(text=since, bbox=(408 + drift, y, 476 + drift, y + 15), confidence=0.99)]
    document = Document(path="参保证明.jpg", sha256="0" * 64, file_type=FileType.JPEG,
                        pages=[Page(number=1, width=700, height=400, source=TextSource.OCR, blocks=blocks)])
    facts = _facts(document)
    assert facts["social_security_headcount"].value == 3  # insured since a month: all three, not those of 2026-10
    assert facts["social_security_month"].value == "2026-10"


def test_numbered_halves_of_a_row_are_two_people() -> None:
    """A roster in two halves side by side, one half's ID misread past recognition: 6.陈文磊 … 19.王敏 are two."""
    rows = [["1.冯欣欣", "110108********6371", "14.杨梅明", "110108********218X"],
            ["6.陈文磊", "110108********4726", "19.王敏", "10180024x"]]
    _, records = read_records(document_rows(_ocr_rows(rows)), social_security.EXTRACTOR.options.columns,
                              social_security.EXTRACTOR._value_role)
    assert [r.get("name") for r in records] == ["1.冯欣欣", "14.杨梅明", "6.陈文磊", "19.王敏"]


def test_a_row_named_only_by_its_id_counts_and_is_doubted() -> None:
    rows = _rows("张伟", "4403**********1234", ["202610"]) + [["蝗王u", "4201**********0848", "202610", "养老"]]
    facts = _facts(_list_document(rows, TextSource.OCR))
    assert facts["social_security_headcount"].value == 2
    assert facts["social_security_headcount"].confidence < 0.8
    assert {p["id_masked"] for p in facts["social_security_roster"].value if p["name"] is None} == {"4201**********0848"}


def test_an_id_printed_lower_than_its_merged_name_is_that_person() -> None:
    """Merged name and ID cells centred among a person's 险种 rows: the name on the first rows, the ID on the
    last ones. They are one person."""
    rows = [["叶鹏", "", "202610", "养老"], ["叶鹏", "", "202610", "失业"], ["", "1201**********9289", "202610", "工伤"],
            ["", "1201**********9289", "202610", "医疗"], *_rows("沈勇", "1201**********1633", ["202610"], ("养老", "失业", "工伤", "医疗"))]
    facts = _facts(_list_document(rows))
    assert facts["social_security_headcount"].value == 2
    assert [p["name"] for p in facts["social_security_roster"].value] == ["叶鹏", "沈勇"]


def test_a_sentence_is_no_id_number() -> None:
    assert social_security.visible_id("合计：2026年11月在册缴费人员32人") is None
    assert social_security.visible_id("4403**********1234") is not None


def test_a_label_and_its_value_are_no_name_cell() -> None:
    """单位名称：… repeated over each page's table: 单 is a surname, but the cell is a label and a company."""
    assert social_security.person_name("单位名称:西安鼎睿智能科技有限公司")[0] is None
    assert social_security.person_name("Feng Wen 冯文")[0] == "冯文"


def test_a_date_insured_from_is_no_payment_month(tmp_path: Path, session_home: Path) -> None:
    """社保费管理客户端 (a blind family): 参保日期 is when each person was first insured, and the list is for the
    所属期 it prints; read as payment months, they left one person of five."""
    from pipeline.config import Settings
    from pipeline.models import BundleFile
    from pipeline.pages import PageReader
    from pipeline.sniff import sniff_file_type
    from tests.readings import blind_document

    path = blind_document("social_security_list/fresh5_sbf_client_desktop", "screenshot", tmp_path)
    file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                      file_type=sniff_file_type(path))
    facts = _facts(PageReader(Settings(home=session_home)).read(file))
    assert (facts["social_security_headcount"].value, facts["social_security_month"].value) == (5, "2026-10")


def test_a_paid_month_column_decides_beside_a_date_insured_from() -> None:
    title = ["费款所属期", "2026-10", "至", "2026-10"]
    latest = [title, ["姓名", "证件号码", "参保日期", "最近缴费所属期"],
              ["王英文", "3701**********5062", "2017-10-01", "2026-10"], ["高佳宇", "3701**********0248", "2018-12-01", "2026-08"],
              ["卢磊", "3701**********6031", "2019-11-01", "2026-10"]]
    assert _facts(_ocr_rows(latest))["social_security_headcount"].value == 2


def test_an_app_s_cards_one_per_person_count_only_those_paying() -> None:
    """An 人社 app's 参保人员 page: a card per person, the name with the gender glued on and a status tag on its
    first line, the ID on the next. A leaver's ID line is no person of its own, and the gender is no part of a name."""
    cards = []
    for name, gender, status, tail in (("高志远", "男", "正常缴费", "1234"), ("林若溪", "女", "已减员", "5678"),
                                       ("陈浩然", "男", "正常缴费", "9012"), ("周雨桐", "女", "暂停缴费", "3456"),
                                       ("吴俊杰", "男", "新增", "7890")):
        cards += [[f"{name}{gender}", "", "", status], ["身份证号", f"4401061990****{tail}"],
                  ["参保险种养老医疗失业工伤"], ["参保年月2019-03"], []]
    document = _ocr_rows([["无锡人社·单位网上经办"], ["所属期2026-11"], *cards])
    facts = _facts(document)
    assert facts["social_security_headcount"].value == 3
    assert sorted(p["name"] for p in facts["social_security_roster"].value) == ["吴俊杰", "陈浩然", "高志远"]


def _screens(pages: list[list[list[str]]]) -> Document:
    """Phone screenshots of one scrolling list, one page each, as `_ocr_rows` lays out one."""
    return Document(path="参保人员查询.pdf", sha256="0" * 64, file_type=FileType.PDF,
                    pages=[_ocr_rows(rows).pages[0].model_copy(update={"number": n}) for n, rows in enumerate(pages, 1)])


def test_overlapping_screenshots_of_an_app_s_cards_count_each_person_once() -> None:
    """Each screenshot repeats, under the status bar and the app's title, the rows the one before ended on (the
    first of them cut by the screen's top edge into nonsense), and a card cut by one screen's foot goes on at the
    top of the next. The filter bar (所属期202611 | 险种全部险种) is a form's line, not the list's header."""
    def card(name: str, status: str, tail: str, since: str) -> list[list[str]]:
        return [[name, "", "", status], ["身份证号", f"4401061990****{tail}"], ["个人编号", f"32052{tail}7148"],
                ["参保险种", "养老", "医疗", "失业", "工伤", "生育"], ["参保年月", since, f"缴费基数{tail},00"]]
    chrome = [["09:11"], ["<", "参保人员查询"]]
    cards = (card("许文女", "新增", "548X", "2026-11") + card("李刚刚女", "正常缴费", "6909", "2019-05")
             + card("孙霞鹏男", "正常缴费", "9177", "2019-05") + card("徐勇娜女", "正常缴费", "2468", "2017-08")
             + card("丁杰国男", "已减员", "5633", "2018-12"))
    first = [*chrome, ["上海市极光电子商务股份有限公司"], ["所属期202611", "险种全部险种"], ["参保缴费", "本月增员"], *cards[:11]]
    cut = [["参保应种", "乔花", "医疗", "大业", "⊥伤", "生月"]]  # the first repeated row, half under the title bar
    second = [*chrome, *cut, *cards[9:]]
    facts = _facts(_screens([first, second]))
    assert facts["social_security_month"].value == "2026-11"
    assert sorted(p["name"] for p in facts["social_security_roster"].value) == ["孙霞鹏", "徐勇娜", "李刚刚", "许文"]
    assert facts["social_security_headcount"].value == 4
    assert all(p["id_masked"] for p in facts["social_security_roster"].value)


def test_an_app_page_headed_by_the_unit_s_name_names_the_employer() -> None:
    """No 单位名称 label: the page's one company, over the list, is the employer; the 人社 office is not."""
    rows = [["无锡市人力资源和社会保障局"], ["苏州市云帆信息技术有限公司"], ["所属期2026-11"], ["高志远", "", "", "正常缴费"],
            ["身份证号", "4401061990****1234"]]
    assert _facts(_ocr_rows(rows))["social_security_employer"].value == "苏州市云帆信息技术有限公司"


def test_the_marketplace_a_letter_is_addressed_to_is_never_the_employer() -> None:
    rows = [["社会保险缴纳情况说明"], ["致：腾讯云计算（北京）有限责任公司"],
            ["兹证明，我司朝阳区晨光商行（个体工商户）2026年10月缴费人员名单如下："], ["1.高志远", "4401061990****1234"]]
    facts = _facts(_ocr_rows(rows, width=600))
    assert "腾讯" not in str(facts.get("social_security_employer") and facts["social_security_employer"].value)


def _proof_page(number: int, name: str, id_number: str, status: str, months: list[str], note: str | None = None) -> Page:
    """One page of a pack of 个人参保证明: the person in captioned cells, their 险种 table, their payments by month."""
    rows = [["社会保险个人参保缴费证明"], ["打印日期:2026年11月25日"], ["姓名", name, "性别", "女"],
            ["公民身份号码", id_number, "个人社保号", "9834171273"], ["参保单位", "宁波极光信息技术有限公司"],
            ["险种", "参保状态", "参保日期", "本单位缴费月数", "累计缴费月数"],
            *([kind, status, "202001", "54", "108"] for kind in ("职工基本养老保险", "失业保险", "工伤保险")),
            ["费款所属期", "缴费单位", "缴费基数", "养老", "医疗", "到账状态"],
            *([month, "宁波极光信息技术有限公司", "17,600.00", "1,408.00", "352.00", "已实缴"] for month in months),
            ["注:养老、医疗栏为个人缴费部分。"], *([[note]] if note else [])]
    cells = [TextBlock(text=text, bbox=(40 + 160 * j, 50 + 40 * i, 180 + 160 * j, 80 + 40 * i), confidence=0.99)
             for i, row in enumerate(rows) for j, text in enumerate(row) if text]
    return Page(number=number, width=1100, height=1200, source=TextSource.TEXT_LAYER, blocks=cells)


def test_a_pack_of_personal_proofs_counts_each_page_s_person_in_the_latest_month_paid() -> None:
    """One proof per employee: the person is named in captioned cells (姓名 | 林若溪), not in a column, and the rows
    under it are theirs. The month is the latest paid, not the first under 费款所属期; a leaver's page, whose note
    names the month they stopped in, is not counted."""
    months = [f"2026{m:02d}" for m in range(1, 12)]
    pages = [_proof_page(1, "林若溪", "3502031996****7501", "正常参保", months),
             _proof_page(2, "陈浩然", "3502031990****1234", "正常参保", months),
             _proof_page(3, "周雨桐", "3502031992****5678", "暂停参保", months[:-1], "停保原因:解除劳动关系(2026年11月起暂停参保)")]
    facts = _facts(Document(path="个人参保证明合集.pdf", sha256="0" * 64, file_type=FileType.PDF, pages=pages))
    assert facts["social_security_month"].value == "2026-11"
    assert sorted(p["name"] for p in facts["social_security_roster"].value) == ["林若溪", "陈浩然"]
    assert facts["social_security_headcount"].value == 2 and facts["social_security_headcount"].confidence >= 0.8


def test_a_dot_matrix_print_with_its_rules_as_characters_and_its_zeros_read_as_eights() -> None:
    """A counter's dot-matrix 缴费明细: OCR reads each row as a few blocks holding the print's | rules, and the
    print's 0 as 8 or 6 (282610 for 202610). The cells between the rules are the row's; a month cell repaired in
    place to its one valid month counts, with a note."""
    header = [("所属期", 40, 140), ("个人编号", 160, 300), ("姓名", 320, 400), ("身份证号码", 420, 640), ("缴费基数", 660, 780),
              ("状态", 800, 860)]
    people = [("282609", "8669885227|王重兰", "320105********5096", "17887.00", "正常"),
              ("282610", "8669885227|王重兰", "320105********5096", "0.00", "减员"),
              ("282610", "2684571386|李娟博", "320105*******2022", "17563.08", "正常"),
              ("282616", "4759695455|苏宇平", "320105********7581", "14821.00", "正常")]
    blocks = [TextBlock(text="单位名称:南京市微澜网络科技有限责任公司沈阳分公司", bbox=(40, 10, 500, 40), confidence=0.95)]
    blocks += [TextBlock(text=text, bbox=(x0, 50, x1, 80), confidence=0.95) for text, x0, x1 in header]
    for i, (month, number_name, id_number, base, status) in enumerate(people, 1):
        y = 50 + 40 * i
        blocks += [TextBlock(text=f"|{month} |", bbox=(30, y, 150, y + 30), confidence=0.95),
                   TextBlock(text=f"|{number_name}", bbox=(150, y, 410, y + 30), confidence=0.95),
                   TextBlock(text=f"{id_number}|", bbox=(420, y, 650, y + 30), confidence=0.95),
                   TextBlock(text=f"| {base}|{status}|", bbox=(655, y, 870, y + 30), confidence=0.95)]
    facts = _facts(Document(path="scan.jpg", sha256="0" * 64, file_type=FileType.JPEG,
                            pages=[Page(number=1, width=1400, height=600, source=TextSource.OCR, blocks=blocks)]))
    assert facts["social_security_month"].value == "2026-10"
    assert sorted(p["name"] for p in facts["social_security_roster"].value) == ["李娟博", "苏宇平"]
    assert facts["social_security_headcount"].confidence < 0.8 and any("dot-matrix" in w for w in facts["social_security_headcount"].warnings)


def test_a_back_payment_insures_its_person_in_the_period_it_pays_for() -> None:
    """A ledger with 缴费年月 and 费款所属期 both printed: a former employee's 补缴 row paid in 202611 for 202607
    insures no one in 202611."""
    table = [["序号", "缴费年月", "费款所属期", "姓名", "证件号码", "缴费基数", "缴费类型"],
             ["1", "202611", "202611", "余浩", "3101**********2924", "17667", "正常应缴"],
             ["2", "202611", "202611", "曹宇国", "3101**********7354", "4600", "正常应缴"],
             ["3", "202611", "202607", "黄俊", "3101**********3391", "15731", "补缴"],
             ["1", "202610", "202610", "余浩", "3101**********2924", "17667", "正常应缴"]]
    facts = _facts(_ocr_rows(table))
    assert (facts["social_security_month"].value, facts["social_security_headcount"].value) == ("2026-11", 2)
    assert {p["name"] for p in facts["social_security_roster"].value} == {"余浩", "曹宇国"}


def test_a_payment_month_alone_is_the_insured_month() -> None:
    table = [["姓名", "证件号码", "缴费年月", "险种"],
             ["余浩", "3101**********2924", "202611", "养老"], ["曹宇国", "3101**********7354", "202611", "养老"],
             ["黄俊", "3101**********3391", "202610", "养老"]]
    facts = _facts(_ocr_rows(table))
    assert (facts["social_security_month"].value, facts["social_security_headcount"].value) == ("2026-11", 2)


def test_a_name_read_into_the_number_column_and_a_status_split_into_characters() -> None:
    """A tilted photo of a counter print-out: OCR reads the list number, the staff number and the name as one box
    under 序号 (4 6391887804 邓强), leaving the 姓名 column empty, and reads 停缴 as 停 | 缴. The person counts,
    and the leaver does not."""
    table = [["序号 个人编号", "姓名", "公民身份号码", "费款所属期", "险种", "状态", ""],
             ["1 3624841242 丁佳博", "", "4403**********8062", "202610", "养老", "正常", ""],
             ["2 5844479928 李怡", "", "4403**********0051", "202610", "养老", "正常", ""],
             ["3 9631047163 曾伟婷", "", "4403**********0005", "202610", "养老", "停", "缴"]]
    facts = _facts(_ocr_rows(table))
    assert facts["social_security_headcount"].value == 2
    assert _roster_names(facts["social_security_roster"]) == ["丁佳博", "李怡"]


def test_an_app_level_counts_its_departments_and_the_members_directly_under_it() -> None:
    """飞书 / 钉钉 apps show a level of the tree: its departments with their counts, then the members placed
    directly under it (成员（1）: the manager). The tab bar at the bottom names no one. The organisation's card
    prints its badge on the line under its name."""
    screen = _screen([("组织架构",), ("瀚海云计算技术",), ("部门",), ("技术部", "(4) >"),
                      ("市场部", "(5) >"), ("成员（1）",), ("许晨艳",), ("消息", "日历", "云文档", "工作台", "通讯录")])
    badge = TextBlock(text="已认证 成员10", bbox=(40, 150, 300, 190), confidence=0.98)  # the card's line under its name
    screen.pages[0].blocks.insert(2, badge)
    assert _org(screen) == (10, "department_sum")
    facts = {f.name: f for f in org_chart.extract(screen)}
    assert facts["org_chart_organisation"].value == "瀚海云计算技术"
    assert "members listed directly" in facts["org_chart_headcount"].evidence[0]


def test_a_list_in_one_section_per_insurance_counts_each_person_once() -> None:
    """A 缴费明细 split into 险种 sections (the first heading above the table's header, the next ones as rows,
    their number a cell apart), each repeating the same persons, whose masked IDs OCR reads with a digit twice."""
    header = ["序号", "姓名", "公民身份号码", "费款所属期", "缴费状态"]
    people = [("林婷雪", "98555", "9855"), ("胡琪强", "04866", "0486"), ("梁娟", "8680", "8680")]
    table = [["基本养老保险"], header, *[["1", n, f"3701**{a}", "202610", "正常缴费"] for n, a, _ in people],
             ["二、", "基本医疗保险"], header, *[["1", n, f"3701**{b}", "202610", "正常缴费"] for n, _, b in people],
             ["三、", "失业保险"], header, *[["1", n, f"3701**{a}", "202610", "正常缴费"] for n, a, _ in people]]
    facts = _facts(_ocr_rows(table))
    assert facts["social_security_headcount"].value == 3


def test_a_badged_name_stops_at_the_search_box_and_the_avatar_before_it() -> None:
    """The 飞书 desktop client: the search box, the organisation's avatar (优), its name and its badge read as one
    line; the name is only what runs up to the badge."""
    blocks = [TextBlock(text=t, bbox=b, confidence=0.98) for t, b in (
        ("Q 搜索", (86, 87, 137, 109)), ("优", (374, 83, 405, 114)), ("优创科技", (420, 79, 509, 107)),
        ("已认证", (515, 80, 567, 102)), ("共20人", (420, 140, 471, 161)))]
    document = Document(path="飞书.png", sha256="0" * 64, file_type=FileType.PNG,
                        pages=[Page(number=1, width=1920, height=1080, source=TextSource.OCR, blocks=blocks)])
    facts = {f.name: f.value for f in org_chart.extract(document)}
    assert facts["org_chart_organisation"] == "优创科技" and facts["org_chart_headcount"] == 20


def test_a_section_of_leavers_under_the_roster_counts_no_one() -> None:
    """A bureau's 参保人员名单: the roster, then 本期减少人员 in a table of its own, whose rows print no status word,
    only the month and the reason they left."""
    table = [["序号", "姓名", "公民身份号码", "状态"], ["1", "刘刚婷", "1101**********0713", "正常"],
             ["2", "高飞轩", "1101**********9643", "新参保"], [], ["本期减少人员"], ["序号", "姓名", "公民身份号码", "减少年月", "减少原因"],
             ["1", "彭诺秀", "1101**********0200", "202611", "解除劳动合同"]]
    document = _ocr_rows([["所属期：2026年11月"], *table])
    facts = _facts(document)
    assert facts["social_security_headcount"].value == 2
    assert _roster_names(facts["social_security_roster"]) == ["刘刚婷", "高飞轩"]


def test_an_hr_roster_states_the_staff_on_the_job_in_its_tab() -> None:
    """钉钉 智能人事 花名册: the tab 在职员工21 states the headcount; the page lists only its first ten."""
    members = [("姓名", "工号", "部门"), *[(f"张{c}伟", f"ZX{n:04d}", "研发中心") for n, c in enumerate("一二三四五六七八九十")]]
    screen = _screen([("花名册",), ("在职员工21", "待入职0", "离职员工2"), *members], TextSource.OCR)
    assert _org(screen) == (21, "total_shown")


def test_a_declaration_for_one_month_counts_the_rows_that_print_none(tmp_path: Path, session_home: Path) -> None:
    """The 电子税务局's 社会保险费缴费申报明细 (a blind family, its PDF): the persons paid for (缴费人员明细) print no
    month, the 费款所属期 over them states it; the table of changes under them (本期人员增减变动), read under the same
    header, prints the month of each change. The persons without a month are of the declared month; the one who
    left (减员) is not counted."""
    from pipeline.config import Settings
    from pipeline.pages import PageReader
    from tests.readings import blind_sample
    from tests.test_page_text import as_file

    sample = blind_sample("social_security_list/fresh15_etax_declaration_detail", "pdf")
    path = tmp_path / sample.path
    path.write_bytes(sample.content)
    facts = _facts(PageReader(Settings(home=session_home)).read(as_file(path)))
    assert (facts["social_security_month"].value, facts["social_security_headcount"].value) == (
        sample.facts["social_security_month"], sample.facts["social_security_headcount"])
    assert sorted(_roster_names(facts["social_security_roster"])) == sorted(p["name"] for p in sample.facts["social_security_roster"])


def test_an_org_chart_poster_states_its_total_or_leaves_its_sum_to_an_analyst() -> None:
    """The company's 组织架构图 poster: its total line sets a colon after its word (全公司在职员工合计：21人); without
    one, its department boxes print staff beside planned posts (销售部 4人（编制6）: the staff count), and boxes
    side by side with teams under them make a chart of levels, whose sum of all counts may take a team twice."""
    boxes = [("总经办 4人（编制4）", "客户成功部 2人（编制3）", "销售部 4人（编制6）")]
    assert _org(_screen([("组织架构图",), *boxes, ("全公司在职员工合计：21人",)])) == (21, "total_shown")
    assert _org(_screen([("组织架构图",), *boxes])) == (10, "department_sum")
    levels = _screen([("组织架构图",), ("运维部（5）", "市场部（6）"), ("系统运维组 2人", "实施组 4人"), ("安全组 3人",)])
    facts = {f.name: f for f in org_chart.extract(levels)}
    assert facts["org_chart_headcount"].confidence < 0.8
    assert any("side by side" in w for w in facts["org_chart_headcount"].warnings)


def test_a_member_export_keeps_who_left_and_counts_no_one_of_them() -> None:
    """飞书's 导出成员 file: its 账号状态 column marks the activated, the not activated and those who left (已离职);
    who left is no member, joined or not."""
    members = [("姓名", "部门", "工号", "账号状态"), ("张伟", "研发中心", "A0012", "已激活"),
               ("李娜", "研发中心", "A0013", "已激活"), ("王芳", "销售部", "A0014", "未激活"),
               ("赵强", "销售部", "A0015", "已离职"), ("钱敏", "财务部", "A0016", "已激活")]
    facts = {f.name: f.value for f in org_chart.extract(_screen(members, TextSource.CELLS))}
    assert (facts["org_chart_headcount"], facts["org_chart_headcount_method"]) == (3, "members_listed")
    # the employee number beside the status (A0014) is no count of the not joined
    assert facts["org_chart_not_joined"] == 1


def test_a_workbook_of_one_sheet_per_month_counts_the_latest_sheet() -> None:
    """A company's own 社保 workbook keeps one sheet per month, each under its 费款所属期 and none printing a month in
    its rows: the latest sheet's persons are the headcount, not the first sheet's month over everyone ever listed."""
    def sheet(number: int, month: str, names: list[str]) -> Page:
        rows = [("深圳市云帆信息技术有限公司社会保险缴纳明细",), (f"费款所属期：{month}",), ("序号", "姓名", "身份证号", "缴费基数"),
                *[(str(i), name, f"44030519900101{everyone.index(name):02d}34", "5000") for i, name in enumerate(names, 1)]]
        blocks = [TextBlock(text=text, bbox=(j, i, j + 1, i + 1), confidence=1.0)
                  for i, row in enumerate(rows) for j, text in enumerate(row)]
        return Page(number=number, width=4, height=len(rows), source=TextSource.CELLS, blocks=blocks)

    everyone = ["张伟", "李娜", "王芳", "赵强", "钱敏", "孙丽", "周杰"]
    older = everyone[:4]
    pages = [sheet(1, "2026年8月", older), sheet(2, "2026年9月", older[1:] + ["钱敏"]),
             sheet(3, "2026年10月", older[1:3] + ["钱敏", "孙丽", "周杰"])]
    facts = _facts(Document(path="社保明细.xlsx", sha256="0" * 64, file_type=FileType.XLSX, pages=pages))
    assert (facts["social_security_month"].value, facts["social_security_headcount"].value) == ("2026-10", 5)
    assert _roster_names(facts["social_security_roster"]) == sorted(["李娜", "王芳", "钱敏", "孙丽", "周杰"])
    reversed_ = [p.model_copy(update={"number": n}) for n, p in enumerate(reversed(pages), 1)]
    facts = _facts(Document(path="社保明细.xlsx", sha256="0" * 64, file_type=FileType.XLSX, pages=reversed_))
    assert (facts["social_security_month"].value, facts["social_security_headcount"].value) == ("2026-10", 5)


def _sheets(*sheets: list[tuple[str, ...]], path: str = "members.xlsx") -> Document:
    """A workbook: each sheet a page of cells."""
    pages = [Page(number=n, width=max(len(r) for r in rows), height=len(rows), source=TextSource.CELLS,
                  blocks=[TextBlock(text=text, bbox=(j, i, j + 1, i + 1), confidence=1.0)
                          for i, row in enumerate(rows) for j, text in enumerate(row) if text])
             for n, rows in enumerate(sheets, 1)]
    return Document(path=path, sha256="0" * 64, file_type=FileType.XLSX, pages=pages)


def test_a_member_export_with_a_sheet_of_leavers_counts_the_members_of_its_caption_s_company() -> None:
    """飞书's 导出成员: a caption naming the company, members with e-mail and a department path side by side
    (…@boyuan.com.cn | 研发中心/后端组: no company's name runs from one cell into the next), an 入职日期 column (no
    leaving date, a character apart), and a second sheet of those who left (离职日期, 离职原因): no members."""
    members = [("成都市博远电子商务有限公司 成员列表（导出时间：2026-11-24 12:05）",),
               ("姓名", "手机号", "邮箱", "部门", "工号", "入职日期", "账号状态"),
               ("许杰霞", "15705002653", "xujiexia@boyuan.com.cn", "总经办", "BY0184", "2025-03-24", "已激活"),
               ("胡建雪", "18624129428", "hujianxue@boyuan.com.cn", "研发中心/后端组", "BY0031", "2026-11-14", "已激活"),
               ("潘国辉", "15504723846", "panguohui@boyuan.com.cn", "研发中心/测试组", "BY0109", "2026-04-14", "未激活"),
               ("任伟强", "17445682083", "renweiqiang@boyuan.com.cn", "研发中心/前端组", "BY0211", "2023-03-18", "已激活")]
    left = [("姓名", "用户ID", "手机号", "部门", "离职日期", "离职原因"), ("肖宁娜", "eef942cb", "17988707872", "总经办", "2026-05-15", "个人原因")]
    facts = {f.name: f.value for f in org_chart.extract(_sheets(members, left))}
    assert (facts["org_chart_headcount"], facts["org_chart_not_joined"]) == (3, 1)
    assert facts["org_chart_organisation"] == "成都市博远电子商务有限公司"


def test_lark_s_english_member_export_is_an_org_chart() -> None:
    from extractors.classify import classify

    members = [("Organization", "西安智汇电子商务有限公司"), ("Exported at", "2026-11-28 11:39:32"),
               ("Name", "Mobile", "Email", "Department", "Job title", "Employee ID", "Onboarding date", "Status"),
               ("马建波", "15122877261", "majianbo@zhihui.com.cn", "智汇科技/财务部", "Accountant", "ZH0030", "2024/08/16", "Activated"),
               ("任浩娜", "13786330363", "renhaona@zhihui.com.cn", "智汇科技/财务部", "Cashier", "ZH0064", "2025/10/28", "Activated")]
    document = _sheets(members)
    assert classify(document)[0] is DocumentKind.ORG_CHART
    facts = {f.name: f.value for f in org_chart.extract(document)}
    assert (facts["org_chart_headcount"], facts["org_chart_organisation"]) == (2, "西安智汇电子商务有限公司")


def test_a_company_s_own_social_security_sheet_names_its_month_in_its_title() -> None:
    """A company's own 社保缴费明细: no 社会保险 in its header, columns per 险种 by their short names (养老单位 | 养老个人
    | 医疗单位 …), and its month only in its title's brackets, unlabelled."""
    from extractors.classify import classify

    def sheet(month: str, names: list[str]) -> list[tuple[str, ...]]:
        return [(f"成都朗坤电子商务有限公司社保缴费明细（{month}）",), ("制表：行政人事部", "制表日期：2026年11月16日"),
                ("序号", "姓名", "部门", "身份证号码", "基数", "养老单位", "养老个人", "医疗单位", "医疗个人", "失业单位", "备注"),
                *[(str(i), name, "技术部", f"5101051990010{i:02d}234", "9100", "1456", "728", "891.8", "182", "45.5", "")
                  for i, name in enumerate(names, 1)]]

    document = _sheets(sheet("2026年10月", ["孙佳涛", "丁怡志", "梁宇"]), sheet("2026年11月", ["孙佳涛", "丁怡志"]), path="社保11月.xlsx")
    assert classify(document)[0] is DocumentKind.SOCIAL_SECURITY_LIST
    facts = _facts(document)
    assert (facts["social_security_month"].value, facts["social_security_headcount"].value) == ("2026-11", 2)


def test_a_roster_s_leaving_date_column_left_empty_or_dashed_keeps_its_members() -> None:
    roster = [("姓名", "部门", "入职日期", "离职日期", "账号状态"), ("张伟", "研发中心", "2024-03-01", "-", "已激活"),
              ("李娜", "研发中心", "2025-01-02", "", "已激活"), ("王芳", "销售部", "2023-05-06", "2026-10-31", "已激活")]
    facts = {f.name: f.value for f in org_chart.extract(_sheets(roster))}
    assert facts["org_chart_headcount"] == 2
