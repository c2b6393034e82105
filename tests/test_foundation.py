"""Foundation rules: settings documented, one error shape, the API edge imports no OpenCV."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from models import errors
from models.settings import Settings
from models.text import is_vietnamese_syllable, normalize_text
from worker.stages.textlayer import judge_text_layer

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"INTAKE_{n.upper()}" not in readme]
    assert missing == []


def _import_everything() -> None:
    """Every module of the project, so every error class is defined."""
    import importlib
    import pkgutil

    for package in ("models", "intake", "worker"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            importlib.import_module(info.name)


def test_error_codes_are_unique_and_shaped() -> None:
    _import_everything()
    seen: dict[str, type] = {}
    for cls in errors.error_classes():
        assert cls.code not in seen, f"{cls.__name__} reuses {cls.code}"
        seen[cls.code] = cls
        assert 400 <= cls.http_status < 600 and cls.exit_code > 0
    assert type(errors.from_dict({"code": "encrypted_pdf", "message": "x"})) is errors.EncryptedPdfError
    shape = errors.EncryptedPdfError("locked", page=1).to_dict()
    assert shape == {"code": "encrypted_pdf", "message": "locked", "details": {"page": 1}}


def test_every_error_code_has_a_vietnamese_message_on_the_pages() -> None:
    _import_everything()
    script = (ROOT / "intake" / "web" / "static" / "common.js").read_text(encoding="utf-8")
    missing = [c.code for c in errors.error_classes() if f"\n    {c.code}: " not in script]
    assert missing == []


def test_api_does_not_import_the_processing_stack() -> None:
    # The import contracts (pyproject.toml, `make lint`) check our own imports statically; this
    # imports the app for real, so it also sees third-party imports and any import made at startup.
    code = "import sys, intake.app; print('cv2' in sys.modules, 'worker.pipeline' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False False", out.stderr


def test_normalize_reads_eth_as_d_with_stroke() -> None:
    decomposed = "Quye\u0302\u0301t \u0111i\u0323nh"
    assert normalize_text("Số: 15/QÐ-BNV") == "Số: 15/QĐ-BNV"
    assert normalize_text(decomposed) == "Quyết định"


def test_normalize_reads_latin_looking_cyrillic_as_latin() -> None:
    # A published text layer's `TT-BТС` with Cyrillic Т and С (seen in a gazette PDF).
    cyrillic = "Thông tư số 06/2022/TT-B\u0422\u0421 ng\u0430y"
    assert normalize_text(cyrillic) == "Thông tư số 06/2022/TT-BTC ngay"
    assert normalize_text("Đà Nẵng") == "Đà Nẵng"  # Vietnamese letters untouched


def test_syllable_shape() -> None:
    for word in ("nghiêng", "Quyết", "định", "Đà", "khuyến", "trường", "UBND"[:0] or "ủy"):
        assert is_vietnamese_syllable(word), word
    for word in ("Quyvet", "dinhx", "SGDĐT", "thrwe"):
        assert not is_vietnamese_syllable(word), word


def test_text_layer_verdicts() -> None:
    good = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015 " * 5
    assert judge_text_layer(good).keep
    stripped = "Can cu Luat To chuc chinh quyen dia phuong ngay 19 thang 6 nam 2015 " * 5
    assert not judge_text_layer(stripped).keep
    garbage = "Cfin cu' Lu~t T6 chirc chinh quy6n dia phuong ngAy 19 thing 6 n~m " * 5
    assert not judge_text_layer(garbage).keep
    signature = "Ký bởi: Sở Giáo dục và Đào tạo Thời gian ký: 05.01.2024 09:10:11 +07:00"
    assert not judge_text_layer(signature).keep
