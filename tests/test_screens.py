"""Console screens, admin screens and certificates of other issuers on hand-made pages (no OCR), and the checks
that use them: hosting by a running instance, the org chart's organisation and unjoined members, certificate
holders in Latin letters matched to the roster by pinyin."""
from __future__ import annotations

import pytest

import datetime as dt

from extractors import cloud_console, org_chart
from extractors.classify import classify
from pipeline.models import Document, DocumentKind, Fact, FileType, Page, RequirementStatus as S, TextBlock, TextSource
from pipeline.names import likely_same_company, pinyin_match
from validators.facts import FactSet
from validators.product import check_tencent_cloud_hosting
from validators.rules import load_rules, market_rules
from validators.team import check_certified_ops_engineers, check_team_size

AS_OF = dt.date(2026, 11, 28)
COMPANY = "深圳市云帆信息技术有限公司"


def _document(lines: list[list[str]], path: str = "截图.png", source: TextSource = TextSource.OCR) -> Document:
    """Each inner list is one row of the screen, its cells 300 px apart."""
    blocks = [TextBlock(text=text, bbox=(40 + 300 * j, 60 * i, 300 + 300 * j, 60 * i + 36), confidence=0.98)
              for i, row in enumerate(lines) for j, text in enumerate(row) if text]
    return Document(path=path, sha256="0" * 64, file_type=FileType.PNG,
                    pages=[Page(number=1, width=2400, height=60 * len(lines) + 100, source=source, blocks=blocks)])


INSTANCE_LIST = [
    ["腾讯云", "总览", "云产品", "", "", "", "", COMPANY],
    ["云服务器", "实例", "广州"],
    ["ID/名称", "状态", "可用区", "实例类型", "主IPv4地址", "实例计费模式"],
    ["ins-a1b2c3d4", "运行中", "广州六区", "标准型S5", "119.29.70.1(公)", "包年包月"],
    ["web-prod-01", "", "", "", "172.16.0.8(内)", "2027-03-15 23:59:52到期"],
    ["ins-e5f6g7h8", "已关机", "广州三区", "标准型S5", "119.29.70.2(公)", "按量计费"],
]


def test_an_instance_list_gives_one_instance_per_id() -> None:
    document = _document(INSTANCE_LIST)
    assert classify(document)[0].value == "cloud_console"
    facts = sorted(cloud_console.extract(document), key=lambda f: f.value["instance_id"])
    assert [f.value for f in facts] == [
        {"instance_id": "ins-a1b2c3d4", "product": "cvm", "region": "ap-guangzhou", "status": "running",
         "expires_on": "2027-03-15", "account_subject": COMPANY},
        {"instance_id": "ins-e5f6g7h8", "product": "cvm", "region": "ap-guangzhou", "status": "stopped",
         "expires_on": None, "account_subject": COMPANY},
    ]


def _instance(status: str, subject: str | None, confidence: float = 0.95) -> Fact:
    value = {"instance_id": "lhins-a1b2c3d4", "product": "lighthouse", "region": "ap-guangzhou", "status": status,
             "expires_on": "2027-03-15", "account_subject": subject}
    return Fact(id="f2", name="cloud_instance", value=value, confidence=confidence, document="截图.png")


def _hosting(*facts: Fact):
    rule = next(r for r in market_rules(load_rules(), "miniprogram") if r.id == "tencent_cloud_hosting")
    license_name = Fact(id="f1", name="company_name", value=COMPANY, confidence=0.97, document="营业执照.jpg")
    return check_tencent_cloud_hosting(FactSet([license_name, *facts]), rule, AS_OF)


def test_a_running_instance_of_the_applicant_is_hosting() -> None:
    assert _hosting(_instance("running", COMPANY)).status is S.PASS


def test_a_running_instance_whose_owner_is_not_shown_needs_review() -> None:
    result = _hosting(_instance("running", None))
    assert result.status is S.NEEDS_REVIEW and "not whose account" in result.reason


def test_an_instance_of_another_account_needs_review() -> None:
    assert _hosting(_instance("running", "上海某某科技有限公司")).status is S.NEEDS_REVIEW
    assert _hosting(_instance("stopped", COMPANY)).status is S.NEEDS_REVIEW


# ---------------------------------------------------------------- admin screens


def test_the_contact_tree_root_and_members_not_joined() -> None:
    screen = [["管理后台", "通讯录"], ["云帆科技(25人)"], ["技术部(12)"], ["运营部(8)"], ["成员管理"],
              ["未激活", "3"]]
    facts = {f.name: f for f in org_chart.extract(_document(screen, "钉钉.png"))}
    # the tree's counts hold everyone added, the 3 not activated too: they are taken off, reported apart
    assert facts["org_chart_headcount"].value == 22
    assert facts["org_chart_headcount_method"].value == "root_node"
    assert any("less the 3 not joined" in e for e in facts["org_chart_headcount"].evidence)
    assert facts["org_chart_not_joined"].value == 3
    assert facts["org_chart_organisation"].value == "云帆科技"


