"""Loaders for the extractors' data files, through schemas that reject unknown keys."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict

DATA = Path(__file__).parent / "data"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KindSpec(_Spec):
    min_score: float
    keywords: dict[str, float]


class FieldSpec(_Spec):
    labels: list[str]


class FieldsFile(_Spec):
    """extractors/data/<kind>.yaml: how to recognise the kind, the labels of each field, and the kind's own
    options (validated by the kind's module)."""

    version: int
    kind: str
    classify: KindSpec | None = None  # keywords that say a document is of this kind
    fields: dict[str, FieldSpec] = {}
    options: dict[str, Any] = {}


def _load(name: str) -> dict:
    with (DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def load_kinds() -> dict[str, KindSpec]:
    """Every kind's classification keywords, from the `classify` section of each data file."""
    files = [FieldsFile.model_validate(_load(path.name)) for path in sorted(DATA.glob("*.yaml"))]
    return {f.kind: f.classify for f in files if f.classify is not None}


OptionsModel = TypeVar("OptionsModel", bound=BaseModel)


@lru_cache(maxsize=None)
def load_options(kind: str, model: type[OptionsModel]) -> OptionsModel:
    """A kind's `options`, validated by that kind's own model (which rejects unknown keys)."""
    return model.model_validate(load_fields(kind).options)


@lru_cache(maxsize=None)
def load_fields(kind: str) -> FieldsFile:
    return FieldsFile.model_validate(_load(f"{kind}.yaml"))
