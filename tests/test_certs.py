"""腾讯云 certification certificates and software copyright certificates: the bundles of fixtures/plan_certs.py
through real OCR, classification and the registered extractors, every item compared with the truth beside it
(per-field table printed). Then the rules that are easy to get wrong, on hand-made pages (no OCR)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from extractors import ops_certificate, software_copyright
from extractors.ops_certificate import first_listed
from fixtures.plan_certs import BUNDLES
from pipeline.models import Document, Fact, FileType, Page, Table, TextBlock, TextSource
from tests.readings import Reading, pair_items, read_bundles

ITEM_KINDS = {"ops_certificate", "software_copyright"}
SURE = 0.9
AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory, session_home: Path) -> list[Reading]:
    return read_bundles(BUNDLES, tmp_path_factory.mktemp("certs"), session_home, ITEM_KINDS)


class Tally:
    def __init__(self) -> None:
        self.items: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # name -> [right, total]
        self.fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # name.field -> [right, total]
        self.misses: list[str] = []
        self.confident_false: list[str] = []

    def add(self, reading: Reading) -> None:
        for name, expected in reading.expected.items():
            if name not in ITEM_KINDS:
                continue
            pairs, invented = pair_items(expected, [f for f in reading.facts if f.name == name])
            for item, fact in pairs:
                self._item(reading.where, name, item, fact)
            for fact in invented:
                self.items[name][1] += 1
                self.misses.append(f"{reading.where}: invented {name} {fact.value}")
                if fact.confidence > SURE:
                    self.confident_false.append(f"{reading.where}: invented {fact.value} at {fact.confidence}")

    def _item(self, where: str, name: str, item: dict, fact: Fact | None) -> None:
        value = fact.value if fact is not None else {}
        for field, expected in item.items():
            counts = self.fields[f"{name}.{field}"]
            counts[0] += value.get(field) == expected
            counts[1] += 1
        right = fact is not None and all(value.get(k) == v for k, v in item.items())
        self.items[name][0] += right
        self.items[name][1] += 1
        if not right:
            self.misses.append(f"{where}: {name} read {value or None}, truth {item}")
        if fact is not None and not right and fact.confidence > SURE:
            self.confident_false.append(f"{where}: {value} at {fact.confidence}")

    def table(self) -> str:
        rows = [f"{'fact / field':<34} right/total"]
        for key, (right, total) in sorted(self.items.items()) + sorted(self.fields.items()):
            rows.append(f"  {key:<32} {right}/{total} = {100 * right / total:.1f}%")
        return "\n".join(rows)


@pytest.fixture(scope="module")
def tally(readings: list[Reading]) -> Tally:
    result = Tally()
    for reading in readings:
        result.add(reading)
    print("\n" + result.table() + "\n" + "\n".join(result.misses))
    return result


@pytest.mark.slow
def test_every_document_is_classified_as_its_kind(readings: list[Reading]) -> None:
    wrong = [f"{r.where}: {r.kind} (truth {r.truth_kind})" for r in readings if str(r.kind) != r.truth_kind]
    assert wrong == []


@pytest.mark.slow
def test_items_are_read_right(tally: Tally) -> None:
    right = sum(r for r, _ in tally.items.values())
    total = sum(t for _, t in tally.items.values())
    print(f"\ncertificates: {right}/{total} items right = {100 * right / total:.1f}%")
    assert set(tally.items) == ITEM_KINDS
    assert right / total >= 0.97
    assert all(r / t >= 0.90 for r, t in tally.items.values()), tally.items


@pytest.mark.slow
def test_no_confident_false_value(tally: Tally) -> None:
    assert tally.confident_false == []


def _facts(readings: list[Reading], bundle: str, name: str = "ops_certificate") -> list[tuple[str, Fact]]:
    return [(r.where, f) for r in readings if r.bundle == bundle for f in r.facts if f.name == name]


@pytest.mark.slow
def test_titles_are_read_as_printed_not_filtered(readings: list[Reading]) -> None:
    titles = {f.value["title"] for _, f in _facts(readings, "certs_other_title")}
    assert titles == {"腾讯云高级运维工程师认证", "腾讯云中级运维工程师认证", "腾讯云架构工程师认证"}


@pytest.mark.slow
def test_each_certificate_of_a_page_or_a_pdf_is_its_own_fact(readings: list[Reading]) -> None:
    side = [f for where, f in _facts(readings, "certs_side_by_side") if where.endswith("两张证书合照.jpg")]
    pdf = [f for _, f in _facts(readings, "certs_pdf_multi")]
    assert len({f.value["cert_no"] for f in side}) == 2
    assert sorted(f.page for f in pdf) == [1, 2, 3]
    assert len({f.value["holder"] for f in pdf}) == 3


@pytest.mark.slow
def test_expired_and_duplicate_certificates_are_each_read(readings: list[Reading]) -> None:
    facts = _facts(readings, "certs_expired_duplicate")
    numbers = [f.value["cert_no"] for _, f in facts]
    expired = [f for where, f in facts if where.endswith("证书_过期.jpg")]
    assert len(numbers) == 4 and len(set(numbers)) == 3  # one certificate twice, as two files
    assert expired and expired[0].value["expires_on"] < AS_OF


@pytest.mark.slow
def test_copyright_owner_is_read_even_when_not_the_applicant(readings: list[Reading]) -> None:
    (reading,) = [r for r in readings if r.bundle == "certs_copyright_other_owner"]
    (fact,) = reading.facts
    assert reading.application is not None
    assert fact.value["owner"] == reading.expected["software_copyright"][0]["owner"]
    assert fact.value["owner"] != reading.application["company_name"]


# ---------------------------------------------------------------- rules on hand-made pages (no OCR)


def _document(*lines: str, path: str = "证书.jpg") -> Document:
    """One page whose lines are OCR blocks, one under the other."""
    blocks = [TextBlock(text=line, bbox=(100, 100 + 80 * n, 900, 150 + 80 * n), confidence=0.99)
              for n, line in enumerate(lines)]
    page = Page(number=1, width=1000, height=2000, source=TextSource.OCR, blocks=blocks)
    return Document(path=path, sha256="0" * 64, file_type=FileType.JPEG, pages=[page])


def _placed(path: str, width: int, height: int, blocks: list[tuple[str, tuple[int, int, int, int]]]) -> Document:
    """One OCR'd page of the given blocks, each placed where the page prints it; the file type from the name."""
    kind = FileType.PNG if path.endswith(".png") else FileType.JPEG
    page = Page(number=1, width=width, height=height, source=TextSource.OCR,
                blocks=[TextBlock(text=text, bbox=box, confidence=0.99) for text, box in blocks])
    return Document(path=path, sha256="0" * 64, file_type=kind, pages=[page])


