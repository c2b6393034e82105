"""`python -m worker.daemons.supervisor`: migrate, start the RQ workers and the delivery sender, reconcile."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess

from redis import Redis

from documents.reports.sending import send_due
from infra.database import dispose_engines, migrate
from infra.queue import connect, worker
from models.settings import Settings, get_settings
from worker.daemons.reconcile import reconcile

log = logging.getLogger("worker.daemons.supervisor")

WORKER_NICE = 10


def _work(settings: Settings, index: int) -> None:
    """One RQ worker process: jobs run in a forked work horse, as RQ does by default."""
    dispose_engines()  # connections must not be shared with the parent across fork
    # OCR is batch work: below the API and the watcher in the scheduler, so people get answers
    # while pages are recognised (work horses, page processes and Tesseract inherit it).
    # SCHED_IDLE runs it only on CPU time nothing else wants; nice is the fallback where the
    # policy cannot be set.
    os.nice(WORKER_NICE)
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        log.info("SCHED_IDLE not available; workers run at nice %d", WORKER_NICE)
    name = f"intake-{socket.gethostname()}-{os.getpid()}-{index}"  # unique across machines
    rq_worker = worker(connect(settings.redis_url), settings.queue_name, name)
    rq_worker.work(with_scheduler=False, logging_level="WARNING")


def _send(settings: Settings) -> None:
    """The delivery sender process (worker/daemons/sender.py): pushes ready documents to webhooks."""
    from worker.daemons.sender import run

    dispose_engines()
    run(settings)


class Supervisor:
    """Keeps `count` worker processes and one sender alive; runs the reconciler every few seconds."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self._ctx = multiprocessing.get_context("fork")
        self._children: list[BaseProcess | None] = [None] * count
        self._sender: BaseProcess | None = None
        self._stop = threading.Event()

    def run(self) -> None:
        """Run until SIGTERM/SIGINT; children finish their current job (RQ warm shutdown)."""
        migrate(self.settings.database)
        import worker.jobs  # noqa: F401 - preload OpenCV and the pipeline once; forks share them

        dispose_engines()
        signal.signal(signal.SIGTERM, lambda *_: self._stop.set())
        signal.signal(signal.SIGINT, lambda *_: self._stop.set())
        conn = connect(self.settings.redis_url)
        log.info("starting %d worker(s) on queue %r", self.count, self.settings.queue_name)
        next_reconcile = 0.0
        while not self._stop.is_set():
            self._keep_children()
            if time.monotonic() >= next_reconcile:
                self._reconcile(conn)
                next_reconcile = time.monotonic() + self.settings.reconcile_seconds
            self._stop.wait(0.5)
        self._shutdown()

    def _keep_children(self) -> None:
        for i, child in enumerate(self._children):
            if child is not None and child.is_alive():
                continue
            if child is not None:
                log.warning("worker %d exited with %s; restarting", i, child.exitcode)
            proc = self._ctx.Process(target=_work, args=(self.settings, i), daemon=False)
            proc.start()
            self._children[i] = proc
        if self._sender is None or not self._sender.is_alive():
            if self._sender is not None:
                log.warning("sender exited with %s; restarting", self._sender.exitcode)
            self._sender = self._ctx.Process(target=_send, args=(self.settings,), daemon=False)
            self._sender.start()

    def _reconcile(self, conn: Redis) -> None:
        try:
            reconcile(self.settings.database, conn, self.settings.queue_name,
                      self.settings.lease_seconds)
        except Exception:  # noqa: BLE001 - Redis or the database may be briefly down; try later
            log.warning("reconcile failed", exc_info=True)
        if self.settings.report_send_url or self.settings.report_send_dir:
            try:  # the monthly report that sends itself (documents/reports/sending.py)
                send_due(self.settings, dt.datetime.now(dt.UTC))
            except Exception:  # noqa: BLE001 - recorded per destination; the next period retries
                log.warning("monthly report round failed", exc_info=True)

    def _shutdown(self) -> None:
        for child in [*self._children, self._sender]:
            if child is not None and child.is_alive() and child.pid is not None:
                os.kill(child.pid, signal.SIGTERM)
        for child in [*self._children, self._sender]:
            if child is not None:
                child.join(timeout=60)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the worker service."""
    parser = argparse.ArgumentParser(prog="python -m worker.daemons.supervisor", description=__doc__)
    parser.add_argument("--workers", type=int, help="RQ worker processes (INTAKE_JOB_WORKERS)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    Supervisor(settings, args.workers or settings.job_workers).run()


if __name__ == "__main__":
    main()
