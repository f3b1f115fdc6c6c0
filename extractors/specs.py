"""A kind's data file, extractors/data/<kind>.yaml, loaded through a schema that rejects unknown keys: how to
recognise the kind (`classify`), its typed fields (`fields`: type, labels in Chinese and English, priors), the
number formats its identifiers are printed in (`formats`), and the kind's own options (validated by its
extractor's model)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from extractors.field_types import FieldSpec, FieldType
from extractors.priors import check_prior_names
from extractors.shapes import IdFormat, Lookalikes
from pipeline.errors import EvidenceError
from pipeline.models import DocumentKind, ErrorCode

DATA = Path(__file__).parent / "data"
BUILTIN_FORMATS = ("uscc", "registration_no")


class ExtractorConfigError(EvidenceError):
    """A data file or an extractor that cannot be used: refused when the registry is built, naming the file."""

    def __init__(self, message: str):
        super().__init__(ErrorCode.BAD_RULES, message)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassifyPattern(_Spec):
    """A shape the text shows again and again (a member list's 部门·职务 lines): its weight counts when the
    pattern matches at least `at_least` times."""

    pattern: str
    weight: float
    at_least: int = 1

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a regular expression ({exc})") from exc
        return pattern


class KindSpec(_Spec):
    min_score: float
    keywords: dict[str, float]
    patterns: list[ClassifyPattern] = []

    def score(self, text: str) -> float:
        """`text` normalised and lower-cased (extractors/classify.py)."""
        found = sum(weight for word, weight in self.keywords.items() if word.lower() in text)
        return found + sum(p.weight for p in self.patterns if len(re.findall(p.pattern, text)) >= p.at_least)


class FieldsFile(_Spec):
    version: int
    kind: DocumentKind
    classify: KindSpec | None = None  # keywords that say a document is of this kind
    fields: dict[str, FieldSpec] = {}
    formats: dict[str, list[IdFormat]] = {}
    lookalikes: Lookalikes = Lookalikes()
    options: dict[str, Any] = {}

    @model_validator(mode="after")
    def _references(self) -> FieldsFile:
        unknown = check_prior_names([p.prior for spec in self.fields.values() for p in spec.priors])
        if unknown:
            raise ValueError(f"unknown priors {unknown}")
        for name, spec in self.fields.items():
            if spec.type is FieldType.IDENTIFIER and spec.format not in (*BUILTIN_FORMATS, *self.formats):
                raise ValueError(f"field {name}: format {spec.format!r} is neither built in {BUILTIN_FORMATS} nor in `formats`")
        return self


def load_data_file(path: Path) -> FieldsFile:
    try:
        with path.open(encoding="utf-8") as handle:
            return FieldsFile.model_validate(yaml.safe_load(handle))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        kinds = ", ".join(k.value for k in DocumentKind)
        raise ExtractorConfigError(f"{path}: not a valid kind data file ({exc}); its `kind` must be one of: {kinds}") from exc


@lru_cache(maxsize=1)
def data_files() -> dict[DocumentKind, FieldsFile]:
    """Every kind's data file, each validated; two files of one kind are refused."""
    files: dict[DocumentKind, FieldsFile] = {}
    for path in sorted(DATA.glob("*.yaml")):
        data = load_data_file(path)
        if data.kind in files:
            raise ExtractorConfigError(f"{path}: a second data file for kind {data.kind}")
        files[data.kind] = data
    return files


def load_fields(kind: str) -> FieldsFile:
    return data_files()[DocumentKind(kind)]


def load_kinds() -> dict[str, KindSpec]:
    """Every kind's classification keywords, from the `classify` section of each data file."""
    return {str(kind): data.classify for kind, data in data_files().items() if data.classify is not None}


@lru_cache(maxsize=None)
def load_options(kind: str, model: type[BaseModel]) -> BaseModel:
    """A kind's `options`, validated by that kind's own model (which rejects unknown keys)."""
    try:
        return model.model_validate(load_fields(kind).options)
    except ValidationError as exc:
        raise ExtractorConfigError(f"{DATA / f'{kind}.yaml'}: bad `options` ({exc})") from exc
