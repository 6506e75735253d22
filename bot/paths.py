"""Where the project's data lives: the one module everyone asks (never compute a path from a
module's own __file__).

Content (articles, catalogs, data files) is `content/` in a checkout and the package data
`bot.content` in an installed wheel (pyproject maps one to the other), both found through
importlib.resources, so `migrasi-aman` works from any directory. The migrations are package
data of `storage.sqlite` (see storage/sqlite/db.py).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"


def _content() -> Path:
    try:
        installed = resources.files("bot.content")
    except ModuleNotFoundError:  # a checkout without an install that maps it
        installed = None
    if isinstance(installed, Path) and installed.is_dir():
        return installed
    if installed is not None:
        # content/ has no __init__.py, so bot.content is a namespace package and files()
        # answers a MultiplexedPath; its entries are real paths in the one installed folder.
        for entry in installed.iterdir():
            return Path(str(entry)).parent
    # A checkout (tests, editable installs made before the mapping): content/ beside bot/.
    return Path(__file__).resolve().parent.parent / "content"


CONTENT = _content()