CERT_LINES = ("腾讯云认证证书", "姓名：张伟", "证书名称：腾讯云高级运维工程师认证", "证书编号：{no}",
              "发证日期：2024年03月15日", "有效期至：2027年03月14日")


def _cert_no_fact(number: str) -> Fact:
    (fact,) = ops_certificate.extract(_document(*(line.format(no=number) for line in CERT_LINES)))
    return fact


def test_cert_no_is_repaired_by_position() -> None:
    fact = _cert_no_fact("TCP-0PS-2O24-000l23")
    assert fact.value == {"holder": "张伟", "cert_no": "TCP-OPS-2024-000123", "title": "腾讯云高级运维工程师认证",
                          "issued_on": "2024-03-15", "expires_on": "2027-03-14", "level": "TCP", "track": "operations"}
    assert any("repaired in place" in w for w in fact.warnings)
    assert fact.confidence < 0.99


def test_a_missing_separator_is_never_inserted() -> None:
    """Printed without its dashes, the number is kept as printed: not rewritten to the dashed format."""
    fact = _cert_no_fact("TCPOPS2024000123")
    assert fact.value["cert_no"] == "TCPOPS2024000123"
    assert any("no known format" in w for w in fact.warnings)


def test_cert_no_failing_its_format_is_not_trusted() -> None:
    """A number fitting no known format is kept as printed, below the gate, and named in the fact's warnings; the
    certificate rests on its holder, title and expiry, which are read surely here."""
    fact = _cert_no_fact("TCP-OPS-24-0012")
    assert fact.value["cert_no"] == "TCP-OPS-24-0012"
    assert any("no known format" in w for w in fact.warnings)
    assert any("cert_no TCP-OPS-24-0012 read with confidence 0.6" in w for w in fact.warnings)


def test_cert_dates_out_of_order_are_not_trusted() -> None:
    lines = [line.format(no="TCP-OPS-2024-000123").replace("2027年03月14日", "2023年03月14日") for line in CERT_LINES]
    (fact,) = ops_certificate.extract(_document(*lines))
    assert fact.confidence <= 0.6 and any("not before expiry" in w for w in fact.warnings)


def test_two_certificates_side_by_side_are_split() -> None:
    left = [TextBlock(text=line.format(no="TCP-OPS-2024-000123"), bbox=(50, 100 + 60 * n, 600, 140 + 60 * n),
                      confidence=0.99) for n, line in enumerate(CERT_LINES)]
    right = [b.model_copy(update={"text": b.text.replace("张伟", "李娜").replace("000123", "000456"),
                                  "bbox": (b.bbox[0] + 900, b.bbox[1] + 20, b.bbox[2] + 900, b.bbox[3] + 20)})
             for b in left]
    page = Page(number=1, width=1600, height=800, source=TextSource.OCR, blocks=left + right)
    document = Document(path="合照.jpg", sha256="0" * 64, file_type=FileType.JPEG, pages=[page])
    values = sorted((f.value["holder"], f.value["cert_no"]) for f in ops_certificate.extract(document))
    assert values == [("张伟", "TCP-OPS-2024-000123"), ("李娜", "TCP-OPS-2024-000456")]



