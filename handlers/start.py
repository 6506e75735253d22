"""First contact: greeting, language, a short privacy notice and consent."""

from __future__ import annotations

from bot.conversation import Context, Flow, Router
from bot.i18n import _, set_locale
from bot.messages import Choice
from handlers.common import answer_yes_no, is_command, reask

flow = Flow("start")

CONSENT_VERSION = "v1"


def language_choices() -> tuple[Choice, Choice]:
    # Each language is named in itself, so either reader finds theirs.
    return (Choice("lang:id", "Bahasa Indonesia"), Choice("lang:en", "English"))


def chosen_language(ctx: Context) -> str | None:
    if ctx.choice in ("lang:id", "lang:en"):
        return ctx.choice.split(":", 1)[1]
    word = ctx.norm
    if word in ("indonesia", "bahasa indonesia", "indo", "id", "bahasa"):
        return "id"
    if word in ("english", "inggris", "bahasa inggris", "en", "eng"):
        return "en"
    return ctx.understood.language  # "english please", "pakai bahasa indonesia aja"


def apply_language(ctx: Context, lang: str) -> None:
    ctx.contact.locale = lang
    set_locale(lang)


def privacy_notice() -> str:
    return "\n".join(
        [
            _("Before we start, a word about your privacy:"),
            _(
                "• I keep your chat number, your language and where we are in the conversation, so I can answer you."
            ),
            _("• I do not keep the job offers you ask me to check."),
            _(
                "• A report is kept only if you agree again at the end of it, and you may stay anonymous."
            ),
            _(
                '• Type "my data" to see what I keep, and "delete my data" to erase it, at any time.'
            ),
            "",
            _("Do you agree?"),
        ]
    )


def consent_choices() -> tuple[Choice, Choice]:
    return (Choice("yes", _("Yes, I agree")), Choice("no", _("No")))


def _payload(ctx: Context) -> str | None:
    parts = ctx.text.split(maxsplit=1)
    if parts and parts[0].lower() == "/start" and len(parts) == 2:
        return parts[1][:64]
    return None


def register(router: Router) -> None:
    @router.intent(
        "start",
        lambda ctx: ctx.norm.split(" ", 1)[0] == "/start" or is_command(ctx, "start"),
    )
    async def restart(ctx: Context) -> None:
        if ctx.contact.consent_version is None:
            await ctx.goto("start", payload=_payload(ctx))
        else:
            await ctx.goto("menu", "start", payload=_payload(ctx))


@flow.step("start")
async def greet(ctx: Context) -> None:
    payload = ctx.state.data.get("payload") or _payload(ctx)
    ctx.move("language")
    ctx.state.data["payload"] = payload
    ctx.say(
        _(
            "Hello! I am Migrasi Aman. I help you work abroad safely: the official route, "
            "checking a job offer, and reporting a suspicious recruiter."
        )
        + "\n\n"
        + "Pilih bahasa / Choose your language:",
        language_choices(),
    )


@flow.step("language")
async def language(ctx: Context) -> None:
    lang = chosen_language(ctx)
    if lang is None:
        reask(ctx)
        return
    apply_language(ctx, lang)
    ctx.move("consent")
    ctx.say(privacy_notice(), consent_choices())


@flow.step("consent")
async def consent(ctx: Context) -> None:
    agreed = answer_yes_no(ctx)
    if agreed is None:
        reask(ctx)
        return
    ctx.contact.consent_version = CONSENT_VERSION
    if agreed:
        ctx.contact.consent_at = ctx.now
        ctx.contact.display_name = ctx.inbound.display_name
        ctx.say(_("Thank you."))
    else:
        ctx.contact.consent_at = None
        ctx.say(
            _(
                "All right. I will not keep your name or what you write. You can still read the "
                "guides, check a job offer and see the emergency contacts. If you want to make a "
                "report, I will ask you again."
            )
        )
    payload = ctx.state.data.get("payload")
    await ctx.goto("menu", "start", payload=payload)
