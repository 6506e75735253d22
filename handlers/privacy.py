"""What the bot keeps about me, and erasing it (UU 27/2022: the right to erasure)."""

from __future__ import annotations

from bot.conversation import Context, Flow, Router
from bot.events import DescribeData, PersonErased
from bot.i18n import _, format_timestamp
from handlers.common import answer_yes_no, is_command, reask, yes_no

flow = Flow("privacy")

_SHOW = frozenset(
    {
        "data saya",
        "my data",
        "/data",
        "/mydata",
        "lihat data saya",
        "privasi",
        "privacy",
        "/privasi",
        "/privacy",
    }
)
_DELETE = frozenset(
    {
        "hapus data saya",
        "hapus data",
        "delete my data",
        "delete data",
        "/hapus",
        "/delete",
        "erase my data",
        "hapus semua data saya",
    }
)


def register(router: Router) -> None:
    @router.intent(
        "my-data",
        lambda ctx: ctx.norm in _SHOW or is_command(ctx, "my_data") or ctx.choice == "go:mydata",
    )
    async def my_data(ctx: Context) -> None:
        await ctx.goto("privacy", "show")

    @router.intent(
        "delete-my-data",
        lambda ctx: (
            ctx.norm in _DELETE or is_command(ctx, "delete_data") or ctx.choice == "go:delete"
        ),
    )
    async def delete(ctx: Context) -> None:
        await ctx.goto("privacy", "confirm")


@flow.step("show")
async def show(ctx: Context) -> None:
    ctx.say("\n".join(await data_lines(ctx)))
    await ctx.goto("menu")


async def data_lines(ctx: Context) -> list[str]:
    """What is kept about this person, in words (also shown in the middle of a report)."""
    c = ctx.contact
    lines = [_("This is what I keep about you:")]
    lines.append(_("• Your chat: {channel} {address}").format(channel=c.channel, address=c.address))
    lines.append(
        _("• Language: {language}").format(
            language="Bahasa Indonesia" if c.locale == "id" else "English"
        )
    )
    if c.consent_at is not None:
        lines.append(
            _("• You agreed to the privacy notice on {date}.").format(
                date=format_timestamp(c.consent_at)
            )
        )
    else:
        lines.append(_("• You have not agreed to the privacy notice, so I keep nothing you write."))
    if c.display_name:
        lines.append(_("• Your name as the chat app shows it: {name}").format(name=c.display_name))
    lines.append(_("• Where we are in the conversation, so I can continue it."))
    if ctx.state.flow == "report" or any(k.startswith("paused:") for k in ctx.state.data):
        lines.append(
            _("• The answers of a report you have not sent yet (forgotten after 24 hours).")
        )
    for described in await ctx.services.router.events.emit(DescribeData(ctx.tx, c.id)):
        lines.extend(described)
    lines.append("")
    lines.append(_('Type "delete my data" to erase all of it.'))
    return lines


@flow.step("confirm")
async def confirm(ctx: Context) -> None:
    ctx.move("erase")
    ctx.say(
        _(
            "This erases everything I keep about you: your chat number, language, answers and your "
            "reports. A volunteer working on your report will only see that it was withdrawn. "
            "This cannot be undone. Erase everything?"
        ),
        yes_no(),
    )


@flow.step("erase")
async def erase(ctx: Context) -> None:
    answer = answer_yes_no(ctx)
    if answer is None:
        reask(ctx)
        return
    if not answer:
        ctx.say(_("Nothing was erased."))
        await ctx.goto("menu")
        return
    await ctx.services.router.events.emit(PersonErased(ctx))
    await ctx.tx.contacts.delete(ctx.contact.id)
    ctx.forgotten = True
    ctx.say(
        _("Done: everything I kept about you has been erased. If you write again, we start afresh.")
    )