def _two_cards(first: str, second: str, title_bar: str | None) -> list[Fact]:
    """An app's 我的证书 page: the account's name in its title bar (or none), then two certificate cards."""
    card = [line for line in CERT_LINES if not line.startswith("腾讯云认证")]
    lines = ([title_bar] if title_bar else []) + [line.format(no="TCP-OPS-2024-000123").replace("张伟", first) for line in card] \
        + [line.format(no="TCP-OPS-2024-000456").replace("张伟", second) for line in card]
    return ops_certificate.extract(_document(*lines))


def test_a_holder_misread_once_takes_the_page_s_spelling() -> None:
    """田宁远 in the title bar and on one card, 田宁选 once in small print: the same person, misread."""
    facts = _two_cards("田宁选", "田宁远", "田宁远")
    assert [f.value["holder"] for f in facts] == ["田宁远", "田宁远"]
    assert any("read once as 田宁选" in e for e in facts[0].evidence)


def test_two_holders_one_character_apart_are_doubted_not_merged() -> None:
    facts = _two_cards("李杰俊", "李杰伟", None)
    assert [f.value["holder"] for f in facts] == ["李杰俊", "李杰伟"]
    assert all(f.confidence < 0.8 and any("one character off" in w for w in f.warnings) for f in facts)



def test_a_staff_certificate_list_gives_one_fact_per_tencent_row() -> None:
    """技术人员资质证书一览表: a bilingual header, 腾讯云 rows among PMP and 阿里云 ones, a validity printed as a range."""
    table = [["序号No.", "姓名Name", "认证项目Certification", "等级Level", "证书编号Certificate No.", "证书有效期Validity"],
             ["1", "韩鹏磊", "腾讯云从业者", "TCA", "TC22A86528912", "2022年12月23日-2025年12月22日"],
             ["2", "韩鹏磊", "PMP项目管理专业人士", "", "4258692", "2022年05月07日-2025年05月06日"],
             ["3", "吕国刚", "腾讯云高级运维工程师", "TCP专业级", "TC25P53156117", "2025年03月10日-2028年03月09日"],
             ["4", "赵诺琪", "阿里云云计算工程师ACA", "ACA", "ACA2442605714", "2024年09月06日-2026年09月05日"]]
    page = Page(number=1, width=900, height=400, source=TextSource.TEXT_LAYER,
                blocks=[TextBlock(text="技术人员资质证书一览表", bbox=(300, 10, 600, 30), confidence=1.0)],
                tables=[Table(bbox=(40, 50, 860, 50 + 20 * len(table)), rows=table,
                              row_bboxes=[(40, 50 + 20 * i, 860, 70 + 20 * i) for i in range(len(table))])])
    document = Document(path="资质一览表.pdf", sha256="0" * 64, file_type=FileType.PDF, pages=[page])
    facts = ops_certificate.extract(document)
    assert [(f.value["holder"], f.value["title"], f.value["level"], f.value["issued_on"], f.value["expires_on"]) for f in facts] == [
        ("韩鹏磊", "腾讯云从业者", "TCA", "2022-12-23", "2025-12-22"),
        ("吕国刚", "腾讯云高级运维工程师", "TCP", "2025-03-10", "2028-03-09")]
    assert all(f.confidence >= 0.9 for f in facts)


COPYRIGHT_LINES = ("计算机软件著作权登记证书", "证书号：软著登字第{no}号", "软件名称：云帆智能客服管理系统V1.0",
                   "著作权人：深圳市云帆信息技术有限公司", "开发完成日期：2022年05月10日")


def _copyright(number: str, *extra: str) -> Fact:
    (fact,) = software_copyright.extract(_document(*(line.format(no=number) for line in COPYRIGHT_LINES), *extra))
    return fact


def test_sr_number_inside_the_certificate_number_is_the_reg_no() -> None:
    fact = _copyright("2O23SR0123456")
    assert fact.value["reg_no"] == fact.value["cert_no"] == "2023SR0123456"
    assert software_copyright.EXTRACTOR.is_sr_number(fact.value["reg_no"])


def test_classic_numbers_and_repairs() -> None:
    fact = _copyright("1234567", "登记号：2O23SRO123456")
    assert fact.value == {"reg_no": "2023SR0123456", "cert_no": "1234567", "software_name": "云帆智能客服管理系统V1.0",
                          "owner": "深圳市云帆信息技术有限公司", "completed_on": "2022-05-10"}


