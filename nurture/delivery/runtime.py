"""Everything in one process: the broker, worker threads and the scheduler (`nurture run`, `demo`, tests)."""

from __future__ import annotations

import logging

import dramatiq

from nurture.delivery.broker import enqueuer, make_broker
from nurture.config import Settings, get_settings
from nurture.delivery.scheduler import build_scheduler

log = logging.getLogger("nurture.delivery.runtime")


class Embedded:
    """Worker threads and the APScheduler jobs on one broker, started and stopped together."""

    def __init__(self, settings: Settings | None = None, *, worker_threads: int = 4, scheduler: bool = True) -> None:
        self.settings = settings or get_settings()
        self.broker = make_broker(self.settings)
        dramatiq.set_broker(self.broker)
        self.enqueue = enqueuer(self.broker)
        self.worker = dramatiq.Worker(self.broker, worker_threads=worker_threads, worker_timeout=100)
        self.scheduler = build_scheduler(self.enqueue, settings=self.settings) if scheduler else None

    def start(self) -> Embedded:
        self.worker.start()
        if self.scheduler is not None:
            self.scheduler.start()
        return self

    def join(self, timeout_ms: int = 30_000) -> None:
        """Wait until the in-process queue is empty (embedded broker only; tests and the demo)."""
        from dramatiq.brokers.stub import StubBroker

        if isinstance(self.broker, StubBroker):
            self.broker.join("messages", timeout=timeout_ms, fail_fast=False)
        self.worker.join()

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.worker.stop(timeout=10_000)

    def __enter__(self) -> Embedded:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