def test_an_instance_named_in_the_address_bar_is_read_where_the_page_prints_it() -> None:
    """A detail page: its id in the address bar (…/detail?id=ins-…) over a notice sentence naming two statuses;
    the region, the status and the company of the account menu belong to the page's own id, not to the address."""
    screen = [["console.cloud.tencent.com/cvm/instance/detail?rid=1&id=ins-7kq2mzd4"], ["web-prod", "Expired"],
              ["北京市云帆信息技术有限公司"], ["This instance has expired and will be isolated soon. Renew it to keep it."],
              ["Instance ID", "ins-7kq2mzd4"], ["Region", "South China(Guangzhou)"], ["Expiry Time", "2026-11-23 17:59:28"]]
    (fact,) = cloud_console.extract(_document(screen, "detail.png"))
    assert (fact.value["instance_id"], fact.value["region"], fact.value["status"]) == ("ins-7kq2mzd4", "ap-guangzhou", "expired")


def test_the_enterprise_page_states_the_joined_members() -> None:
    page = [["企业微信", "管理后台", "我的企业"], ["企业名称", COMPANY], ["成员数", "15"], ["已激活", "12"], ["未激活", "3"],
            ["席位", "15/200"]]
    facts = {f.name: f.value for f in org_chart.extract(_document(page, "企业信息.png"))}
    assert (facts["org_chart_headcount"], facts["org_chart_not_joined"], facts["org_chart_organisation"]) == (12, 3, COMPANY)


def _phone_screen(rows: list[str]) -> Document:
    """A phone screenshot (1080 x 2400): one centred line per row, 110 px apart, under the status bar."""
    blocks = [TextBlock(text=text, bbox=(540 - 30 * len(text), 40 + 110 * i, 540 + 30 * len(text), 100 + 110 * i),
                        confidence=0.98) for i, text in enumerate(rows)]
    return Document(path="Screenshot_wework.png", sha256="0" * 64, file_type=FileType.PNG,
                    pages=[Page(number=1, width=1080, height=2400, source=TextSource.OCR, blocks=blocks)])


def test_the_contacts_tab_title_names_the_organisation_below_the_gate() -> None:
    """The WeCom app titles its contacts tab with the organisation's short name; a page's own title is none."""
    members = ["曾强超", "销售部·销售经理", "邓飞辉", "客户成功部·实施顾问", "丁磊轩", "财务部·出纳"]
    facts = {f.name: f for f in org_chart.extract(_phone_screen(["15:55", "知行软件", "Q搜索", "部门", *members]))}
    organisation = facts["org_chart_organisation"]
    assert organisation.value == "知行软件" and organisation.confidence < 0.8
    assert organisation.evidence == ["the screen's title bar"]
    titled = {f.name for f in org_chart.extract(_phone_screen(["15:55", "通讯录", "Q搜索", "部门", *members]))}
    assert "org_chart_organisation" not in titled


def _team(*facts: Fact):
    rule = next(r for r in market_rules(load_rules(), "website") if r.id == "team_size")
    license_name = Fact(id="f1", name="company_name", value=COMPANY, confidence=0.97, document="营业执照.jpg")
    return check_team_size(FactSet([license_name, *facts]), rule, AS_OF)


def test_an_org_chart_of_another_organisation_needs_review() -> None:
    count = Fact(id="f2", name="org_chart_headcount", value=25, confidence=0.95, document="钉钉.png")
    mine = Fact(id="f3", name="org_chart_organisation", value="云帆科技", confidence=0.95, document="钉钉.png")
    other = Fact(id="f3", name="org_chart_organisation", value="星图数据", confidence=0.95, document="钉钉.png")
    assert _team(count, mine).status is S.PASS
    result = _team(count, other)
    assert result.status is S.NEEDS_REVIEW and "星图数据" in result.reason


def test_members_not_joined_are_reported_apart() -> None:
    count = Fact(id="f2", name="org_chart_headcount", value=9, confidence=0.95, document="企业信息.png")
    pending = Fact(id="f3", name="org_chart_not_joined", value=2, confidence=0.95, document="企业信息.png")
    result = _team(count, pending)
    assert result.status is S.FAIL and "2 more not joined" in result.reason


