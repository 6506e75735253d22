"""Kept for imports written before the composition root was named: see bot/system.py."""

from bot.system import System, open_system

__all__ = ["System", "open_system"]
