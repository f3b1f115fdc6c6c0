"""A value is only as sure as its least sure character (extractors/unsure_characters.py)."""
from __future__ import annotations

import pytest

from flows.stages import extract_facts
from extractors.unsure_characters import doubt_unsure_characters
from pipeline.config import Settings
from pipeline.models import Document, DocumentKind, Fact, FileType, Page, TextBlock, TextSource
from pipeline.pages import PageReader
from tests.readings import blind_document, blind_sample
from tests.test_page_text import as_file


def _page(*lines: tuple[str, list[float]]) -> Document:
    blocks = [TextBlock(text=text, bbox=(0, 40 * i, 400, 40 * i + 30), confidence=0.97, character_confidences=sure)
              for i, (text, sure) in enumerate(lines)]
    page = Page(number=1, width=400, height=400, source=TextSource.OCR, blocks=blocks)
    return Document(path="console.png", sha256="-", file_type=FileType.PNG, pages=[page], kind=DocumentKind.CLOUD_CONSOLE)


def _instance(instance_id: str) -> Fact:
    return Fact(document="console.png", page=1, bbox=(0, 0, 400, 30), name="cloud_instance", confidence=0.95,
                value={"instance_id": instance_id, "product": "lighthouse", "region": "ap-beijing", "status": "running"})


def _sure(text: str, **unsure: float) -> list[float]:
    return [unsure.get(f"at{i}", 0.99) for i in range(len(text))]


def test_a_date_resting_on_an_unsure_glyph_stays_below_the_gate_and_says_which():
    """A certificate's expiry read 2028 with a hesitant 8: an expired certificate could pass as valid."""
    document = _page(("有效期至：2028-06-30", _sure("有效期至：2028-06-30", at8=0.55)))
    cert = Fact(document="console.png", page=1, bbox=(0, 0, 400, 30), name="ops_certificate", confidence=0.95,
                value={"holder": "王伟", "cert_no": "2024TCP7189800", "expires_on": "2028-06-30"})
    (fact,) = doubt_unsure_characters([document], [cert])
    assert fact.confidence < 0.8
    assert "'8' in expires_on '2028-06-30'" in fact.warnings[-1] and "0.55" in fact.warnings[-1], fact.warnings


def test_an_unsure_glyph_in_an_id_is_warned_of_and_decides_nothing():
    """An instance id read `in817nl6` with a hesitant 1: it names the instance; hosting rests on its status and owner."""
    document = _page(("Ihins-in817nl6", _sure("Ihins-in817nl6", at9=0.76)))
    (fact,) = doubt_unsure_characters([document], [_instance("lhins-in817nl6")])
    assert fact.confidence == 0.95
    assert "'1' in instance_id 'lhins-in817nl6'" in fact.warnings[-1] and "0.76" in fact.warnings[-1], fact.warnings
    assert fact.field_confidence == {"instance_id": 0.7}, "the id itself is never shown as sure"


def test_a_character_repaired_by_its_format_is_judged_by_the_format_not_the_glyph():
    """The fixed prefix lhins- read `Ihins-` with a hesitant I: the extractor's in-place repair decided it."""
    document = _page(("Ihins-szizfqv4", _sure("Ihins-szizfqv4", at0=0.51)))
    (fact,) = doubt_unsure_characters([document], [_instance("lhins-szizfqv4")])
    assert fact.confidence == 0.95 and not fact.warnings


def test_a_hesitant_character_of_the_company_suffix_is_judged_by_the_suffix():
    """The recogniser often hesitates over the 司 of 有限公司: the name is what precedes its suffix."""
    name = "深圳嘉数数据科技有限公司"
    owner = Fact(document="console.png", page=1, bbox=(0, 0, 400, 30), name="company_name", confidence=0.9, value=name)
    assert doubt_unsure_characters([_page((name, _sure(name, at11=0.56)))], [owner])[0].confidence == 0.9
    assert doubt_unsure_characters([_page((name, _sure(name, at3=0.56)))], [owner])[0].confidence < 0.8