def test_reg_no_failing_its_format_is_not_trusted() -> None:
    fact = _copyright("1234567", "登记号：2023SK01234")
    assert fact.confidence <= 0.6 and any("登记号" in w and "no known format" in w for w in fact.warnings)


def test_reg_no_disagreeing_with_the_sr_number_is_flagged() -> None:
    fact = _copyright("2023SR0123456", "登记号：2023SR0999999")
    assert fact.value["reg_no"] == "2023SR0999999"
    assert fact.confidence <= 0.6 and any("differs" in w for w in fact.warnings)


def test_an_account_s_certificate_table_takes_the_name_the_page_prints_and_skips_its_exams() -> None:
    """腾讯云认证 个人中心 › 我的证书: the holder's name over the table, no 姓名 column; the exam records below it
    name titles and dates but no certificate."""
    document = _placed("我的证书.png", 1300, 700, [
        ("持证人：彭波", (100, 100, 400, 140)),
        ("证书名称", (100, 200, 260, 240)), ("认证级别", (400, 200, 540, 240)), ("证书编号", (600, 200, 740, 240)),
        ("获证日期", (800, 200, 940, 240)), ("有效期至", (1000, 200, 1140, 240)),
        ("腾讯云运维专家", (100, 260, 330, 300)), ("专家级(TCE)", (400, 260, 560, 300)), ("TC25E93763428", (600, 260, 790, 300)),
        ("2025/10/30", (800, 260, 950, 300)), ("2028/10/29", (1000, 260, 1150, 300)),
        ("考试名称", (100, 400, 260, 440)), ("考试时间", (600, 400, 740, 440)), ("成绩", (1000, 400, 1060, 440)),
        ("腾讯云高级架构工程师认证考试(TCP)", (100, 460, 560, 500)), ("2026-06-07", (800, 460, 950, 500)), ("62", (1000, 460, 1040, 500))])
    facts = ops_certificate.extract(document)
    assert [(f.value["holder"], f.value["cert_no"], f.value["expires_on"]) for f in facts] == [("彭波", "TC25E93763428", "2028-10-29")]


def test_an_english_certificate_centre_reads_wrapped_titles_and_the_unlabelled_holder() -> None:
    """Tencent Cloud's English certificate centre: the account holder's name printed large over the side menu with
    no label (a passport-style LYU), captions that are the fields' own labels (Certificate ID, Issued, Expires),
    each title wrapped onto two lines behind a level badge, and an exam table whose dates are no certificates."""
    document = _placed("certificates.png", 2200, 700, [
        ("My Certificates (2)", (700, 60, 1000, 100)), ("Exam Records", (1050, 64, 1230, 96)),
        ("Min LYU", (120, 150, 300, 210)), ("Certificate", (700, 160, 840, 190)), ("Level", (1200, 160, 1270, 190)),
        ("Certificate ID", (1400, 160, 1580, 190)), ("Issued", (1750, 160, 1830, 190)), ("Expires", (1950, 160, 2040, 190)),
        ("Exam Bookings", (120, 260, 330, 290)),
        ("TCP", (700, 240, 740, 270)), ("Tencent Cloud Certified", (770, 222, 1080, 252)),
        ("Professional - Operations", (764, 256, 1090, 286)), ("TCP", (1200, 240, 1250, 270)),
        ("CERT-TCP-OPS-20250611-4410", (1400, 240, 1700, 270)), ("Jun 11, 2025", (1750, 240, 1900, 270)),
        ("Jun 10, 2028", (1950, 240, 2100, 270)),
        ("TCA", (700, 340, 740, 370)), ("Tencent Cloud Certified", (770, 322, 1080, 352)),
        ("Associate - Security", (766, 356, 1040, 386)), ("TCA", (1200, 340, 1250, 370)),
        ("CERT-TCA-SEC-20230205-1187", (1400, 340, 1700, 370)), ("Feb 5, 2023", (1750, 340, 1900, 370)),
        ("Feb 4, 2026", (1950, 340, 2100, 370)),
        ("Account Settings", (120, 420, 350, 450)),
        ("Exam", (700, 500, 780, 530)), ("Date", (1400, 500, 1470, 530)), ("Score", (1750, 500, 1830, 530)),
        ("Tencent Cloud Certified Professional - Security (TCP)", (700, 560, 1300, 590)),
        ("2026-03-02", (1400, 560, 1540, 590)), ("71", (1750, 560, 1790, 590))])
    facts = ops_certificate.extract(document)
    assert [(f.value["holder"], f.value["title"], f.value["cert_no"], f.value["issued_on"], f.value["expires_on"])
            for f in facts] == [
        ("Min LYU", "Tencent Cloud Certified Professional-Operations", "CERT-TCP-OPS-20250611-4410", "2025-06-11", "2028-06-10"),
        ("Min LYU", "Tencent Cloud Certified Associate-Security", "CERT-TCA-SEC-20230205-1187", "2023-02-05", "2026-02-04")]
    assert all(any("printed largest" in e for e in f.evidence) for f in facts)


