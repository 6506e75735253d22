"""The understanding step: what a message is and the data in it, read once before routing.

from bot.understanding import default_understander
u = default_understander().understand("paspor sy ditahan majikan di malaysia")
u.intent, u.country      # Intent.DANGER, "MY"
"""

from bot.understanding.result import Answer, Intent, Understanding
from bot.understanding.understander import Understander, default_understander

__all__ = ["Answer", "Intent", "Understander", "Understanding", "default_understander"]
