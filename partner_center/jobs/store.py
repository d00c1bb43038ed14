"""Job records in DynamoDB, scoped to one partner by construction.

Every state change is a conditional write, so duplicate deliveries and racing workers
resolve in the table rather than in memory: queued → running (claim, with a lease) →
succeeded | failed, and running → queued again when an attempt fails and will be retried.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from partner_center.core.clock import to_iso, utcnow
from partner_center.jobs.model import TERMINAL, ExportFormat, Job, JobKind, JobStatus
from partner_center.storage.models import JobItem
from partner_center.storage.transactions import transaction_connection

JOB_PREFIX = "JOB#"
IDEMPOTENCY_PREFIX = "IDEM#"
INPUT_PREFIX = "INPUT#"


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request."""


@dataclass(frozen=True)
class Claim:
    job: Job
    token: str


def _conditional_failure(exc: UpdateError | PutError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def _counts(succeeded: int | None, failed: int | None) -> list[Any]:
    actions = []
    if succeeded is not None:
        actions.append(JobItem.succeeded_count.set(succeeded))
    if failed is not None:
        actions.append(JobItem.failed_count.set(failed))
    return actions


class JobStore:
    def __init__(self, partner_id: str, *, retention: timedelta = timedelta(days=30)) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id
        self.retention = retention

    def _key(self, job_id: str) -> JobItem:
        return JobItem(self.partner_id, JOB_PREFIX + job_id)

    def _expiry(self) -> int:
        return int((utcnow() + self.retention).timestamp())

    # -- creation ---------------------------------------------------------------------

    def create(
        self,
        *,
        job_id: str,
        kind: JobKind,
        fmt: ExportFormat,
        parameters: dict[str, Any],
        requested_by: str,
        idempotency_key: str | None,
        request_hash: str,
        job_input: Any = None,
    ) -> tuple[Job, bool]:
        """Write a queued job; with an idempotency key, the first job for that key wins.

        `job_input` (JSON-serializable) is what the worker needs but the record should not
        carry, such as a batch's item IDs: it is written with the job, in one transaction,
        as the job's input item. Returns the job and whether this call created it.
        """
        now = to_iso(utcnow())
        item = JobItem(
            self.partner_id,
            JOB_PREFIX + job_id,
            job_id=job_id,
            kind=kind.value,
            format=fmt.value,
            parameters=json.dumps(parameters, sort_keys=True),
            request_hash=request_hash,
            status=JobStatus.QUEUED.value,
            progress=0,
            requested_by=requested_by,
            created_at=now,
            attempts=0,
            expires_at=self._expiry(),
        )
        input_item = None
        if job_input is not None:
            input_item = JobItem(
                self.partner_id,
                INPUT_PREFIX + job_id,
                job_id=job_id,
                parameters=json.dumps(job_input),
                created_at=now,
                expires_at=self._expiry(),
            )
        if idempotency_key is None:
            if input_item is None:
                item.save(condition=JobItem.job_key.does_not_exist())
                return Job.from_item(item), True
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(input_item, condition=JobItem.job_key.does_not_exist())
                transaction.save(item, condition=JobItem.job_key.does_not_exist())
            return Job.from_item(item), True
        claim = JobItem(
            self.partner_id,
            f"{IDEMPOTENCY_PREFIX}{requested_by}#{idempotency_key}",
            job_id=job_id,
            request_hash=request_hash,
            created_at=now,
            expires_at=self._expiry(),
        )
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(claim, condition=JobItem.job_key.does_not_exist())
                transaction.save(item, condition=JobItem.job_key.does_not_exist())
                if input_item is not None:
                    transaction.save(input_item, condition=JobItem.job_key.does_not_exist())
        except TransactWriteError as exc:
            if not any(
                r and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []
            ):
                raise
            existing = JobItem.get(claim.partner_id, claim.job_key, consistent_read=True)
            if existing.request_hash != request_hash:
                raise IdempotencyConflict() from exc
            job = self.get(existing.job_id)
            if job is None:
                raise
            return job, False
        return Job.from_item(item), True

    @staticmethod
    def _connection() -> Connection:
        return transaction_connection(JobItem)

    # -- reads --------------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        try:
            item = JobItem.get(self.partner_id, JOB_PREFIX + job_id, consistent_read=True)
        except JobItem.DoesNotExist:
            return None
        # The cloud's TTL deletes late and moto never does: expiry is checked on read.
        if item.expires_at is not None and item.expires_at < utcnow().timestamp():
            return None
        return Job.from_item(item)

    def read_input(self, job_id: str) -> Any:
        """The job's input item (see `create`), or None when it has none."""
        try:
            item = JobItem.get(self.partner_id, INPUT_PREFIX + job_id, consistent_read=True)
        except JobItem.DoesNotExist:
            return None
        return json.loads(item.parameters or "null")

    def page(
        self, *, requested_by: str | None, after_job_id: str | None, limit: int
    ) -> tuple[list[Job], bool]:
        """Newest first. Returns up to `limit` jobs and whether more follow."""
        condition = None
        if requested_by is not None:
            condition = JobItem.requested_by == requested_by
        now = int(utcnow().timestamp())
        condition = (
            (condition & (JobItem.expires_at > now))
            if condition is not None
            else JobItem.expires_at > now
        )
        start = None
        if after_job_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "job_key": {"S": JOB_PREFIX + after_job_id},
            }
        items: Iterator[JobItem] = JobItem.query(
            self.partner_id,
            JobItem.job_key.startswith(JOB_PREFIX),
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 25),
        )
        jobs = [Job.from_item(item) for item in items]
        return jobs[:limit], len(jobs) > limit

    # -- the worker's transitions -----------------------------------------------------

    def claim(self, job_id: str, lease: timedelta) -> Claim | Job | None:
        """Take the job for one attempt.

        Returns a Claim when this caller now owns the job, the job itself when someone
        else holds a live lease or it is already finished, and None when it does not exist.
        """
        now = utcnow()
        token = secrets.token_hex(16)
        item = self._key(job_id)
        claimable = (JobItem.status == JobStatus.QUEUED.value) | (
            (JobItem.status == JobStatus.RUNNING.value) & (JobItem.lease_until < to_iso(now))
        )
        try:
            item.update(
                actions=[
                    JobItem.status.set(JobStatus.RUNNING.value),
                    JobItem.lease_token.set(token),
                    JobItem.lease_until.set(to_iso(now + lease)),
                    JobItem.started_at.set(to_iso(now)),
                    JobItem.attempts.add(1),
                    JobItem.progress.set(0),
                ],
                condition=JobItem.job_key.exists() & claimable,
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            return self.get(job_id)
        return Claim(Job.from_item(item), token)

    def report_progress(
        self,
        job_id: str,
        token: str,
        progress: int,
        rows: int,
        lease: timedelta,
        *,
        succeeded: int | None = None,
        failed: int | None = None,
    ) -> bool:
        """Record progress and extend the lease; False when the lease was lost."""
        try:
            self._key(job_id).update(
                actions=[
                    JobItem.progress.set(progress),
                    JobItem.row_count.set(rows),
                    JobItem.lease_until.set(to_iso(utcnow() + lease)),
                    *_counts(succeeded, failed),
                ],
                condition=JobItem.lease_token == token,
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            return False
        return True

    def complete(
        self,
        job_id: str,
        token: str,
        *,
        object_key: str,
        file_name: str,
        row_count: int,
        byte_size: int,
        sha256: str,
        succeeded: int | None = None,
        failed: int | None = None,
    ) -> bool:
        try:
            self._key(job_id).update(
                actions=[
                    JobItem.status.set(JobStatus.SUCCEEDED.value),
                    JobItem.progress.set(100),
                    JobItem.object_key.set(object_key),
                    JobItem.file_name.set(file_name),
                    JobItem.row_count.set(row_count),
                    JobItem.byte_size.set(byte_size),
                    JobItem.sha256.set(sha256),
                    JobItem.finished_at.set(to_iso(utcnow())),
                    JobItem.lease_token.remove(),
                    JobItem.lease_until.remove(),
                    *_counts(succeeded, failed),
                ],
                condition=(JobItem.lease_token == token)
                & (JobItem.status == JobStatus.RUNNING.value),
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            return False
        return True

    def release(self, job_id: str, token: str, error_code: str) -> bool:
        """Give a failed attempt back to the queue; the message's redelivery retries it."""
        try:
            self._key(job_id).update(
                actions=[
                    JobItem.status.set(JobStatus.QUEUED.value),
                    JobItem.last_attempt_error.set(error_code),
                    JobItem.lease_token.remove(),
                    JobItem.lease_until.remove(),
                ],
                condition=JobItem.lease_token == token,
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            return False
        return True

    def fail(self, job_id: str, error_code: str) -> bool:
        """Mark a job failed for good (its message reached the dead-letter queue).

        Only an unfinished job can fail: a job that succeeded stays succeeded however
        many stray duplicates end up dead-lettered.
        """
        try:
            self._key(job_id).update(
                actions=[
                    JobItem.status.set(JobStatus.FAILED.value),
                    JobItem.error_code.set(error_code),
                    JobItem.finished_at.set(to_iso(utcnow())),
                    JobItem.lease_token.remove(),
                    JobItem.lease_until.remove(),
                ],
                condition=JobItem.job_key.exists()
                & JobItem.status.is_in(*(s.value for s in JobStatus if s not in TERMINAL)),
            )
        except UpdateError as exc:
            if not _conditional_failure(exc):
                raise
            return False
        return True