@pytest.mark.slow
def test_a_photographed_certificate_centre_with_misread_captions_gives_each_certificate(tmp_path: Path, session_home: Path) -> None:
    """A blind family through real OCR: a monitor photo of 我的证书, whose captions OCR reads with one character
    wrong (有效需至) and whose holder's name is printed only once, large, over the side menu; and the English
    page, whose titles wrap onto two lines behind a level badge."""
    from pipeline.config import Settings
    from pipeline.models import BundleFile
    from pipeline.pages import PageReader
    from pipeline.sniff import sniff_file_type
    from tests.readings import blind_document

    for capture in ("monitor_photo", "english"):
        path = blind_document("ops_certificate/fresh5_tcloud_cert_center_desktop", capture, tmp_path)
        file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                          file_type=sniff_file_type(path))
        facts = ops_certificate.extract(PageReader(Settings(home=session_home)).read(file))
        assert len(facts) == 3, capture
        assert len({f.value["holder"] for f in facts}) == 1 and facts[0].value["holder"], capture
        assert all(f.value["cert_no"] and f.value["expires_on"] and f.value["title"] for f in facts), capture
    # the English titles read whole, their track words (Operations, Architecture, Security) on the second line
    assert all(f.value["track"] for f in facts)


def test_a_software_name_with_its_short_name_aside_runs_on_to_its_version_on_the_next_line() -> None:
    """The 国家版权局 layout: 软件名称：全称[简称：简称]V | 1.0, the version wrapped under the name's start. The
    简称 in brackets is no label cutting the name, and the line under it is the name's end."""
    document = _placed("软著.jpg", 1500, 900, [
        ("计算机软件著作权登记证书", (200, 100, 1300, 200)),
        ("软件名称：智慧园区能耗监测与分析管理平台[简称：园区能耗]V", (200, 300, 1300, 370)),
        ("2.0", (470, 372, 540, 425)),
        ("著作权人：成都市蓝湾信息技术有限公司", (200, 460, 1100, 520)),
        ("开发完成日期：2023年04月11日", (200, 560, 800, 620)),
        ("登记号：2023SR0456789", (200, 660, 800, 720))])
    (fact,) = software_copyright.extract(document)
    assert fact.value["software_name"] == "智慧园区能耗监测与分析管理平台V2.0"
    assert fact.value["owner"] == "成都市蓝湾信息技术有限公司"


def test_a_paragraph_s_next_line_does_not_run_on_into_a_labelled_name() -> None:
    """A name whose next line starts at the paragraph's margin (a sentence under it) is read whole on its line."""
    document = _placed("软著.jpg", 1500, 900, [
        ("计算机软件著作权登记证书", (200, 100, 1300, 200)),
        ("软件名称：智慧园区能耗监测与分析管理平台V2.0", (200, 300, 1100, 370)),
        ("根据条例的规定予以登记", (200, 372, 700, 432)),
        ("著作权人：成都市蓝湾信息技术有限公司", (200, 460, 1000, 520)),
        ("开发完成日期：2023年04月11日", (200, 560, 800, 620)),
        ("登记号：2023SR0456789", (200, 660, 800, 720))])
    (fact,) = software_copyright.extract(document)
    assert fact.value["software_name"] == "智慧园区能耗监测与分析管理平台V2.0"


def test_a_share_poster_photographed_askew_pairs_each_label_with_its_own_value() -> None:
    """A phone's share poster photographed in perspective: the values at the right sit a whole row lower than
    their labels at the left, level with the next label (证书编号 beside 颁发日期's height). Pairs of boxes read that
    as a slight tilt the other way; the slopes OCR gives its lines tell the tilt, so each label keeps its value."""
    lines = [("腾讯云", (375, 495, 531, 570), 0.060), ("Tencent Cloud", (382, 552, 514, 583), 0.040),
             ("恭喜您通过腾讯云认证", (499, 666, 899, 742), 0.060), ("TCE", (577, 853, 792, 968), 0.082),
             ("EXPERT", (622, 963, 739, 1008), 0.080), ("韩思远", (544, 1106, 804, 1232), 0.078),
             ("SIYUAN HAN", (557, 1211, 781, 1270), 0.084), ("腾讯云运维专家", (479, 1350, 840, 1444), 0.088),
             ("Tencent Cloud Certified Expert - Operations", (336, 1405, 984, 1508), 0.096),
             ("级别", (258, 1499, 345, 1559), 0.112), ("专家级(TCE)", (797, 1553, 1032, 1625), 0.097),
             ("证书编号", (256, 1584, 404, 1649), 0.101), ("TCEOPS20240711352", (653, 1630, 1047, 1713), 0.101),
             ("颁发日期", (251, 1671, 400, 1735), 0.100), ("2024.07.11", (825, 1735, 1043, 1802), 0.105),
             ("到期日期", (247, 1755, 395, 1820), 0.110), ("2027.07.10", (819, 1823, 1038, 1890), 0.105),
             ("长按识别二维码", (392, 1967, 643, 2044), 0.118), ("查看证书详情·验证真伪", (387, 2023, 732, 2110), 0.127)]
    page = Page(number=1, width=1413, height=2600, source=TextSource.OCR,
                blocks=[TextBlock(text=text, bbox=box, confidence=0.99, slope=slope) for text, box, slope in lines])
    [fact] = ops_certificate.extract(Document(path="IMG_3301.jpg", sha256="0" * 64, file_type=FileType.JPEG, pages=[page]))
    assert (fact.value["cert_no"], fact.value["issued_on"], fact.value["expires_on"]) == (
        "TCEOPS20240711352", "2024-07-11", "2027-07-10")
    assert fact.value["holder"] == "韩思远"


