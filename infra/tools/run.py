"""Run an external program safely: list arguments, a timeout, typed errors with the stderr tail."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence

from models.errors import ExternalToolError, ToolMissingError, ToolTimeoutError

STDERR_TAIL = 2000


def which(program: str) -> str:
    """Return the full path of `program` or raise ToolMissingError naming the Debian package."""
    path = shutil.which(program)
    if not path:
        raise ToolMissingError(f"'{program}' is not installed (run `make setup`)", program=program)
    return path


def run(
    args: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    input_bytes: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `args` (never through a shell); raise a typed error on failure or timeout."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    program = args[0]
    try:
        proc = subprocess.run(
            list(args),
            input=input_bytes,
            capture_output=True,
            timeout=timeout,
            env=full_env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ToolMissingError(f"'{program}' is not installed", program=program) from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolTimeoutError(
            f"'{program}' did not finish within {timeout:.0f} s", program=program
        ) from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace")[-STDERR_TAIL:]
        raise ExternalToolError(
            f"'{program}' failed with exit code {proc.returncode}: {tail.strip()}",
            program=program,
            returncode=proc.returncode,
        )
    return proc
