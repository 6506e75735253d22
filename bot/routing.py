"""Deprecated alias of bot/volunteer_index.py (the name collided with the conversation Router
and web routes); kept so branches written before the rename still import. Remove after merge."""

from bot.volunteer_index import Candidate, Ranked, VolunteerIndex, brute_force_nearest

__all__ = ["Candidate", "Ranked", "VolunteerIndex", "brute_force_nearest"]