@pytest.mark.parametrize("salutation, holder", [("亲爱的韩思远，您好！", "韩思远"), ("韩思远，您好：", "韩思远"),
                                                ("Dear Siyuan Han,", "Siyuan Han")])
def test_the_mail_announcing_a_certificate_names_its_holder_in_its_salutation(salutation: str, holder: str) -> None:
    """A certification mail prints no holder's label: the person it greets is the holder. Its subject names the
    title with 认证 after it, its body without: one title."""
    document = _document("【腾讯云】恭喜您通过腾讯云数据库工程师认证考试", "发给" + holder, salutation,
                         "恭喜您通过腾讯云认证考试，获得工程师级（TCA）认证证书“腾讯云数据库工程师”。",
                         "您的证书编号为 2025TCA2268002，颁发日期为2025-06-08，有效期至2028-06-07。", path="mail.png")
    [fact] = ops_certificate.extract(document)
    assert (fact.value["holder"], fact.value["title"]) == (holder, "腾讯云数据库工程师")
    assert (fact.value["issued_on"], fact.value["expires_on"]) == ("2025-06-08", "2028-06-07")


def test_a_lookup_site_s_copyright_tab_gives_each_row_the_company_the_page_is_about() -> None:
    """An enterprise-lookup site's 软件著作权 tab: no owner column; the company is the page's heading. The detail
    drawer opened on one row adds that row's 开发完成日期."""
    document = _placed("软件著作权.png", 2880, 1800, [
        ("南京市云帆软件科技有限公司", (479, 348, 1058, 400)), ("法定代表人：蒋轩艳", (480, 434, 723, 467)),
        ("软件全称", (2076, 313, 2196, 353)), ("云帆数字孪生可视化系统", (2315, 314, 2623, 352)),
        ("登记号", (2076, 552, 2169, 594)), ("2014SR044854", (2315, 555, 2533, 590)),
        ("著作权人", (2077, 712, 2195, 753)), ("南京市云帆软件科技有限公司", (2315, 717, 2674, 750)),
        ("开发完成日期", (2077, 793, 2247, 832)), ("2014-01-23", (2314, 796, 2481, 831)),
        ("序号", (283, 943, 353, 987)), ("批准日期", (406, 945, 525, 985)), ("软件全称", (671, 945, 790, 985)),
        ("登记号", (1656, 945, 1749, 985)),
        ("1", (285, 1031, 316, 1067)), ("2024-08-30", (409, 1033, 576, 1066)), ("财务报销审批管理系统", (674, 1033, 952, 1066)),
        ("2024SR1807197", (1659, 1033, 1891, 1066)),
        ("2", (285, 1122, 316, 1160)), ("2014-03-17", (408, 1124, 576, 1158)), ("云帆数字孪生可视化系统", (674, 1124, 981, 1158)),
        ("2014SR044854", (1659, 1125, 1875, 1158))])
    facts = {f.value["reg_no"]: f for f in software_copyright.extract(document)}
    assert {r: f.value["owner"] for r, f in facts.items()} == {"2024SR1807197": "南京市云帆软件科技有限公司",
                                                                "2014SR044854": "南京市云帆软件科技有限公司"}
    assert [facts[r].value["completed_on"] for r in sorted(facts)] == ["2014-01-23", None]
    assert all(f.confidence <= 0.85 and any("owner" in e for e in f.evidence) for f in facts.values())


def test_a_deck_s_closing_slide_with_a_telephone_number_is_no_certificate() -> None:
    """A company deck's last page: a large 谢谢观看 and the service line. A telephone number set out as such
    (400-639-2805) numbers no certificate, so the page holds none."""
    document = _placed("deck.jpg", 1920, 1080, [("谢谢观看", (700, 380, 1220, 520)), ("联系我们", (820, 620, 1100, 660)),
                                                ("400-639-2805", (800, 690, 1120, 730)), ("腾讯云合作伙伴", (780, 760, 1140, 800))])
    assert ops_certificate.extract(document) == []