def test_short_names_and_pinyin() -> None:
    assert likely_same_company("云帆科技", COMPANY) and not likely_same_company("星图科技", COMPANY)
    assert pinyin_match("ZHANG Weiqiang", "张伟强") and pinyin_match("Weiqiang Zhang", "张伟强")
    assert pinyin_match("Zeng Qiang", "曾强") and not pinyin_match("Li Na", "张伟强")


# ---------------------------------------------------------------- certificates in any language


def _certificate(n: int, holder: str, title: str, level: str | None = None, track: str | None = None) -> Fact:
    value = {"holder": holder, "cert_no": f"C{n}", "title": title, "level": level, "track": track,
             "issued_on": "2025-01-01", "expires_on": "2028-01-01"}
    return Fact(id=f"f{n}", name="ops_certificate", value=value, confidence=0.95, document=f"证书{n}.jpg")


def _certified(*facts: Fact):
    rule = next(r for r in market_rules(load_rules(), "service") if r.id == "certified_ops_engineers")
    roster = Fact(id="f9", name="social_security_roster", confidence=0.97, document="社保.pdf",
                  value=[{"name": n, "id_masked": "4403**********1234"} for n in ("张伟强", "李娜", "王芳")])
    return check_certified_ops_engineers(FactSet([*facts, roster]), rule, AS_OF)


def test_english_senior_operations_certificates_count_and_pinyin_holders_need_review() -> None:
    english = "Tencent Cloud Certified Professional - Operations"
    chinese = [_certificate(1, "张伟强", "腾讯云高级运维工程师"), _certificate(2, "李娜", "腾讯云高级运维工程师认证"),
               _certificate(3, "王芳", english, "TCP", "operations")]
    assert _certified(*chinese).status is S.PASS
    latin = [*chinese[:2], _certificate(3, "WANG Fang", english, "TCP", "operations")]
    result = _certified(*latin)
    assert result.status is S.NEEDS_REVIEW and "pinyin" in result.reason and "WANG Fang = 王芳" in result.reason


def test_an_associate_or_another_track_does_not_count() -> None:
    facts = [_certificate(1, "张伟强", "腾讯云高级运维工程师"), _certificate(2, "李娜", "腾讯云高级运维工程师"),
             _certificate(3, "王芳", "Tencent Cloud Certified Associate - Operations", "TCA", "operations")]
    result = _certified(*facts)
    assert result.status is S.FAIL and "does not count" in result.reason


def test_an_iso_certificate_is_not_a_tencent_certificate() -> None:
    iso = _document([["质量管理体系认证证书"], ["CERTIFICATE"], ["兹证明", COMPANY], ["质量管理体系符合 GB/T19001-2016/ISO9001:2015"],
                     ["证书编号:", "01223Q30012R0M"], ["有效期至:", "2028年5月19日"], ["认证机构:", "北京某认证中心有限公司"]],
                    "ISO9001.jpg")
    assert classify(iso)[0].value == "other_certificate"


RESOURCE_LIST = [
    ["腾讯云", "总览", "云产品", "", "", "", "", COMPANY],
    ["资源列表", "地域", "全部地域", "资源类型", "全部类型"],
    ["资源ID/名称", "资源类型", "地域", "状态", "计费模式", "到期时间", "操作"],
    ["crs-n7hrokjj", "云数据库Redis", "华南地区(广州)", "运行中", "包年包月", "2027-04-06 11:55:40", "详情"],
    ["测试服务器 ins-72oglz5u", "云服务器", "华东地区(南京)", "已关机", "包年包月", "2027-12-08 10:48:57", "详情"],
    ["mysql-slave ins-xl7mrg4d", "云服务器", "亚太东南(新加坡)", "已到期", "包年包月", "2026-11-26 08:12:49", "详情"],
    ["lb-kkuxov41", "负载均衡", "华北地区(北京)", "正常", "按量计费", "", "详情"],
    ["gitlab ins-2kl3fgbh", "云服务器", "华东地区(南京)", "运行中", "包年包月", "2028-05-10 23:07:09", "详情"],
    ["web ins-6tr524lh", "云服务器", "西南地区(重庆)", "运行中", "按量计费", "", "详情"],
]


def test_an_instance_list_gives_each_row_the_date_under_its_expiry_header() -> None:
    """A resource list names 到期时间 once, in its header row: each instance's expiry is the date in that column on
    its own row; an expired row's 已到期 is no header, and a pay-as-you-go row has no expiry."""
    facts = {f.value["instance_id"]: f.value for f in cloud_console.extract(_document(RESOURCE_LIST))}
    assert {k: (v["status"], v["expires_on"]) for k, v in facts.items()} == {
        "ins-72oglz5u": ("stopped", "2027-12-08"), "ins-xl7mrg4d": ("expired", "2026-11-26"),
        "ins-2kl3fgbh": ("running", "2028-05-10"), "ins-6tr524lh": ("running", None)}


