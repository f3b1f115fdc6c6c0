"""application.json: the applicant's declared data. It is evidence too, so it becomes facts; secrets such as
the test account's password never leave this module."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from pipeline.errors import UnreadableDocument
from pipeline.models import BundleFile, ErrorCode, Fact, FileType

NAME = "application"


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
    return [
        Fact(name=name, value=value, confidence=1.0, document=document, text="declared in application.json", extractor=NAME)
        for name, value in declared.items()
        if value is not None
    ]


def _account_view(account: ApiTestAccount | None) -> dict | None:
    if account is None:
        return None
    return {"url": account.url, "username": account.username, "password_given": bool(account.password and account.password.get_secret_value())}