def test_the_surest_printing_of_a_value_decides():
    """A company name printed twice (the title bar and the 主体信息 line): one sure printing is enough."""
    name = "成都市盐希网络科技股份有限公司"
    document = _page((name, _sure(name, at6=0.42)), ("主体信息：" + name, _sure("主体信息：" + name)))
    fact = Fact(document="console.png", page=1, bbox=(0, 0, 400, 30), name="org_chart_organisation", confidence=0.9, value=name)
    assert doubt_unsure_characters([document], [fact])[0].confidence == 0.9
    alone = _page((name, _sure(name, at6=0.42)))
    assert doubt_unsure_characters([alone], [fact])[0].confidence < 0.8


def test_a_value_another_document_spells_the_same_is_confirmed_by_it():
    """The license photo's company name with one hesitant character, and the application declaring that name."""
    name = "武汉凌众数字技术有限公司"
    document = _page((name, _sure(name, at3=0.55)))
    read = Fact(document="console.png", page=1, bbox=(0, 0, 400, 30), name="company_name", confidence=0.95, value=name)
    declared = Fact(document="application.json", name="declared_company_name", confidence=1.0, value=name)
    assert doubt_unsure_characters([document], [read, declared])[0].confidence == 0.95
    other = Fact(document="application.json", name="declared_company_name", confidence=1.0, value="武汉凌从数字技术有限公司")
    assert doubt_unsure_characters([document], [read, other])[0].confidence < 0.8


def test_a_text_layer_has_no_glyph_doubt():
    document = _page(("ins-8o9dl4pe", _sure("ins-8o9dl4pe", at8=0.3)))
    digital = document.model_copy(update={"pages": [document.pages[0].model_copy(update={"source": TextSource.TEXT_LAYER})]})
    assert doubt_unsure_characters([digital], [_instance("ins-8o9dl4pe")])[0].confidence == 0.95


@pytest.fixture
def reader(session_home):
    return PageReader(Settings(home=session_home))


def test_ocr_gives_each_character_its_confidence(reader, tmp_path):
    """Real RapidOCR on a blind console photo: every line carries one confidence per character of its text."""
    document = reader.read(as_file(blind_document("cloud_console/lighthouse_server_cards", "monitor", tmp_path)))
    blocks = document.pages[0].blocks
    assert blocks and all(b.character_confidences is None or len(b.character_confidences) == len(b.text) for b in blocks)
    assert sum(b.character_confidences is not None for b in blocks) >= 0.9 * len(blocks)


def test_an_instance_id_misread_on_a_monitor_photo_is_warned_of(reader, tmp_path):
    """A console photographed off a monitor: OCR read one id's `l` as `1` inside a line it scored 0.97. That id
    carries a warning naming the character; the ids read surely carry none."""
    path = blind_document("cloud_console/lighthouse_server_cards", "monitor", tmp_path)
    truth = {item["instance_id"] for item in blind_sample("cloud_console/lighthouse_server_cards", "monitor").facts["cloud_instance"]}
    _, facts, _ = extract_facts([reader.read(as_file(path))], None, "")
    facts = [f for f in facts if f.name == "cloud_instance"]
    misread = [f for f in facts if f.value["instance_id"] not in truth]
    assert misread and all("OCR was unsure" in f.warnings[-1] for f in misread)
    assert all(f.field_confidence["instance_id"] < 0.8 for f in misread)
    assert [f for f in facts if f.value["instance_id"] in truth and not any("OCR was unsure" in w for w in f.warnings)]



def test_the_accuracy_score_counts_a_misread_field_as_sure_only_when_the_fact_shows_it_so():
    """bench's confident-false list: a record read wrong in a field its field_confidence keeps below the gate is a
    miss, not a false value shown as sure; wrong in a field shown as sure (the status here), it is both."""
    from bench.scoring import CorpusScore, score_document

    truth = {"kind": "cloud_console", "family": "f", "facts": {"cloud_instance": [
        {"instance_id": "lhins-in8l7nl6", "product": "lighthouse", "region": "ap-beijing", "status": "running"}]}}
    warned = _instance("lhins-in817nl6").model_copy(update={"field_confidence": {"instance_id": 0.7}})
    wrong_status = warned.model_copy(update={"value": {**warned.value, "instance_id": "lhins-in8l7nl6", "status": "stopped"}})
    unwarned = _instance("lhins-in817nl6")
    for fact, shown_sure in ((warned, False), (wrong_status, True), (unwarned, True)):
        score = CorpusScore()
        score_document(score, "b/console.png", truth, [fact])
        assert score.by_name.overall[0] == 0
        assert bool(score.by_name.confident_false) == shown_sure, fact