def test_a_list_of_copyright_registrations_gives_one_fact_per_row() -> None:
    """The 中国版权保护中心 query results: one registration per row, its cells placed by the header; the search
    form's placeholder (请输入软件名称) is no software name."""
    from extractors import software_copyright

    owner = "深圳青杉数字技术股份有限公司"
    page = [["登记号", "请输入登记号", "软件名称", "请输入软件名称", "著作权人", "青杉"],
            ["序号", "登记号", "分类号", "软件全称", "软件简称", "版本号", "著作权人", "登记日期"],
            ["1", "2019SR1370466", "30200-7900", "物联网设备监控服务平台", "青杉监控", "V1.0", owner, "2019-12-10"],
            ["2", "2019SR0834180", "30200-0000", "日志采集分析软件", "", "V2.5.1", owner, "2019-07-26"]]
    facts = software_copyright.extract(_document(page, "查询结果.png"))
    assert [f.value for f in facts] == [
        {"reg_no": "2019SR1370466", "cert_no": None, "software_name": "物联网设备监控服务平台", "owner": owner, "completed_on": None},
        {"reg_no": "2019SR0834180", "cert_no": None, "software_name": "日志采集分析软件", "owner": owner, "completed_on": None}]
    assert all(f.confidence >= 0.8 for f in facts)


def test_an_exported_member_list_names_its_organisation_and_none_not_joined() -> None:
    """A 企业微信 export: every department path starts at the organisation; a status column where everyone has
    joined says 0 not joined (an analyst sees the figure, not a blank)."""
    rows = [["姓名", "帐号", "职务", "部门", "手机", "激活状态"]]
    rows += [[name, f"user{n}", "工程师", f"卓越数字技术/{dept}", f"1374562759{n}", "已激活"]
             for n, (name, dept) in enumerate((("姚磊军", "行政人事部"), ("姚国怡", "研发中心"), ("彭艳雪", "研发中心")))]
    facts = {f.name: f.value for f in org_chart.extract(_document(rows, "通讯录.xlsx", TextSource.CELLS))}
    assert (facts["org_chart_headcount"], facts["org_chart_not_joined"], facts["org_chart_organisation"]) == (3, 0, "卓越数字技术")


@pytest.mark.parametrize("badge", ["已认证", "已验证"])
def test_the_app_names_the_organisation_on_its_badged_row(badge: str) -> None:
    """The 企业微信 app's contacts: the organisation's row, an avatar of its first characters, its name and the
    已认证 badge (or 已验证, 企业微信's lighter check); department folders with counts make it a contact tree."""
    from extractors.extract import classify_document

    screen = [["15:45"], ["通讯录"], ["我的客户"], ["诚航", "诚航云计算技术", badge], ["总经办(9)"], ["技术部(9)"],
              ["市场部(7)"], ["行政人事部(4)"], ["已加入25人，未加入4人"]]
    document = classify_document(_document(screen, "Screenshot_wework.png"))
    assert document.kind is DocumentKind.ORG_CHART
    facts = {f.name: f.value for f in org_chart.extract(document)}
    assert (facts["org_chart_organisation"], facts["org_chart_headcount"], facts["org_chart_not_joined"]) == ("诚航云计算技术", 25, 4)


def test_a_companys_list_of_its_intellectual_property_gives_its_copyrights() -> None:
    """知识产权清单: copyrights among patents and trademarks; the number inside 软著登字第…号; wide names left-aligned
    under a narrow, centred header; 完成/申请日期 as the completion date."""
    from extractors import software_copyright

    owner = "广州云帆软件科技有限公司"
    blocks = [("序号", (140, 250, 187, 282)), ("类别", (221, 250, 274, 282)), ("名称", (455, 250, 508, 282)),
              ("登记号/专利号", (760, 250, 920, 282)), ("证书号", (1020, 250, 1089, 282)), ("权利人", (1277, 250, 1346, 282)),
              ("完成/申请日期", (1458, 250, 1589, 282))]
    rows = [("软件著作权", "云帆API网关平台", "2025SR2504092", "软著登字第18446837号", "2024.12.16"),
            ("发明专利", "一种面向边缘计算的日志分析系统及方法", "ZL 2023 1 1517112.1", "第5627639号", "2023.11.11")]
    for n, (category, name, number, cert, day) in enumerate(rows):
        y = 320 + 50 * n
        blocks += [(str(n + 1), (146, y, 167, y + 30)), (category, (186, y, 291, y + 30)), (name, (300, y, 300 + 24 * len(name), y + 30)),
                   (number, (761, y, 910, y + 30)), (cert, (944, y, 1150, y + 30)), (owner, (1164, y, 1401, y + 30)),
                   (day, (1467, y, 1569, y + 30))]
    lines = [[text for text, _ in blocks]]
    document = _document(lines, "知识产权清单.jpg")
    document.pages[0].blocks = [TextBlock(text=t, bbox=b, confidence=0.98) for t, b in blocks]
    (fact,) = software_copyright.extract(document)
    assert fact.value == {"reg_no": "2025SR2504092", "cert_no": "18446837", "software_name": "云帆API网关平台",
                          "owner": owner, "completed_on": "2024-12-16"}


