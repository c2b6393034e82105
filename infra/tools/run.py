"""Run an external program safely: the only place a tool process is started.

List arguments (never a shell), a timeout, memory and CPU limits and a minimal environment, typed
errors with the stderr tail. The tools read hostile input (uploaded PDFs and images): a tool that
runs away is stopped by its own limits and reported as the project's error, the worker process
that started it keeps running, and the tool never sees the service's secrets (database URL,
S3 keys, Redis password) because it is not given the service's environment.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from models.errors import ExternalToolError, ToolMissingError, ToolTimeoutError
from models.settings import get_settings

STDERR_TAIL = 2000

# The only variables a tool gets from the service's environment: where programs are, the
# locale, and Tesseract's language data when the operator moved it. Everything else (the
# database URL, S3 and Redis credentials, INTAKE_*) stays in the service.
PASSED_ON = ("PATH", "LANG", "LC_ALL", "TESSDATA_PREFIX")


def which(program: str) -> str:
    """Return the full path of `program` or raise ToolMissingError naming the Debian package."""
    path = shutil.which(program)
    if not path:
        raise ToolMissingError(f"'{program}' is not installed (run `make setup`)", program=program)
    return path


@dataclass(frozen=True)
class Limits:
    """Resource limits of one tool process (0: no limit)."""

    memory_bytes: int  # address space (RLIMIT_AS)
    cpu_seconds: int  # processor time (RLIMIT_CPU)

    @classmethod
    def for_timeout(cls, timeout: float) -> Limits:
        """The configured limits (INTAKE_TOOL_MEMORY_BYTES, INTAKE_TOOL_CPU_SECONDS, the latter
        defaulting to the run's own timeout)."""
        settings = get_settings()
        cpu = settings.tool_cpu_seconds or timeout
        return cls(max(0, settings.tool_memory_bytes), max(1, math.ceil(cpu)))

    def apply(self) -> None:
        """Set the limits on the current process (run in the child between fork and exec).

        Only setrlimit calls on values computed before the fork: nothing here takes a lock or
        imports, so it is safe although the worker has threads (the lease heartbeat)."""
        if self.memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        if self.cpu_seconds:
            # SIGXCPU at the soft limit, SIGKILL one second later if the tool ignores it.
            resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 1))


def tool_env(work_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a tool: PASSED_ON, HOME and TMPDIR in its work folder, one
    OpenMP thread (pages run in parallel processes instead), then `extra`."""
    env = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    folder = str(work_dir.resolve())
    env.update(HOME=folder, TMPDIR=folder, OMP_THREAD_LIMIT="1")
    env.update(extra or {})
    return env


@contextmanager
def _work_folder(work_dir: Path | None) -> Iterator[Path]:
    """The tool's HOME and TMPDIR: the caller's work folder, or a private one for this run."""
    if work_dir is not None:
        yield work_dir
        return
    with tempfile.TemporaryDirectory(prefix="intake-tool-") as tmp:
        yield Path(tmp)


def run(
    args: Sequence[str],
    *,
    timeout: float,
    work_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    input_bytes: bytes | None = None,
    limits: Limits | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `args` (never through a shell) with limits and a minimal environment (`tool_env`,
    plus `env`); raise a typed error on failure, timeout or a limit reached."""
    limits = limits or Limits.for_timeout(timeout)
    program = args[0]
    preexec: Callable[[], None] = limits.apply
    with _work_folder(work_dir) as folder:
        try:
            proc = subprocess.run(
                list(args),
                input=input_bytes,
                capture_output=True,
                timeout=timeout,
                env=tool_env(folder, env),
                preexec_fn=preexec,
                check=False,
            )
        except FileNotFoundError as exc:
            raise ToolMissingError(f"'{program}' is not installed", program=program) from exc
        except subprocess.TimeoutExpired as exc:
            raise ToolTimeoutError(
                f"'{program}' did not finish within {timeout:.0f} s", program=program
            ) from exc
    if proc.returncode != 0:
        raise _failure(program, proc.returncode, proc.stderr, limits)
    return proc


def _failure(program: str, code: int, stderr: bytes, limits: Limits) -> ExternalToolError:
    """The error of a failed run: the exit code or signal, the stderr tail, the limit hit."""
    # One line (tools print a line per problem): messages go into JSON and the history.
    tail = " ".join(stderr.decode("utf-8", "replace")[-STDERR_TAIL:].split())
    if code == -signal.SIGXCPU:
        return ToolTimeoutError(
            f"'{program}' used its {limits.cpu_seconds} s of processor time", program=program
        )
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        memory = f"{limits.memory_bytes // 2**20} MiB" if limits.memory_bytes else "no"
        return ExternalToolError(
            f"'{program}' was stopped by {name} (memory limit: {memory}): {tail}",
            program=program, returncode=code,
        )
    return ExternalToolError(
        f"'{program}' failed with exit code {code}: {tail}", program=program, returncode=code
    )
