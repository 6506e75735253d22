"""Where the project's data lives. Content is read from the checkout (installed editable)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