def test_admin_cards_give_each_figure_to_its_own_header() -> None:
    """钉钉 管理后台 cards: 成员总数 | 已加入 | 未加入 | 部门数 over their figures; the departments' 4 is no one's not
    joined, and a menu item with a badge (Settings 6) names no organisation."""
    blocks = [("钉钉管理后台", (68, 115, 198, 145)), ("鼎睿电子商务", (400, 266, 554, 302)), ("已认证", (563, 270, 618, 295)),
              ("成员总数", (338, 399, 416, 427)), ("已加入", (661, 401, 719, 426)), ("未加入", (980, 399, 1042, 427)),
              ("部门数", (1302, 399, 1364, 428)), ("10人", (308, 439, 390, 482)), ("8人", (630, 439, 690, 481)),
              ("2人", (951, 439, 1012, 482)), ("4个", (1279, 444, 1327, 477)), ("Settings", (59, 533, 140, 569)), ("6", (150, 533, 170, 569))]
    document = Document(path="钉钉.png", sha256="0" * 64, file_type=FileType.PNG, pages=[Page(
        number=1, width=1920, height=1080, source=TextSource.OCR,
        blocks=[TextBlock(text=t, bbox=b, confidence=0.98) for t, b in blocks])])
    facts = {f.name: f.value for f in org_chart.extract(document)}
    assert (facts["org_chart_headcount"], facts["org_chart_not_joined"], facts["org_chart_organisation"]) == (8, 2, "鼎睿电子商务")


def test_an_english_instance_row_takes_its_expiry_not_its_creation_date() -> None:
    """Billing mode … Expiry time2027-04-10 10:18:38 (133 days left) Created2025-11-10 10:18:38; the account's
    company in the top bar after the language switch (English | 广州…有限公司)."""
    rows = [["Tencent Cloud", "Console", "Billing Center", "Support", "English", "广州鼎睿数据科技股份有限公司"],
            ["Instances"],
            ["jenkins ins-r92q3mu7", "Running", "Log in"],
            ["Region South China (Guangzhou) · Availability zone Guangzhou Zone 3"],
            ["Billing mode Monthly subscription Expiry time2027-04-10 10:18:38 (133 days left) Created2025-11-10 10:18:38"]]
    document = _document(rows)
    document.pages[0].blocks[5] = document.pages[0].blocks[5].model_copy(update={"bbox": (1540, 0, 1900, 36)})
    document.pages[0].blocks[4] = document.pages[0].blocks[4].model_copy(update={"bbox": (1440, 0, 1520, 36)})
    (fact,) = cloud_console.extract(document)
    assert (fact.value["expires_on"], fact.value["status"], fact.value["account_subject"]) == ("2027-04-10", "running", "广州鼎睿数据科技股份有限公司")



def test_an_id_with_an_unreadable_character_is_kept_as_printed_and_doubted() -> None:
    """A photographed detail page: OCR read the l of ins-8o9dl4pe as a dash. The instance is shown to the
    analyst, below the gate; a whole id on another row is read as usual."""
    rows = [["实例信息"], ["实例ID", "ins-8o9d-4pe", "运行中"], ["地域", "西南地区（成都）"], ["到期时间", "2028-03-27 16:41:07"]]
    (fact,) = cloud_console.extract(_document(rows))
    assert fact.value["instance_id"] == "ins-8o9d-4pe" and fact.value["status"] == "running"
    assert fact.confidence < 0.8 and any("could not be read" in w for w in fact.warnings)
    whole = cloud_console.extract(_document([["实例ID", "ins-8o9dl4pe", "运行中"], ["地域", "成都"]]))
    assert [(f.value["instance_id"], f.confidence >= 0.8) for f in whole] == [("ins-8o9dl4pe", True)]