def test_a_level_word_is_a_word_of_its_own() -> None:
    """"This is to certify that" / "CERTIFIED" joined without spaces hold the letters TCE; the level is the badge's TCA."""
    levels = {"TCE": ["TCE", "专家", "Expert"], "TCP": ["TCP", "高级", "Professional"], "TCA": ["TCA", "Associate"]}
    assert first_listed("This is to certify that CERTIFIED TCA ASSOCIATE", levels) == "TCA"
    assert first_listed("CERT-TCP-OPS-20240129", levels) == "TCP"
    assert first_listed("腾讯云 高 级 运维工程师", levels) == "TCP"
    assert first_listed("TCAAssociate", levels) == "TCA"  # OCR glued the badge's two words
    assert first_listed("thatcertified", levels) is None
    assert first_listed("Tencent Cloud Certified Expert-Architecture", {"architecture": ["架构", "Architect"]}) == "architecture"


def test_two_certificates_side_by_side_with_their_numbers_in_a_side_panel() -> None:
    """Two certificates photographed side by side, each with its number and dates in a panel at its right: the
    gutter inside a certificate (body | panel) is no cut between the two; each keeps its own holder and title."""
    def certificate(x: float, holder: str, title: str, number: str, issued: str, until: str) -> list[TextBlock]:
        return [TextBlock(text=t, bbox=(x + dx, y, x + dx + w, y + 36), confidence=0.99) for t, dx, y, w in (
            ("腾讯云", 0, 300, 120), ("认证证书", 250, 400, 300), ("This is to certify that", 250, 560, 300),
            (holder, 300, 620, 200), ("通过腾讯云官方认证考核，获得", 220, 780, 380), (title, 200, 850, 420),
            ("认证编号 Credential ID", 1000, 620, 260), (number, 1000, 660, 300), ("发证日期 Date of Issue", 1000, 760, 260),
            (issued, 1000, 800, 240), ("有效期至 Valid Until", 1000, 900, 240), (until, 1000, 940, 240),
            ("腾讯云认证中心", 0, 1200, 200))]
    blocks = certificate(300, "刘晨宁", "腾讯云高级运维工程师", "TC26P66113810", "2026-02-17", "2029-02-16") + \
        certificate(1900, "丁平娜", "腾讯云高级架构工程师", "TC24P52006579", "2024-03-19", "2027-03-18")
    document = Document(path="证书.jpg", sha256="0" * 64, file_type=FileType.JPEG,
                        pages=[Page(number=1, width=3600, height=1600, source=TextSource.OCR, blocks=blocks)])
    read = {(f.value["holder"], f.value["cert_no"], f.value["title"]) for f in ops_certificate.extract(document)}
    assert read == {("刘晨宁", "TC26P66113810", "腾讯云高级运维工程师"), ("丁平娜", "TC24P52006579", "腾讯云高级架构工程师")}


def test_a_pass_list_whose_rows_print_no_dates_takes_the_dates_it_states_once() -> None:
    """A training partner's notice of who passed: the list prints no dates in its rows, the sentence over it states
    them once for all (本期证书发证日期为…，有效期三年，至…止); the notice's own date and the exam's are no
    certificate's. A wrapped 单位名称 (南京云栖数字技术有限责任 | 公司) starting nearer the 姓名 header than its
    own column's is no part of the name under it."""
    document = _placed("合格人员名单.pdf", 1200, 900, [
        ("我中心于2026年9月26日组织开展了第7期腾讯云认证考试", (100, 40, 900, 70)),
        ("本期证书发证日期为2026年10月14日，有效期三年，至2029年10月13日止。", (100, 100, 1000, 130)),
        ("序号", (100, 200, 150, 230)), ("姓名", (190, 200, 240, 230)), ("所在单位", (330, 200, 420, 230)),
        ("认证名称", (560, 200, 650, 230)), ("级别", (760, 200, 800, 230)), ("证书编号", (900, 200, 990, 230)),
        ("1", (110, 262, 125, 292)), ("朱飞宇", (190, 262, 250, 292)), ("南京云栖数字技术有限责任", (258, 250, 500, 278)),
        ("公司", (258, 278, 300, 306)), ("腾讯云高级运维工程师", (560, 262, 740, 292)), ("TCP", (760, 262, 800, 292)),
        ("TCLOUD20261014022362", (860, 262, 1100, 292)),
        ("2", (110, 342, 125, 372)), ("韩霞思", (190, 342, 250, 372)), ("北京立方智能科技有限公司", (258, 342, 500, 372)),
        ("腾讯云运维工程师", (560, 342, 720, 372)), ("TCA", (760, 342, 800, 372)),
        ("TCLOUD20261014022366", (860, 342, 1100, 372)),
        ("长沙众诚教育科技有限公司", (800, 600, 1100, 630)), ("2026年10月22日", (850, 650, 1050, 680))])
    facts = ops_certificate.extract(document)
    assert [(f.value["holder"], f.value["level"], f.value["issued_on"], f.value["expires_on"]) for f in facts] == [
        ("朱飞宇", "TCP", "2026-10-14", "2029-10-13"), ("韩霞思", "TCA", "2026-10-14", "2029-10-13")]
    assert all(any("printed once for every row" in e for e in f.evidence) for f in facts)


