"""application.json: the applicant's declared data. It is evidence too, so it becomes facts; secrets such as
the test account's password never leave this module."""
from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from pipeline.errors import UnreadableDocument
from pipeline.models import BundleFile, ErrorCode, Fact, FileType

NAME = "application"
DOUBTFUL = 0.6  # the confidence of a declared value that fails its format check
_MOBILE = re.compile(r"1[3-9]\d{9}")
_MOBILE_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=1\d{10}$)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


class _Declared(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OpsContact(_Declared):
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class CustomerService(_Declared):
    days_per_week: float | None = None
    hours_per_day: float | None = None


class ApiTestAccount(_Declared):
    url: str | None = None
    username: str | None = None
    password: SecretStr | None = None


class Application(_Declared):
    company_name: str | None = None
    markets: list[str] = Field(default_factory=list)
    ops_contact: OpsContact | None = None
    customer_service: CustomerService | None = None
    agreement_accepted: bool | None = None
    exemptions: list[str] = Field(default_factory=list)
    api_test_account: ApiTestAccount | None = None
    cvm_image_delivery: bool | None = None
    external_financing: bool | None = None


def is_application(file: BundleFile) -> bool:
    return file.file_type is FileType.JSON and Path(file.path).name.lower() == "application.json"


def read_application(file: BundleFile) -> Application:
    try:
        raw = json.loads(Path(file.local_path).read_text(encoding="utf-8-sig"))
        return Application.model_validate(raw)
    except (OSError, ValueError) as exc:
        raise UnreadableDocument(ErrorCode.BAD_APPLICATION, f"application.json is not valid JSON ({exc}); fix the file") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise UnreadableDocument(ErrorCode.BAD_APPLICATION, f"application.json has bad values ({problems}); fix the file") from exc


def application_facts(application: Application, document: str) -> list[Fact]:
    declared = {
        "declared_company_name": application.company_name,
        "declared_markets": application.markets or None,
        "ops_contact": application.ops_contact.model_dump() if application.ops_contact else None,
        "customer_service": application.customer_service.model_dump() if application.customer_service else None,
        "agreement_accepted": application.agreement_accepted,
        "exemptions": application.exemptions or None,
        "api_test_account": _account_view(application.api_test_account),
        "cvm_image_delivery": application.cvm_image_delivery,
        "external_financing": application.external_financing,
    }
    facts = [
        Fact(name=name, value=value, confidence=1.0, document=document, text="declared in application.json", extractor=NAME)
        for name, value in declared.items()
        if value is not None
    ]
    problems = contact_problems(application.ops_contact) if application.ops_contact else []
    return [_doubted(f, problems) if f.name == "ops_contact" and problems else f for f in facts]


def _doubted(fact: Fact, problems: list[str]) -> Fact:
    """The declared value kept as is, trusted less, with what is wrong with it."""
    return fact.model_copy(update={"confidence": DOUBTFUL, "warnings": problems})


def mobile_number(phone: str) -> str:
    """The 11 digits of a mainland mobile as people write it: spaces and dashes dropped, +86 / 0086 removed."""
    digits = re.sub(r"[\s\-()（）]", "", phone)
    return _MOBILE_PREFIX.sub("", digits)


def contact_problems(contact: OpsContact) -> list[str]:
    """What is wrong with the declared operations contact, one warning per bad field (the values stay as declared)."""
    problems = []
    if not (contact.name or "").strip():
        problems.append("ops_contact.name is empty: a named person is required")
    if not _MOBILE.fullmatch(mobile_number(contact.phone or "")):
        problems.append(f"ops_contact.phone {contact.phone!r} is not a valid mainland mobile number (11 digits, 1[3-9]…)")
    if not _EMAIL.fullmatch((contact.email or "").strip()):
        problems.append(f"ops_contact.email {contact.email!r} is not a valid e-mail address")
    return problems


def _account_view(account: ApiTestAccount | None) -> dict | None:
    if account is None:
        return None
    return {"url": account.url, "username": account.username, "password_given": bool(account.password and account.password.get_secret_value())}