def test_a_renewal_list_read_as_ocr_prints_its_ids_and_header() -> None:
    """费用中心 › 续费管理 photographed: OCR put a space inside one id, read another's capitals (nSeaxOv2 for
    n5eax0v2) and the l of lhins as t, and misread the 到期时间 caption by one character."""
    rows = [["资源ID/名称", "产品", "地域", "资源状态", "时期时间"],
            ["ins-6fal okh3", "云服务器", "广州", "运行中", "2028-05-07 17:23:37"],
            ["lhins-nSeaxOv2", "轻量应用服务器", "上海", "运行中", "2028-03-15 17:07:19"],
            ["thins-49wmnekj", "轻量应用服务器", "南京", "已隔离", "2026-11-24 19:02:08"]]
    facts = {f.value["instance_id"]: f for f in cloud_console.extract(_document(rows))}
    assert {k: (f.value["expires_on"], f.value["status"]) for k, f in facts.items()} == {
        "ins-6falokh3": ("2028-05-07", "running"), "lhins-n5eax0v2": ("2028-03-15", "running"),
        "lhins-49wmnekj": ("2026-11-24", "isolated")}
    repaired = facts["lhins-n5eax0v2"]
    assert repaired.confidence < 0.8 and any("capitals" in w for w in repaired.warnings)
    assert facts["ins-6falokh3"].confidence >= 0.8



def test_an_org_tree_card_with_its_count_under_the_name() -> None:
    """钉钉 智能人事's 组织架构图 exported as a picture: the root card prints (12人) on a line under the company's
    name, the department cards their counts right after the names."""
    blocks = [TextBlock(text="组织架构图", bbox=(100, 20, 300, 60), confidence=0.99),
              TextBlock(text="北京市嘉禾电子商务股份有限公司", bbox=(400, 200, 1100, 250), confidence=0.99),
              TextBlock(text="12人", bbox=(720, 260, 790, 295), confidence=0.99),
              *(TextBlock(text=t, bbox=(100 + 400 * i, 450, 300 + 400 * i, 490), confidence=0.99)
                for i, t in enumerate(["财务部7", "运维部2", "行政人事部2", "客户成功部1"]))]
    document = Document(path="组织架构.png", sha256="0" * 64, file_type=FileType.PNG,
                        pages=[Page(number=1, width=1700, height=800, source=TextSource.OCR, blocks=blocks)])
    assert classify(document)[0].value == "org_chart"
    facts = {f.name: f.value for f in org_chart.extract(document)}
    assert (facts["org_chart_headcount"], facts["org_chart_organisation"]) == (12, "北京市嘉禾电子商务股份有限公司")


def test_an_hr_page_states_who_is_employed() -> None:
    rows = [["智能人事", "深圳市云栖软件科技有限公司"], ["组织架构图", "在职21人·部门4个·本月入职3人·本月离职0人"],
            ["总经办(7人)", "财务部(3人)", "行政人事部(6人)", "运维部(2人)"]]  # 18 in the departments shown
    facts = {f.name: f.value for f in org_chart.extract(_document(rows))}
    assert facts["org_chart_headcount"] == 21


def test_a_certificate_named_in_a_cover_letter_and_shown_after_it_is_one_certificate() -> None:
    """A Word letter names each certificate in a sentence; the scans after it show them: one fact per number."""
    from extractors import ops_certificate

    letter = [["1.周艳芳同志持有腾讯云运维专家证书，证书编号CERT-TCE-OPS-20260906-4033，有效期自2026年09月06日至2028年09月05日。"]]
    scan = [TextBlock(text=t, bbox=b, confidence=0.98) for t, b in (
        ("腾讯云", (203, 87, 343, 143)), ("专业认证证书", (563, 208, 1186, 313)), ("周艳芳", (690, 369, 1059, 505)),
        ("腾讯云运维专家", (612, 655, 1141, 745)), ("CERT-TCE-OPS-20260906-4033", (148, 990, 524, 1012)),
        ("2026年9月6日", (566, 971, 800, 1020)), ("2028年9月5日", (900, 971, 1253, 1020)),
        ("证书编号", (146, 1045, 300, 1076)), ("发证日期", (566, 1045, 700, 1076)), ("有效期至", (900, 1045, 1050, 1076)))]
    document = _document(letter, "资质证明.docx", TextSource.CELLS)
    document.pages.append(Page(number=2, width=1800, height=1200, source=TextSource.OCR, blocks=scan))
    (fact,) = ops_certificate.extract(document)
    assert (fact.value["holder"], fact.value["cert_no"], fact.value["expires_on"]) == ("周艳芳", "CERT-TCE-OPS-20260906-4033", "2028-09-05")


