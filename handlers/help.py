"""How to use the bot."""

from __future__ import annotations

from bot.conversation import Context, Router
from bot.i18n import _
from handlers.common import is_command


def help_text() -> str:
    return "\n".join(
        [
            _("How to use Migrasi Aman:"),
            _("• Answer with the number of a choice, or press a button."),
            _('• "menu" brings you back to the main menu.'),
            _('• "language" switches between Bahasa Indonesia and English.'),
            _('• "emergency" shows the emergency contacts.'),
            _("• Is someone in danger now? Choose Emergency contacts in the menu."),
            _('• "status" and a case number shows how your report is going.'),
            _('• "my data" shows what I keep about you; "delete my data" erases it.'),
            _("You can also paste a job offer and I will check it."),
        ]
    )


def register(router: Router) -> None:
    # "tolong", "help", "bisa bantu saya?" alone are asking what the bot can do: this answer,
    # which names the emergency contacts too (bot/understanding decides; never danger).
    @router.intent("help", lambda ctx: is_command(ctx, "help") or ctx.choice == "go:help")
    async def show_help(ctx: Context) -> None:
        ctx.say(help_text())
        await ctx.goto("menu")
