"""Outbound pacing: fairness between chats, every part counted, platform limits held.

    python bench/pacing.py [--runs 3] [--only busy,split,strict]

The real dispatcher and the real senders (python-telegram-bot, the Twilio sender, both over aiohttp) send
to the fake Bot API and the fake Twilio API on loopback (tests/fakes), which record every call.
Outbox rows are written through the engine as the handlers write them. Scenarios:

- **busy**: 600 messages queued for one chat, then 600 for 300 other chats (2 each); after 1 s
  a new user sends /start through the engine. Printed: the rate the 300 chats were served at
  (their messages / the time until the last of them, or the window if not all), how many of
  the 300 got anything within the window, and the new user's time to a first reply.
- **split**: 60 Telegram replies of 3 parts each and 40 WhatsApp replies of 3 parts each,
  queued at once. Printed: the peak platform calls in any 1 s against the limits (30, 10).
- **strict**: the fake Telegram enforces 30/s overall and 1/s per chat with no burst at all
  (`flood_control`); 600 messages for 100 chats, the dispatcher told the same limits (no
  burst). Printed: 429s received, total time against N/limit = 20 s.

The fake Bot API runs in its own process (`--fake-in-process` to share ours, as the tests do):
Telegram is another machine, and a fake sharing our interpreter's lock delays requests after
they leave the dispatcher by up to ~0.1 s under load, which no pacing on our side can see.

It only uses what every version of the dispatcher has (Dispatcher(engine, sender, limits),
start/stop, Limits' rate and burst fields), so the same file measures the tree before and
after a change. Times are wall-clock on a shared machine: compare runs made side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels import telegram as tg  # noqa: E402
from bot.channels import whatsapp as wa  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messages import Inbound, Reply  # noqa: E402
from bot.outbox import Dispatcher  # noqa: E402
from bot.system import open_system  # noqa: E402
from storage.outbox import NewMessage  # noqa: E402
from tests.fakes.telegram import Call, FakeTelegram  # noqa: E402
from tests.fakes.twilio import BOT_WHATSAPP, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, FakeTwilio  # noqa: E402

BUSY_WINDOW = 25.0  # seconds the busy scenario runs
BUSY_CHAT = 1000
OTHER_CHATS = range(2000, 2300)
NEW_USER = 9999


def settings_for(db: Path, tgf: FakeTelegram | None, twf: FakeTwilio | None) -> Settings:
    values: dict[str, Any] = {"database_path": db, "channels": ()}
    if tgf is not None:
        values |= {
            "telegram_bot_token": tgf.token,
            "telegram_api_base_url": tgf.base_url,
            "telegram_webhook_secret": "bench-secret",
        }
    if twf is not None:
        values |= {
            "twilio_account_sid": TEST_ACCOUNT_SID,
            "twilio_auth_token": TEST_AUTH_TOKEN,
            "twilio_whatsapp_from": BOT_WHATSAPP,
            "twilio_api_base_url": twf.base_url,
        }
    return dataclasses.replace(Settings(), **values)


async def queue(system: Any, channel: str, rows: list[tuple[str, str]]) -> None:
    now = system.services.clock.now()

    async def add(tx: Any) -> None:
        await tx.outbox.add_many(
            [NewMessage(None, channel, address, "id", Reply(text)) for address, text in rows], now
        )

    await system.engine.run(add)
    system.engine.notify({channel})


def peak(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


# --- the fake Bot API in a process of its own ---------------------------------------------------
def _fake_process(port_out: Any, stop: Any) -> None:
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    fake = FakeTelegram()

    async def control(request: Request) -> JSONResponse:
        action = request.path_params["action"]
        if action == "reset":
            fake.reset()
        elif action == "flood":
            fake.flood_control(**json.loads(await request.body()))
        elif action == "count":
            return JSONResponse(len(fake.sent()))
        calls = [
            [c.method, c.params.get("chat_id"), c.at, c.status]
            for c in fake.calls
            if c.method == "sendMessage"
        ]
        return JSONResponse(calls)

    fake.app.add_route("/_fake/{action}", control, methods=["POST"])
    with fake.serve():
        port_out.send(fake.url)
        stop.wait()


class RemoteTelegram:
    """The parts of FakeTelegram the scenarios use, for a fake in another process (its
    time.monotonic() is the same clock as ours on Linux)."""

    token = FakeTelegram().token

    def __init__(self) -> None:
        import httpx

        here, there = multiprocessing.Pipe()
        self._stop = multiprocessing.Event()
        self._process = multiprocessing.Process(
            target=_fake_process, args=(there, self._stop), daemon=True
        )
        self._process.start()
        self.url = here.recv()
        self._http = httpx.Client(base_url=self.url, trust_env=False)
        self._local = FakeTelegram()
        self._local.url = self.url

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def close(self) -> None:
        self._stop.set()
        self._process.join(5)

    def bot(self) -> Any:
        return self._local.bot()

    def _post(self, action: str, body: Any = None) -> Any:
        return self._http.post(f"/_fake/{action}", json=body).json()

    def reset(self) -> None:
        self._post("reset")

    def flood_control(self, **kwargs: Any) -> None:
        self._post("flood", kwargs)

    @property
    def calls(self) -> list[Call]:
        return [
            Call(m, {"chat_id": chat}, at, status) for m, chat, at, status in self._post("calls")
        ]

    def calls_to(self, method: str, *, ok: bool | None = None, chat_id: Any = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and (ok is None or c.ok == ok)
            and (chat_id is None or str(c.chat_id) == str(chat_id))
        ]

    def sent(self) -> list[Call]:
        return self.calls_to("sendMessage", ok=True)

    def count(self) -> int:
        return int(self._post("count"))

    def peak_rate(self, window: float = 1.0) -> int:
        return peak([c.at for c in self.sent()], window)


def sent_count(tgf: Any) -> int:
    return tgf.count() if isinstance(tgf, RemoteTelegram) else len(tgf.sent())


# --- scenarios ---------------------------------------------------------------------------------
async def busy(tmp: Path, tgf: FakeTelegram) -> dict[str, float]:
    settings = settings_for(tmp / "busy.db", tgf, None)
    async with (
        tgf.bot() as bot,
        open_system(
            settings, channels=["telegram"], dispatch=False, options={"telegram": {"bot": bot}}
        ) as system,
    ):
        sender = system.channels["telegram"].sender
        dispatcher = Dispatcher(system.engine, sender, tg.limits(settings))
        await queue(system, "telegram", [(str(BUSY_CHAT), f"busy {i}") for i in range(600)])
        await queue(
            system,
            "telegram",
            [(str(c), f"other {c} {k}") for k in range(2) for c in OTHER_CHATS],
        )
        start = time.monotonic()
        await dispatcher.start()
        await asyncio.sleep(1.0)
        asked = time.monotonic()
        await system.engine.handle(
            Inbound("telegram", str(NEW_USER), "bench-new-user", text="/start")
        )
        others = {str(c) for c in OTHER_CHATS}

        def other_calls() -> list[Any]:
            return [c for c in tgf.calls_to("sendMessage", ok=True) if str(c.chat_id) in others]

        await wait_until(lambda: sent_count(tgf) >= 600 and len(other_calls()) >= 600, BUSY_WINDOW)
        end = time.monotonic()
        await dispatcher.stop()
    calls = other_calls()
    first_reply = [c.at for c in tgf.calls_to("sendMessage", ok=True, chat_id=NEW_USER)]
    served = {str(c.chat_id) for c in calls}
    last = max((c.at for c in calls), default=end)
    span = (last if len(calls) >= 600 else end) - start
    return {
        "others_rate": len(calls) / span if span > 0 else 0.0,
        "others_reached": float(len(served)),
        "busy_rate": len(tgf.calls_to("sendMessage", ok=True, chat_id=BUSY_CHAT)) / (end - start),
        "first_reply_s": (first_reply[0] - asked) if first_reply else float("inf"),
        "peak_1s": float(tgf.peak_rate(1.0)),
    }


async def split(tmp: Path, tgf: FakeTelegram, twf: FakeTwilio) -> dict[str, float]:
    settings = settings_for(tmp / "split.db", tgf, twf)
    tg_text = "\n\n".join(f"Bagian {i}. " + "x" * 4000 for i in range(3))
    wa_text = "\n\n".join(f"Bagian {i}. " + "x" * 1500 for i in range(3))
    async with (
        tgf.bot() as bot,
        open_system(
            settings,
            channels=["telegram", "whatsapp"],
            dispatch=False,
            options={"telegram": {"bot": bot}},
        ) as system,
    ):
        t = Dispatcher(system.engine, system.channels["telegram"].sender, tg.limits(settings))
        w = Dispatcher(system.engine, system.channels["whatsapp"].sender, wa.limits(settings))
        await queue(system, "telegram", [(str(3000 + i), tg_text) for i in range(60)])
        await queue(system, "whatsapp", [(f"+62812{i:07d}", wa_text) for i in range(40)])
        start = time.monotonic()
        await t.start()
        await w.start()
        await wait_until(lambda: len(tgf.sent()) >= 180 and len(twf.messages) >= 120, 60.0)
        elapsed = time.monotonic() - start
        await t.stop()
        await w.stop()
    return {
        "telegram_peak_1s": float(tgf.peak_rate(1.0)),
        "twilio_peak_1s": float(peak([m["time"] for m in twf.messages])),
        "telegram_parts": float(len(tgf.sent())),
        "twilio_parts": float(len(twf.messages)),
        "elapsed_s": elapsed,
    }


async def strict(tmp: Path, tgf: FakeTelegram) -> dict[str, float]:
    settings = settings_for(tmp / "strict.db", tgf, None)
    tgf.flood_control(per_chat=1, overall=30, window=1.0, retry_after=1)
    limits = dataclasses.replace(
        tg.limits(settings),
        overall_per_second=30.0,
        overall_burst=1.0,
        per_chat_per_second=1.0,
        per_chat_burst=1.0,
    )
    async with (
        tgf.bot() as bot,
        open_system(
            settings, channels=["telegram"], dispatch=False, options={"telegram": {"bot": bot}}
        ) as system,
    ):
        dispatcher = Dispatcher(system.engine, system.channels["telegram"].sender, limits)
        await queue(
            system, "telegram", [(str(4000 + c), f"m {k}") for k in range(6) for c in range(100)]
        )
        start = time.monotonic()
        await dispatcher.start()
        await wait_until(lambda: sent_count(tgf) >= 600, 120.0)
        elapsed = time.monotonic() - start
        await dispatcher.stop()
    rejected = [c for c in tgf.calls_to("sendMessage", ok=False) if c.status == 429]
    return {
        "sent": float(len(tgf.sent())),
        "429s": float(len(rejected)),
        "elapsed_s": elapsed,
        "vs_N_over_limit": elapsed / 20.0,
    }


def summary(results: list[dict[str, float]]) -> str:
    out = []
    for key in results[0]:
        values = [r[key] for r in results]
        med = statistics.median(values)
        out.append(
            f"    {key:18s} median {med:8.2f}   runs " + ", ".join(f"{v:.2f}" for v in values)
        )
    return "\n".join(out)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="busy,split,strict")
    parser.add_argument("--fake-in-process", action="store_true")
    args = parser.parse_args()
    wanted = args.only.split(",")
    twf = FakeTwilio()
    results: dict[str, list[dict[str, float]]] = {name: [] for name in wanted}
    with contextlib.ExitStack() as stack:
        if args.fake_in_process:
            tgf: Any = stack.enter_context(FakeTelegram().serve())
        else:
            tgf = RemoteTelegram()
            stack.callback(tgf.close)
        stack.enter_context(twf)
        for run in range(args.runs):
            for name in wanted:
                tgf.reset()
                twf.reset()
                with tempfile.TemporaryDirectory() as tmp:
                    if name == "busy":
                        r = await busy(Path(tmp), tgf)
                    elif name == "split":
                        r = await split(Path(tmp), tgf, twf)
                    else:
                        r = await strict(Path(tmp), tgf)
                results[name].append(r)
                print(f"run {run + 1} {name}: " + ", ".join(f"{k}={v:.2f}" for k, v in r.items()))
    print(f"\n{args.runs} runs, medians (tree at {ROOT}):")
    for name, rs in results.items():
        print(f"  {name}")
        print(summary(rs))


if __name__ == "__main__":
    asyncio.run(main())