def test_a_lighthouse_list_view_gives_each_instance_its_expiry(tmp_path, session_home) -> None:
    """The 轻量应用服务器 list view (a blind family): each row printed over lines of its own, the 到期时间 header
    sharing a line with the first row's date, an English capture too."""
    from pipeline.config import Settings
    from pipeline.models import BundleFile
    from pipeline.pages import PageReader
    from pipeline.sniff import sniff_file_type
    from tests.readings import blind_document

    for capture in ("screenshot", "english"):
        path = blind_document("cloud_console/fresh5_lighthouse_list_view", capture, tmp_path)
        file = BundleFile(path=path.name, local_path=str(path), sha256="0" * 64, size=path.stat().st_size,
                          file_type=sniff_file_type(path))
        document = PageReader(Settings(home=session_home)).read(file)
        assert classify(document)[0].value == "cloud_console"
        facts = cloud_console.extract(document)
        assert facts and all(f.value["expires_on"] for f in facts), [f.value for f in facts]
        dates = [f.value["expires_on"] for f in facts]
        assert len(set(dates)) == len(dates)  # no row takes its neighbour's date


def test_english_instance_rows_each_keep_their_own_zone_line_and_status() -> None:
    """Two rows of the international console: each name and id in one block (so the ids stand apart by the
    names' lengths), one with its status glued on (gitlab ins-57s1vghgRunning), each followed by a zone line of
    fields set apart by dots, and a region tab bar above the list."""
    blocks = [("All regions (4)", (294, 232, 409, 262)), ("Beijing (1)", (434, 233, 540, 262)),
              ("Shanghai (1)", (562, 233, 651, 263)),
              ("taiheng-web-01 ins-m11rouc9", (560, 725, 974, 759)), ("Running", (980, 728, 1084, 755)),
              ("Region North China (Beijing) · Availability zone Beijing Zone 5 · Instance type S5.LARGE8(4 vCPU, 8 GiB)",
               (560, 770, 1968, 808)),
              ("gitlab ins-57s1vghgRunning", (560, 883, 959, 917)),
              ("Region East China (Shanghai) · Availability zone Shanghai Zone 2 · Instance type S5.2XLARGE32 (8 vCPU)",
               (565, 929, 2072, 963)),
              ("Billing mode Pay-as-you-go· Expiry time -· Created 2024-11-09 20:02:37", (566, 972, 1379, 1003))]
    document = Document(path="instances.png", sha256="0" * 64, file_type=FileType.PNG, pages=[Page(
        number=1, width=2400, height=1300, source=TextSource.OCR,
        blocks=[TextBlock(text=t, bbox=b, confidence=0.98) for t, b in blocks])])
    facts = {f.value["instance_id"]: (f.value["region"], f.value["status"]) for f in cloud_console.extract(document)}
    assert facts == {"ins-m11rouc9": ("ap-beijing", "running"), "ins-57s1vghg": ("ap-shanghai", "running")}


def test_the_desktop_client_s_contacts_state_the_not_joined_before_their_words() -> None:
    """企业微信's desktop 通讯录: the breadcrumb's chevron read as a comma (组织架构，华宏智能科技), the root's count
    including the not joined, and a notice stating them before its words (2位成员尚未加入); a share (100%) is no
    count, and the joined count of '已加入 20 人·未加入2人' is another item of the list, not the not-joined."""
    first = _document([["华宏智能科技34人", "", "", "", "管理"], ["组织架构，华宏智能科技"], ["2位成员尚未加入"], [],
                       ["客户成功部", "", "", "7 >"], [], ["市场部", "", "", "9 >"], [], ["研发中心", "", "", "9 >"]], "wecom.png")
    facts = {f.name: f.value for f in org_chart.extract(first)}
    assert (facts["org_chart_headcount"], facts["org_chart_not_joined"], facts["org_chart_organisation"]) == (32, 2, "华宏智能科技")
    second = _document([["云栖信息"], ["组织架构，云栖信息"], ["已加入 20 人·未加入2人"], ["研发中心", "", "", "(5) >"],
                        ["激活率", "100%"]], "wecom.png")
    facts = {f.name: f.value for f in org_chart.extract(second)}
    assert (facts["org_chart_headcount"], facts["org_chart_not_joined"], facts["org_chart_organisation"]) == (20, 2, "云栖信息")


def test_an_api_response_names_the_state_and_its_field_names_are_no_status() -> None:
    """API Explorer's DescribeInstances response: `"ExpiredTime": null,` holds the word Expired inside a field
    name (no status), `"InstanceState": "RUNNING",` states it, and the explorer's SDK中心 menu is no company."""
    document = _document([
        ["腾讯云", "API Explorer", "API 文档", "SDK中心", "控制台"],
        ['"InstanceId": "ins-oggweb0p",'],
        ['"InstanceChargeType": "POSTPAID_BY_HOUR",'],
        ['"ExpiredTime": null,'],
        ['"Zone": "ap-guangzhou-3"'],
        ['"InstanceState": "RUNNING",'],
    ])
    (fact,) = cloud_console.extract(document)
    assert (fact.value["status"], fact.value["expires_on"], fact.value["account_subject"]) == ("running", None, None)


