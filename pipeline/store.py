"""The results store (SQLAlchemy 2): bundles, their documents and facts, every verification, and the history
of verdict changes. SQLite under EVIDENCE_HOME by default; EVIDENCE_DB_URL points the same code at
PostgreSQL. The schema is owned by Alembic (pipeline/migrations): opening a store upgrades it to the head
revision, so a store made by an older version still opens.

A bundle is keyed by its content hash. Each verification is written in one transaction with the bundle's
documents and facts, so a run killed half-way leaves either all of a bundle or nothing of it."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from pipeline.config import Settings
from pipeline.models import BundleError, Document, Fact, Report, RequirementResult, Verdict, jsonable

MIGRATIONS = Path(__file__).with_name("migrations")


class BundleStatus(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"  # could not be read at all; the error says why


class Decision(StrEnum):
    """The marketplace's decision on an application; reverify re-checks pending and approved ones."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Trigger(StrEnum):
    VERIFY = "verify"
    REVERIFY = "reverify"
    REVIEW = "review"  # re-validation after an analyst's correction


class TargetKind(StrEnum):
    FACT = "fact"
    REQUIREMENT = "requirement"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class BundleRow(Base):
    __tablename__ = "bundles"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    company_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    credit_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    files: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(String(16), default=Decision.PENDING)


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("bundle_sha256", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_sha256: Mapped[str] = mapped_column(ForeignKey("bundles.sha256", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Document without page text


class FactRow(Base):
    __tablename__ = "facts"
    __table_args__ = (UniqueConstraint("bundle_sha256", "fact_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_sha256: Mapped[str] = mapped_column(ForeignKey("bundles.sha256", ondelete="CASCADE"), index=True)
    fact_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole Fact, provenance included


class VerificationRow(Base):
    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_sha256: Mapped[str] = mapped_column(ForeignKey("bundles.sha256", ondelete="CASCADE"), index=True)
    market: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[dt.date] = mapped_column(Date)
    rules_version: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(16))
    requirements: Mapped[list[Any]] = mapped_column(JSON)
    signals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    trigger: Mapped[str] = mapped_column(String(16))
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class VerdictChangeRow(Base):
    __tablename__ = "verdict_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_sha256: Mapped[str] = mapped_column(ForeignKey("bundles.sha256", ondelete="CASCADE"), index=True)
    market: Mapped[str] = mapped_column(String(32))
    verification_id: Mapped[int] = mapped_column(ForeignKey("verifications.id", ondelete="CASCADE"))
    from_verdict: Mapped[str] = mapped_column(String(16))
    to_verdict: Mapped[str] = mapped_column(String(16))
    from_as_of: Mapped[dt.date] = mapped_column(Date)
    to_as_of: Mapped[dt.date] = mapped_column(Date)
    changed: Mapped[list[Any]] = mapped_column(JSON)  # [{id, from, to, reason}] of the requirements that moved
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CorrectionRow(Base):
    """The audit trail of analysts' corrections: never updated, only added to; the latest per target counts."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_sha256: Mapped[str] = mapped_column(ForeignKey("bundles.sha256", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))  # a fact id, or a requirement id
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)  # a fact's value, or a requirement's status
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(128))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class VerdictChange:
    bundle: str
    source: str
    market: str
    from_verdict: str
    to_verdict: str
    from_as_of: dt.date
    to_as_of: dt.date
    changed: list[dict[str, str]]


def database_url(settings: Settings) -> str:
    """EVIDENCE_DB_URL (Settings.db_url) when set, e.g. postgresql+psycopg://...; else SQLite under the home."""
    return settings.db_url or f"sqlite:///{settings.home / 'evidence.db'}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` with Alembic, on this engine's connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    """One results store. Writes are serialised in this process (SQLite has one writer anyway)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write = threading.Lock()

    @classmethod
    def open(cls, settings: Settings) -> Store:
        return cls(database_url(settings))

    def close(self) -> None:
        self.engine.dispose()

    # ---- reading ---------------------------------------------------------------------------------------

    def bundle(self, sha256: str) -> BundleRow | None:
        with self._sessions() as session:
            return session.get(BundleRow, sha256)

    def resolve(self, reference: str) -> BundleRow | None:
        """A bundle by full hash, by the source path it came from (the latest), or by a unique hash prefix of
        at least 8 characters."""
        with self._sessions() as session:
            found = session.get(BundleRow, reference)
            if found is not None:
                return found
            by_source = list(session.scalars(select(BundleRow).where(BundleRow.source == reference)
                                             .order_by(BundleRow.received_at)))
            if by_source:
                return by_source[-1]
            if len(reference) < 8:
                return None
            matches = list(session.scalars(select(BundleRow).where(BundleRow.sha256.startswith(reference)).limit(2)))
            return matches[0] if len(matches) == 1 else None

    def bundles(self, *decisions: Decision, status: BundleStatus | None = None) -> list[BundleRow]:
        query = select(BundleRow).order_by(BundleRow.received_at, BundleRow.sha256)
        if decisions:
            query = query.where(BundleRow.decision.in_([str(d) for d in decisions]))
        if status is not None:
            query = query.where(BundleRow.status == str(status))
        with self._sessions() as session:
            return list(session.scalars(query))

    def facts(self, sha256: str) -> list[Fact]:
        with self._sessions() as session:
            rows = session.scalars(select(FactRow).where(FactRow.bundle_sha256 == sha256).order_by(FactRow.id))
            return [Fact.model_validate(row.data) for row in rows]

    def documents(self, sha256: str) -> list[Document]:
        with self._sessions() as session:
            rows = session.scalars(select(DocumentRow).where(DocumentRow.bundle_sha256 == sha256).order_by(DocumentRow.id))
            return [Document.model_validate(row.data) for row in rows]

    def verifications(self, sha256: str) -> list[VerificationRow]:
        with self._sessions() as session:
            query = select(VerificationRow).where(VerificationRow.bundle_sha256 == sha256).order_by(VerificationRow.id)
            return list(session.scalars(query))

    def latest_verifications(self, sha256: str) -> dict[str, VerificationRow]:
        return {row.market: row for row in self.verifications(sha256)}

    def changes(self, sha256: str | None = None) -> list[VerdictChangeRow]:
        query = select(VerdictChangeRow).order_by(VerdictChangeRow.id)
        if sha256 is not None:
            query = query.where(VerdictChangeRow.bundle_sha256 == sha256)
        with self._sessions() as session:
            return list(session.scalars(query))

    def corrections(self, sha256: str) -> list[CorrectionRow]:
        with self._sessions() as session:
            query = select(CorrectionRow).where(CorrectionRow.bundle_sha256 == sha256).order_by(CorrectionRow.id)
            return list(session.scalars(query))

    # ---- writing ---------------------------------------------------------------------------------------

    def add_correction(self, sha256: str, kind: TargetKind, target: str, old_value: Any, new_value: Any,
                       reason: str, by: str) -> CorrectionRow:
        with self._write, self._sessions.begin() as session:
            row = CorrectionRow(bundle_sha256=sha256, target_kind=str(kind), target=target, old_value=jsonable(old_value),
                                new_value=jsonable(new_value), reason=reason, by=by, at=now())
            session.add(row)
        return row

    def record_verification(self, reports: list[Report], trigger: Trigger = Trigger.VERIFY,
                            flow_run_id: str | None = None) -> list[VerdictChange]:
        """Store a bundle's reports (one per market), its documents and facts, in one transaction."""
        if not reports:
            return []
        first = reports[0]
        sha = first.bundle.sha256
        with self._write, self._sessions.begin() as session:
            row = session.get(BundleRow, sha)
            if row is None:
                row = BundleRow(sha256=sha, source=first.bundle.path, received_at=now(), decision=Decision.PENDING)
                session.add(row)
            row.status, row.error, row.files = BundleStatus.VERIFIED, None, first.bundle.files
            row.errors = [e.model_dump(mode="json") for e in first.errors]
            row.company_name = _first_value(first.facts, "company_name")
            row.credit_code = _first_value(first.facts, "credit_code")
            _replace_evidence(session, sha, first.documents, first.facts)
            return [change for report in reports
                    if (change := _add_verification(session, row, report.market, report.as_of, report.rules_version,
                                                    report.verdict, report.requirements, report.signals, trigger,
                                                    flow_run_id)) is not None]

    def record_reverification(self, sha256: str, market: str, as_of: dt.date, rules_version: str, verdict: Verdict,
                              requirements: list[RequirementResult], signals: list[str], flow_run_id: str | None = None,
                              trigger: Trigger = Trigger.REVERIFY) -> VerdictChange | None:
        with self._write, self._sessions.begin() as session:
            row = session.get(BundleRow, sha256)
            return _add_verification(session, row, market, as_of, rules_version, verdict, requirements, signals,
                                     trigger, flow_run_id)

    def record_failure(self, sha256: str, source: str, error: BundleError) -> None:
        """A bundle that could not be read at all: kept with its error, so a re-run does not retry it blindly."""
        with self._write, self._sessions.begin() as session:
            row = session.get(BundleRow, sha256)
            if row is None:
                row = BundleRow(sha256=sha256, source=source, received_at=now(), decision=Decision.PENDING)
                session.add(row)
            row.status, row.error = BundleStatus.FAILED, f"{error.code}: {error.message}"
            row.errors = [error.model_dump(mode="json")]

    def set_decision(self, sha256: str, decision: Decision) -> None:
        with self._write, self._sessions.begin() as session:
            session.get_one(BundleRow, sha256).decision = decision


def _first_value(facts: list[Fact], name: str) -> str | None:
    found = [f for f in facts if f.name == name]
    return str(max(found, key=lambda f: f.confidence).value) if found else None


def _replace_evidence(session: Session, sha: str, documents: list[Document], facts: list[Fact]) -> None:
    for model in (DocumentRow, FactRow):
        for old in session.scalars(select(model).where(model.bundle_sha256 == sha)):
            session.delete(old)
    session.flush()
    for document in documents:
        data = document.model_dump(mode="json", exclude={"pages": {"__all__": {"blocks", "tables"}}})
        session.add(DocumentRow(bundle_sha256=sha, path=document.path, sha256=document.sha256,
                                kind=str(document.kind), data=data))
    for fact in facts:
        data = fact.model_copy(update={"value": jsonable(fact.value)}).model_dump(mode="json")
        session.add(FactRow(bundle_sha256=sha, fact_id=fact.id, name=fact.name, document=fact.document,
                            confidence=fact.confidence, data=data))


def _add_verification(session: Session, bundle: BundleRow, market: str, as_of: dt.date, rules_version: str,
                      verdict: Verdict, requirements: list[RequirementResult], signals: list[str], trigger: Trigger,
                      flow_run_id: str | None) -> VerdictChange | None:
    previous = session.scalars(select(VerificationRow).where(VerificationRow.bundle_sha256 == bundle.sha256,
                                                             VerificationRow.market == market)
                               .order_by(VerificationRow.id.desc()).limit(1)).first()
    row = VerificationRow(bundle_sha256=bundle.sha256, market=market, as_of=as_of, rules_version=rules_version,
                          verdict=str(verdict), requirements=[r.model_dump(mode="json") for r in requirements],
                          signals=list(signals), trigger=str(trigger), flow_run_id=flow_run_id, created_at=now())
    session.add(row)
    session.flush()
    if previous is None or previous.verdict == str(verdict):
        return None
    moved = _moved_requirements(previous.requirements, requirements)
    session.add(VerdictChangeRow(bundle_sha256=bundle.sha256, market=market, verification_id=row.id,
                                 from_verdict=previous.verdict, to_verdict=str(verdict), from_as_of=previous.as_of,
                                 to_as_of=as_of, changed=moved, recorded_at=now()))
    return VerdictChange(bundle.sha256, bundle.source, market, previous.verdict, str(verdict), previous.as_of, as_of, moved)


def _moved_requirements(before: list[dict[str, Any]], after: list[RequirementResult]) -> list[dict[str, str]]:
    old = {r["id"]: r["status"] for r in before}
    return [{"id": r.id, "from": old.get(r.id, "absent"), "to": str(r.status), "reason": r.reason}
            for r in after if old.get(r.id) != str(r.status)]
