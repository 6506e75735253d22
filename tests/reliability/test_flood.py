"""The per-person flood limit: one person sending hundreds of messages is slowed and told so
in their language; somebody else writing meanwhile is answered as usual."""

from __future__ import annotations

from pathlib import Path

from bot.flood import NOTICE, FloodGate, FloodLimit, Verdict
from bot.i18n import _, use_locale
from storage import Tx
from tests.channels.whatsapp_helpers import BUDI, SITI, digits, whatsapp_harness
from tests.fakes.twilio import FakeTwilio, inbound_text


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_burst_then_the_rate_and_tells_once_per_episode() -> None:
    clock = Ticks()
    gate = FloodGate(FloodLimit(burst=5, per_minute=60, notice_every=60), clock=clock)
    verdicts = [gate.admit("whatsapp", "1") for _n in range(8)]
    assert verdicts[:5] == [Verdict.ADMIT] * 5
    assert verdicts[5:] == [Verdict.SKIP_AND_TELL, Verdict.SKIP, Verdict.SKIP]
    assert gate.admit("whatsapp", "2") is Verdict.ADMIT  # somebody else: untouched
    clock.now += 1.0  # one per second refills one
    assert gate.admit("whatsapp", "1") is Verdict.ADMIT
    assert gate.admit("whatsapp", "1") is Verdict.SKIP  # told a moment ago: not again
    clock.now += 61.0
    assert [gate.admit("whatsapp", "1") for _n in range(5)] == [Verdict.ADMIT] * 5
    assert gate.admit("whatsapp", "1") is Verdict.SKIP_AND_TELL  # a new episode


def test_the_console_is_exempt_and_zero_turns_it_off() -> None:
    gate = FloodGate(FloodLimit(burst=1, per_minute=1))
    assert all(gate.admit("console", "op") is Verdict.ADMIT for _n in range(100))
    off = FloodGate(FloodLimit(burst=0, per_minute=0))
    assert all(off.admit("telegram", "1") is Verdict.ADMIT for _n in range(100))


def test_idle_people_are_forgotten() -> None:
    clock = Ticks()
    gate = FloodGate(FloodLimit(burst=2, per_minute=60), clock=clock)
    for i in range(1000):
        gate.admit("telegram", str(i))
    clock.now += 3600
    for _n in range(1100):
        gate.admit("telegram", "active")
    assert len(gate) < 10


async def test_a_flooding_person_is_slowed_and_told_and_others_are_not(
    db_path: Path, fake_twilio: FakeTwilio
) -> None:
    async with whatsapp_harness(db_path, fake_twilio, flood_burst=20, flood_per_minute=6) as wa:
        siti, budi = wa.user(SITI), wa.user(BUDI)
        await siti.say("halo")  # a contact with a language
        await wa.deliver()
        fake_twilio.reset()
        for i in range(200):
            response = await wa.post(inbound_text(SITI, f"spam {i}"))
            assert response.status_code == 200  # acknowledged: the platform does not resend
        [greeting] = await budi.say("halo")  # somebody else, during the flood
        assert greeting

        async def handled(tx: Tx) -> int:
            rows = await tx.sql.fetch(
                "SELECT COUNT(*) AS n FROM inbound WHERE channel = 'whatsapp'", []
            )
            return rows[0]["n"]

        count = await wa.system.engine.run(handled)
        # "halo" + at most the burst (+1 refill) from Siti, and Budi's message
        assert 1 + 19 <= count - 1 <= 1 + 21, count
        await wa.deliver()
        with use_locale("id"):
            notice = _(NOTICE)
        to_siti = fake_twilio.bodies(to="whatsapp:" + SITI)
        assert to_siti.count(notice) == 1
        assert notice not in fake_twilio.bodies(to="whatsapp:" + BUDI)
        assert digits(SITI) != digits(BUDI)
