"""Run a command and measure wall time, CPU time of it and its children, and peak memory."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Measure:
    """What one run cost."""

    wall: float
    cpu: float
    peak_rss_process: int  # bytes, the largest single process (a worker)
    peak_rss_total: int  # bytes, the whole process tree at its largest
    returncode: int
    stderr: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(
    args: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 7200
) -> Measure:
    """Run `args`, sampling the memory of its process tree every 20 ms."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.Popen(
        list(args), env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peaks = {"one": 0, "all": 0}
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                rss = []
                for p in procs:
                    try:
                        rss.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                if rss:
                    peaks["one"] = max(peaks["one"], max(rss))
                    peaks["all"] = max(peaks["all"], sum(rss))
            except psutil.Error:
                pass
            done.wait(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate(timeout=timeout)
    done.set()
    thread.join()
    wall = time.perf_counter() - t0
    return Measure(
        wall, _children_cpu() - cpu0, peaks["one"], peaks["all"], proc.returncode,
        err.decode("utf-8", "replace")[-3000:],
    )


def run_parallel_measured(commands: list[list[str]], parallel: int, env: Mapping[str, str]) -> Measure:
    """Run many short commands `parallel` at a time (the Tesseract floor), measured as one."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    running: list[subprocess.Popen[bytes]] = []
    peak = 0
    full_env = {**os.environ, **env}
    queue = list(commands)
    failures = 0
    while queue or running:
        while queue and len(running) < parallel:
            running.append(subprocess.Popen(
                queue.pop(0), env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            ))
        for p in running:
            try:
                peak = max(peak, psutil.Process(p.pid).memory_info().rss)
            except psutil.Error:
                pass
        time.sleep(0.02)
        still = []
        for p in running:
            if p.poll() is None:
                still.append(p)
            elif p.returncode != 0:
                failures += 1
        running = still
    wall = time.perf_counter() - t0
    return Measure(wall, _children_cpu() - cpu0, peak, peak, failures, "")


def machine_description() -> str:
    """One line naming this machine: CPU model, cores, memory."""
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB RAM"