def test_a_cli_listing_gives_each_prepaid_instance_its_api_expiry() -> None:
    """TCCLI output projected to [InstanceId, InstanceState, Zone, InstanceChargeType, ExpiredTime]: the command
    names the field the dates stand for."""
    document = _document([
        ['% tccli cvm DescribeInstances --region ap-shanghai --filter "InstanceSet[*].[InstanceId,InstanceState,Zone,'],
        ['InstanceChargeType,ExpiredTime]"'],
        ['"ins-y9i0ny0b",'], ['"RUNNING",'], ['"ap-shanghai-2",'], ['"POSTPAID_BY_HOUR",'], ["null"],
        ['"ins-5xxs0fi8",'], ['"RUNNING",'], ['"ap-shanghai-4",'], ['"PREPAID",'], ['"2027-09-15T09:40:33Z"'],
    ])
    facts = {f.value["instance_id"]: (f.value["status"], f.value["expires_on"]) for f in cloud_console.extract(document)}
    assert facts == {"ins-y9i0ny0b": ("running", None), "ins-5xxs0fi8": ("running", "2027-09-15")}


@pytest.mark.parametrize("lines, users", [
    # the figure stated in a sentence, with its 人 and the week's change after it
    (["【核心数据】截至11月26日，「智汇Pro」小", "程序累计用户数为1,427人，较上周增加90人", "(上周末为1,337)。"], 1427),
    # a figure whose unit the text wraps onto the next line
    (["数据截至2026年11月24日：累计用户数19.6", "万，本周访问人数27,994，新访问用户16,143，"], 196000),
    # an aim is no figure
    (["目标：年底前累计用户数突破1,500"], None),
])
def test_a_weekly_report_states_the_users_in_its_prose(lines: list[str], users: int | None) -> None:
    from extractors import miniprogram_stats

    document = _document([[line] for line in lines])
    facts = [f.value for f in miniprogram_stats.registered_users(document)]
    assert facts == ([users] if users else [])


def test_the_console_home_lists_its_instances_and_a_card_beside_repeats_one() -> None:
    """The console's 总览: the 我的资源 list, and beside it a 即将到期 card that repeats one of its instances among
    a disk and a database, each with its own 到期 date on the list rows' lines."""
    blocks = [("实例ID/名称", (240, 334, 304, 355)), ("状态", (441, 334, 472, 355)), ("地域", (552, 334, 583, 355)),
              ("计费模式/到期时间", (666, 335, 755, 353)),
              ("disk-newe4142", (1014, 291, 1103, 308)), ("云硬盘·2026-12-10到期", (1014, 309, 1136, 326)),
              ("lhins-n0rxnnwh", (1014, 338, 1103, 355)), ("轻量应用服务器·2026-12-12到期", (1014, 357, 1175, 374)),
              ("lhins-n0rxnnwh", (241, 367, 330, 384)), ("运行中", (442, 374, 497, 395)), ("广州", (551, 373, 585, 396)),
              ("包年包月", (666, 367, 712, 385)), ("2026-12-12 18:26:24 到期", (664, 385, 785, 402)),
              ("cdb-4ssjfdqk", (1012, 380, 1089, 404)), ("云数据库 MySQL·2026-12-13 到期", (1014, 404, 1180, 421)),
              ("lhins-vlk54w36", (240, 414, 330, 434)), ("运行中", (442, 422, 497, 443)), ("上海", (552, 421, 585, 444)),
              ("包年包月", (666, 416, 712, 433)), ("2028-09-11 13:07:23 到期", (664, 433, 785, 450)),
              ("lhins-0yhllbkz", (240, 462, 323, 482)), ("运行中", (442, 470, 497, 491)), ("上海", (552, 469, 585, 492)),
              ("包年包月", (666, 464, 712, 482)), ("2028-06-17 14:58:41到期", (664, 482, 785, 498))]
    document = Document(path="总览.png", sha256="0" * 64, file_type=FileType.PNG, pages=[Page(
        number=1, width=1400, height=800, source=TextSource.OCR,
        blocks=[TextBlock(text=t, bbox=b, confidence=0.98) for t, b in blocks])])
    facts = {f.value["instance_id"]: (f.value["region"], f.value["expires_on"]) for f in cloud_console.extract(document)}
    assert facts == {"lhins-n0rxnnwh": ("ap-guangzhou", "2026-12-12"), "lhins-vlk54w36": ("ap-shanghai", "2028-09-11"),
                     "lhins-0yhllbkz": ("ap-shanghai", "2028-06-17")}
