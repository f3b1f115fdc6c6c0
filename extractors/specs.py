"""Loaders for the extractors' data files, through schemas that reject unknown keys."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

DATA = Path(__file__).parent / "data"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KindSpec(_Spec):
    min_score: float
    keywords: dict[str, float]


class KindsFile(_Spec):
    version: int
    kinds: dict[str, KindSpec]


class FieldSpec(_Spec):
    labels: list[str]


class LicenseSpec(_Spec):
    version: int
    kind: str
    fields: dict[str, FieldSpec]
    company_suffixes: list[str]
    label_residue: str
    term_open_ended: list[str]


def _load(name: str) -> dict:
    with (DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def load_kinds() -> KindsFile:
    return KindsFile.model_validate(_load("kinds.yaml"))


@lru_cache(maxsize=1)
def load_license_spec() -> LicenseSpec:
    return LicenseSpec.model_validate(_load("business_license.yaml"))
