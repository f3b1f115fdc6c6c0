"""The default engine on the generated licenses (clean, scan, photo, rotated, PDFs): key fields must be
right on at least 95% of the documents. Prints the rate it measured."""
import pytest

from extractors import business_license
from extractors.classify import classify
from pipeline.config import Settings
from pipeline.ingest import ingest_bundle
from pipeline.models import DocumentKind
from pipeline.pages import PageReader
from tests.conftest import load_truths

pytestmark = pytest.mark.slow
KEY_FIELDS = ("credit_code", "registered_capital_cny", "established_on")
ALL_FIELDS = (*KEY_FIELDS, "company_name", "business_term_until")


@pytest.fixture(scope="module")
def license_readings(generated, session_home):
    settings = Settings(home=session_home)
    reader = PageReader(settings)
    readings = []
    for truth in load_truths(generated):
        bundle = ingest_bundle(generated / "bundles" / truth["bundle"], settings)
        files = {f.path: f for f in bundle.files}
        for path, doc in truth["documents"].items():
            if doc["kind"] != "business_license":
                continue
            document = reader.read(files[path])
            facts = {}
            for fact in business_license.extract(document):
                facts.setdefault(fact.name, fact)
            readings.append((f"{truth['bundle']}/{path}", doc, classify(document)[0], facts))
    return readings


def test_key_fields_on_fixture_licenses(license_readings):
    all_right = 0
    per_field = {f: 0 for f in ALL_FIELDS}
    misses = []
    for name, doc, _, facts in license_readings:
        expected = doc["facts"]
        wrong = [f for f in ALL_FIELDS if (facts[f].value if f in facts else None) != expected.get(f)]
        for field in ALL_FIELDS:
            per_field[field] += field not in wrong
        all_right += not any(f in wrong for f in KEY_FIELDS)
        misses += [f"{name}: {f} read {facts[f].value if f in facts else None!r}, truth {expected.get(f)!r}" for f in wrong]
    n = len(license_readings)
    print(f"\nfixture licenses: {n} documents, key fields all right on {all_right}/{n} = {100 * all_right / n:.1f}%")
    for field, hits in per_field.items():
        print(f"  {field:<24} {hits}/{n}")
    print("\n".join(misses))
    assert n >= 12
    assert all_right / n >= 0.95


def test_fixture_licenses_are_classified(license_readings):
    assert [name for name, _, kind, _ in license_readings if kind is not DocumentKind.BUSINESS_LICENSE] == []


def test_no_confident_false_value(license_readings):
    """A wrong value must not look sure: nothing false above confidence 0.9."""
    confident_wrong = [
        f"{name}: {field}={fact.value!r} ({fact.confidence})"
        for name, doc, _, facts in license_readings
        for field, fact in facts.items()
        if field in doc["facts"] and fact.value != doc["facts"][field] and fact.confidence > 0.9
    ]
    assert confident_wrong == []
