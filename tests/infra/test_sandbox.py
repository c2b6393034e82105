"""Tool processes run inside limits and without the service's secrets (infra/tools/run.py).

The tools read hostile input. One that runs away must fail as the project's error while the
worker that started it goes on, and none may read the database URL, the S3 keys or the Redis
password from its environment.
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest

from infra.tools import ghostscript, poppler, tesseract
from infra.tools.run import Limits, run
from models.errors import ExternalToolError, IntakeError, ToolTimeoutError
from models.settings import get_settings

SECRETS = {
    "INTAKE_DATABASE_URL": "postgresql://intake:db-secret@db/intake",
    "INTAKE_REDIS_URL": "redis://:redis-secret@redis:6379/0",
    "INTAKE_S3_SECRET_KEY": "s3-secret",
    "AWS_SECRET_ACCESS_KEY": "aws-secret",
}
MEMORY = 512 * 2**20
DUMP_ENV = "import json, os; print(json.dumps(dict(os.environ)))"


@pytest.fixture
def service_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment of a worker: its secrets set, a tool memory limit configured."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INTAKE_TOOL_MEMORY_BYTES", str(MEMORY))
    monkeypatch.setenv("OMP_THREAD_LIMIT", "8")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_tool_sees_only_the_minimal_environment(service_env: None, tmp_path: Path) -> None:
    env = json.loads(run([sys.executable, "-c", DUMP_ENV], timeout=30, work_dir=tmp_path).stdout)
    assert not set(SECRETS) & set(env)
    assert not [k for k in env if k.startswith(("INTAKE_", "AWS_"))]
    assert set(env) <= {"PATH", "LANG", "LC_ALL", "TESSDATA_PREFIX", "HOME", "TMPDIR",
                        "OMP_THREAD_LIMIT", "LC_CTYPE"}  # CPython may add LC_CTYPE itself
    assert env["HOME"] == env["TMPDIR"] == str(tmp_path.resolve())
    assert env["OMP_THREAD_LIMIT"] == "1"
    # Without a work folder the tool gets a private temporary one, removed afterwards.
    env = json.loads(run([sys.executable, "-c", DUMP_ENV], timeout=30).stdout)
    assert env["HOME"] != str(Path.home()) and not Path(env["HOME"]).exists()


# A stand-in for each program: it records its environment and limits, then fails.
SPY = """#!{python}
import json, os, resource, sys
with open({log!r}, "a") as f:
    f.write(json.dumps({{"program": os.path.basename(sys.argv[0]), "env": dict(os.environ),
        "as": resource.getrlimit(resource.RLIMIT_AS)[0],
        "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0]}}) + "\\n")
sys.exit(1)
"""


@pytest.fixture
def spies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, object]]]:
    """Put stand-ins for tesseract, pdftoppm, pdftotext and gs first on PATH; return a reader."""
    log, bindir = tmp_path / "starts.jsonl", tmp_path / "bin"
    bindir.mkdir()
    for program in ("tesseract", "pdftoppm", "pdftotext", "gs"):
        spy = bindir / program
        spy.write_text(SPY.format(python=sys.executable, log=str(log)))
        spy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    return lambda: [json.loads(line) for line in log.read_text().splitlines()]


def test_every_adapter_starts_its_program_inside_the_limits(
    service_env: None, spies: Callable[[], list[dict[str, object]]], tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    page = tmp_path / "page.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(page)
    image = work / "page.pgm"
    image.write_bytes(b"P5\n1 1\n255\n\x00")
    calls = [
        lambda: tesseract.recognise(image, work / "p", language="vie", dpi=300, timeout=30),
        lambda: tesseract.read_words(image, work / "w", language="vie", dpi=300, psm=6, timeout=30),
        lambda: tesseract.detect_orientation(image, timeout=30),
        lambda: tesseract.languages(),
        lambda: poppler.render_page(page, 1, 300, timeout=30, max_pixels=10**8),
        lambda: poppler.text_layer(page, timeout=30),
        lambda: ghostscript.to_pdfa2b(page, work / "a.pdf", first_page=1, last_page=1,
                                      icc=tmp_path / "srgb.icc", timeout=30),
        lambda: ghostscript.render_warnings(page, timeout=30),
    ]
    for call in calls:
        with pytest.raises(IntakeError):  # each stand-in fails: the adapter reports it
            call()
    starts = spies()
    assert len(starts) == len(calls)
    assert {s["program"] for s in starts} == {"tesseract", "pdftoppm", "pdftotext", "gs"}
    for start in starts:
        env = start["env"]
        assert isinstance(env, dict)
        assert not set(SECRETS) & set(env), start["program"]
        assert env["OMP_THREAD_LIMIT"] == "1"
        assert start["as"] == MEMORY and start["cpu"] == 30, start
    # Tesseract and Ghostscript's conversion keep their temporary files in the work folder.
    homes = [s["env"]["HOME"] for s in starts]  # type: ignore[index]
    assert homes[:3] == [str(work.resolve())] * 3 and homes[6] == str(work.resolve())


def test_a_tool_over_its_memory_limit_fails_and_the_worker_goes_on(tmp_path: Path) -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    greedy = [sys.executable, "-c", "b = bytearray(1 << 30); print(len(b))"]
    with pytest.raises(ExternalToolError, match="MemoryError") as info:
        run(greedy, timeout=60, limits=Limits(memory_bytes=256 * 2**20, cpu_seconds=60))
    assert info.value.code == "external_tool" and not info.value.transient
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # only the child was limited
    assert run(greedy, timeout=60, limits=Limits(memory_bytes=0, cpu_seconds=60)).stdout.strip() \
        == str(1 << 30).encode()


def test_poppler_over_its_memory_limit_is_the_projects_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 × 20 inches at 300 dpi: a 108 MB bitmap, allowed by the pixel limit, not by 64 MiB.
    page = tmp_path / "poster.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(1440, 1440))
    pdf.save(page)
    try:
        monkeypatch.setenv("INTAKE_TOOL_MEMORY_BYTES", str(64 * 2**20))
        get_settings.cache_clear()
        with pytest.raises(ExternalToolError, match="pdftoppm"):
            poppler.render_page(page, 1, 300, timeout=60, max_pixels=200_000_000)
        monkeypatch.delenv("INTAKE_TOOL_MEMORY_BYTES")  # the default, 2 GiB, is enough
        get_settings.cache_clear()
        assert poppler.render_page(page, 1, 300, timeout=60, max_pixels=10**8).size == (6000, 6000)
    finally:
        get_settings.cache_clear()


def test_a_tool_over_its_processor_time_is_a_timeout(tmp_path: Path) -> None:
    spin = [sys.executable, "-c", "while True: pass"]
    with pytest.raises(ToolTimeoutError, match="processor time") as info:
        run(spin, timeout=60, limits=Limits(memory_bytes=0, cpu_seconds=1))
    assert info.value.transient