def test_a_pdf_table_ruled_between_columns_only_gives_a_fact_per_row(tmp_path: Path, session_home: Path) -> None:
    """An English pass list printed to PDF, its table ruled between columns and under the header only: pdfplumber
    gives every row as one, each cell a line per row. The rows are read from the lines, each title wrapped over
    three lines (Tencent Cloud Certified | Professional - | Architecture) in print order, its number under
    Credential ID."""
    from pipeline.config import Settings
    from pipeline.pages import PageReader
    from tests.readings import blind_sample
    from tests.test_page_text import as_file

    sample = blind_sample("ops_certificate/fresh15_training_pass_notice", "english")
    path = tmp_path / sample.path
    path.write_bytes(sample.content)
    document = PageReader(Settings(home=session_home)).read(as_file(path))
    read = {f.value["cert_no"]: (f.value["holder"], f.value["title"].replace(" ", "")) for f in ops_certificate.extract(document)}
    assert read == {c["cert_no"]: (c["holder"], c["title"].replace(" ", "")) for c in sample.facts["ops_certificate"]}


@pytest.mark.parametrize("capture", ["pdf", "english"])
def test_a_resume_s_certificates_take_the_name_at_its_head(tmp_path: Path, session_home: Path, capture: str) -> None:
    """An engineer's 个人简历 or English CV (a blind family, as PDFs): the name printed large at its head, no label;
    the certificates section lists them, none naming a holder, beside a contact column whose mobile number numbers
    no certificate. Each certificate takes the page's one name (below the gate where no item's part of the page
    holds it: nothing but the page ties it to them)."""
    from pipeline.config import Settings
    from pipeline.pages import PageReader
    from tests.readings import blind_sample
    from tests.test_page_text import as_file

    sample = blind_sample("ops_certificate/fresh16_resume_cert_section", capture)
    path = tmp_path / sample.path
    path.write_bytes(sample.content)
    facts = ops_certificate.extract(PageReader(Settings(home=session_home)).read(as_file(path)))
    assert sorted((f.value["holder"], f.value["cert_no"]) for f in facts) == sorted(
        (c["holder"], c["cert_no"]) for c in sample.facts["ops_certificate"])


def test_a_profile_s_certifications_of_several_vendors_are_told_apart_by_their_titles(tmp_path: Path, session_home: Path) -> None:
    """LinkedIn's 'Licenses & certifications' (a blind family, the details page): entries one under another, each
    led by its title, Tencent Cloud's among PMP's and others', a Credential ID under some and not others, other
    people's names in the right rail. Each Tencent entry keeps its own number or none: never the next entry's."""
    from pipeline.config import Settings
    from pipeline.pages import PageReader
    from tests.readings import blind_sample
    from tests.test_page_text import as_file

    sample = blind_sample("ops_certificate/fresh17_linkedin_licenses", "details")
    path = tmp_path / sample.path
    path.write_bytes(sample.content)
    facts = ops_certificate.extract(PageReader(Settings(home=session_home)).read(as_file(path)))
    assert sorted((f.value["title"].replace(" ", ""), f.value["cert_no"]) for f in facts) == sorted(
        (c["title"].replace(" ", ""), c["cert_no"]) for c in sample.facts["ops_certificate"])


def test_a_list_of_one_vendor_s_certificates_is_not_cut_at_a_label_s_level() -> None:
    """The 腾讯云 App's 我的证书: each certificate's 认证级别：专业级（TCP） is a label's line, no other issuer's
    title, so the list is read by its numbers as before."""
    document = _document("我的证书", "腾讯云高级运维工程师", "姓名：田宁远", "认证级别：专业级（TCP）", "证书编号：TC25P75875580",
                         "有效期至：2028.06.07", "腾讯云开发工程师", "姓名：田宁远", "认证级别：TCA Associate",
                         "证书编号：TC25A86027668", "有效期至：2028.02.27")
    assert ops_certificate.EXTRACTOR._entries(document.pages[0]) == []
    assert sorted(f.value["cert_no"] for f in ops_certificate.extract(document)) == ["TC25A86027668", "TC25P75875580"]
