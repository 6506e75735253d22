"""The console in a real browser: Debian's Chromium driven by Playwright, against the app
served by uvicorn on loopback, with the Telegram channel pointed at the local fake.

A coordinator signs in, filters, opens the Papua case nobody could take, gives it to a
volunteer (whose Telegram alert arrives at the fake Bot API), exports, switches language and
signs out. Every page is saved as a screenshot in the test's temporary folder (the path is
printed); a phone-sized pass checks the pages fit a 360 px screen.

Skipped where /usr/bin/chromium or playwright is missing (`.ci/run` installs both).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.web import create_app
from tests.console.helpers import PASSWORD
from tests.fakes.clock import ManualClock
from tests.fakes.telegram import FakeTelegram

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VOLUNTEER_CHAT = 424242

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium"),
]


class Served:
    """The whole app (lifespan on: engine, dispatchers, console) on a loopback port."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("server failed to start")
            threading.Event().wait(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def add_telegram_volunteer(db: Path) -> None:
    from tests.helpers import add_volunteers, running

    async def add() -> None:
        async with running(db, clock=ManualClock()) as system:
            await add_volunteers(
                system,
                "name,channel,address,place,languages,capacity\n"
                f"Relawan Jayapura,telegram,{VOLUNTEER_CHAT},Kota Jayapura,id,2\n",
            )

    asyncio.run(add())


def test_a_coordinator_works_a_case_in_the_browser(
    db_path: Path, seeded, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    add_telegram_volunteer(db_path)
    # CONSOLE_SCREENSHOTS=DIR keeps them somewhere pytest does not clean up
    shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {shots}")
    settings = replace(
        Settings(),
        database_path=db_path,
        telegram_bot_token=fake_telegram.token,
        telegram_api_base_url=fake_telegram.base_url,
        telegram_webhook_secret="test-secret_0123",
    )
    app = create_app(settings, clock=ManualClock(), dispatch=True)
    with Served(app) as served, playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.set_default_timeout(15_000)

            def shot(name: str, full: bool = True) -> None:
                page.screenshot(path=str(shots / f"{name}.png"), full_page=full)

            # every page sends a stranger to the login, in Indonesian by default
            page.goto(served.url + "/admin/cases")
            assert "/admin/login" in page.url
            assert page.locator("html").get_attribute("lang") == "id"
            shot("01-login")
            page.fill("input[name=username]", "ani")
            page.fill("input[name=password]", "wrong password")
            page.click("button[type=submit]")
            assert page.locator(".error").inner_text() == "Nama pengguna atau kata sandi salah."
            page.fill("input[name=username]", "ani")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/admin/cases")  # back where they were going
            page.goto(served.url + "/admin/")
            assert page.locator("h1").inner_text() == "Ringkasan"
            assert seeded.papua in page.inner_text("main")
            shot("02-dashboard")

            # filter: waiting for a coordinator
            page.click("nav >> text=Kasus")
            page.select_option("select[name=status]", "escalated")
            page.click("form.filters button[type=submit]")
            page.wait_for_url("**status=escalated**")
            links = page.locator("table.cases tbody a").all_inner_texts()
            assert links == [seeded.papua]
            shot("03-cases-filtered")

            page.click(f"text={seeded.papua}")
            page.wait_for_url(f"**/admin/cases/{seeded.papua}")
            first = page.locator("ul.choices li").first.inner_text()
            assert "Relawan Jayapura" in first and "km" in first  # nearest first
            shot("04-case")

            page.check("ul.choices li >> nth=0 >> input[type=radio]")
            page.click("text=Kirim peringatan ke relawan ini")
            page.wait_for_url("**done=assigned")
            assert "Peringatan sudah dikirim ke relawan." in page.inner_text(".flash")
            assert "memberikan kasus ini ke Relawan Jayapura" in page.inner_text("ol.timeline")
            shot("05-case-assigned")
            # the volunteer's Telegram gets the alert, through the outbox and the dispatcher
            [alert] = fake_telegram.wait_sent_sync(1, chat_id=VOLUNTEER_CHAT, timeout=10)
            assert seeded.papua in alert["text"]

            page.click("nav >> text=Relawan")
            assert "Relawan Jayapura" in page.inner_text("table.cases")
            shot("06-volunteers")
            page.click("nav >> text=Peta")
            assert page.locator("svg .land path").count() >= 10
            assert page.locator("svg circle.reports").count() == 2
            shot("07-map")

            # export without personal data
            page.click("nav >> text=Kasus")
            with page.expect_download() as info:
                page.click("text=Ekspor CSV (tanpa data pribadi)")
            exported = Path(info.value.path()).read_text(encoding="utf-8")
            rows = list(csv.DictReader(io.StringIO(exported)))
            assert {r["number"] for r in rows} == {seeded.java, seeded.papua}
            assert "reporter_reach" not in exported and "Bu Sri" not in exported

            # the language switch, and it sticks
            page.click("text=English")
            assert page.locator("h1").inner_text() == "Cases"
            page.click("nav >> text=Dashboard")
            assert page.locator("h1").inner_text() == "Dashboard"
            shot("08-dashboard-en")

            # a phone: nothing wider than the screen
            phone = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True)
            phone.add_cookies(page.context.cookies())
            mobile = phone.new_page()
            for name, path in (
                ("09-phone-cases", "/admin/cases"),
                ("10-phone-case", f"/admin/cases/{seeded.papua}"),
                ("11-phone-dashboard", "/admin/"),
                ("12-phone-map", "/admin/map"),
            ):
                mobile.goto(served.url + path)
                width = mobile.evaluate("document.documentElement.scrollWidth")
                assert width <= 360, (path, width)
                mobile.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            phone.close()

            page.click("text=Sign out")
            page.wait_for_url("**/admin/login**")
            page.goto(served.url + "/admin/")
            assert "/admin/login" in page.url
            shot("13-signed-out", full=False)
        finally:
            browser.close()


def test_a_coordinator_changes_their_own_password_in_the_browser(
    db_path: Path, seeded, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    new = "pass phrase baru yang panjang"
    app = create_app(
        replace(Settings(), database_path=db_path), clock=ManualClock(), dispatch=False
    )
    with Served(app) as served, playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)

            def sign_in(password: str) -> None:
                page.goto(served.url + "/admin/login")
                page.fill("input[name=username]", "jabar")
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")

            sign_in(PASSWORD)
            page.wait_for_url("**/admin/")
            page.click("header .me a")  # their own name leads to the account page
            page.wait_for_url("**/admin/account")
            main = page.inner_text("main")
            assert "Koordinator Jabar" in main and "Jawa Barat" in main
            assert "127.0.0.1" in page.inner_text("table.logins")
            page.fill("input[name=current]", PASSWORD)
            page.fill("input[name=new]", new)
            page.fill("input[name=again]", new)
            page.click("text=Ganti kata sandi >> nth=-1")
            page.wait_for_url("**done=password")
            assert "Kata sandi Anda sudah diganti" in page.inner_text(".flash")
            page.screenshot(path=str(shots / "14-account.png"), full_page=True)

            page.click("text=Keluar")
            page.wait_for_url("**/admin/login**")
            sign_in(PASSWORD)
            assert page.locator(".error").inner_text() == "Nama pengguna atau kata sandi salah."
            sign_in(new)
            page.wait_for_url("**/admin/")
            assert page.locator("h1").inner_text() == "Ringkasan"
        finally:
            browser.close()
