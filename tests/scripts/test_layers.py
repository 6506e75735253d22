"""scripts/layers.py: the tree keeps its layers, and the check catches what it is for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layers():
    spec = importlib.util.spec_from_file_location("layers", ROOT / "scripts" / "layers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["layers"] = module
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for package in ("bot", "handlers", "storage"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_tree_has_no_upward_import_and_no_circle() -> None:
    assert _layers().check() == []


def test_a_lazy_upward_import_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/services.py": "def build():\n    from handlers import build_router\n",
            "handlers/__init__.py": "def build_router():\n    pass\n",
        },
    )
    problems = _layers().check(root)
    assert any("bot.services (conversation) imports handlers (handlers)" in p for p in problems)


def test_a_circle_within_a_layer_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "bot/channels/__init__.py": "",
            "bot/channels/telegram.py": "from bot.channels import whatsapp\n",
            "bot/channels/whatsapp.py": "def f():\n    import bot.channels.telegram\n",
        },
    )
    problems = _layers().check(root)
    assert "import circle: bot.channels.telegram → bot.channels.whatsapp" in problems


def test_type_only_imports_make_no_circle_but_may_not_point_up(tmp_path: Path) -> None:
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from {0} import X\n"
    root = _tree(
        tmp_path,
        {
            "bot/conversation.py": guarded.format("bot.services"),
            "bot/services.py": guarded.format("bot.conversation"),
            "bot/messages.py": guarded.format("bot.engine"),
            "bot/engine.py": "",
        },
    )
    problems = _layers().check(root)
    assert not any("circle" in p for p in problems)
    assert any("bot.messages (core) imports bot.engine (engine)" in p for p in problems)


def test_a_module_in_no_layer_is_named(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"bot/somewhere.py": ""})
    assert any(p.startswith("bot.somewhere: in no layer") for p in _layers().check(root))
