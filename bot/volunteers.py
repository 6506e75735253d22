"""Deprecated alias of bot/volunteer_csv.py (three modules were called "volunteers"); kept so
branches written before the rename still import. Remove after merge."""

from bot.volunteer_csv import ImportResult, import_csv

__all__ = ["ImportResult", "import_csv"]
