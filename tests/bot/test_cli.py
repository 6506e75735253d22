"""The `migrasi-aman` command as operators use it: real processes, the contracts in DESIGN."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str = "", db: Path | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "bot", *args]
    if db is not None:
        argv += ["--db", str(db)]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_chat_works_piped_and_starts_with_sample_volunteers(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = run("chat", stdin="halo\n1\n1\n4\n1\n/quit\nnever read\n", db=db)
    assert result.returncode == 0, result.stderr
    assert "Pilih bahasa / Choose your language" in result.stdout
    assert "Di mana orang yang dalam bahaya" in result.stdout  # 4: emergency asks where
    assert "110" in result.stdout and "0800-1000" in result.stdout  # 1: in Indonesia
    listed = run("volunteers", "list", db=db)
    assert "Relawan Contoh" in listed.stdout


def test_chat_two_people_in_one_terminal(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "halo",
            "1",
            "1",
            "3",
            "2",
            "Sponsor minta DP 5 juta untuk kerja di Taiwan pakai visa turis",
            "1",
            "1",
            "Indramayu",
            "1",
            "2",
            "2",
            "1",
            "/as relawan-indramayu",
            "1",
            "/as me",
            "",
        ]
    )
    result = run("chat", stdin=script, db=tmp_path / "two.db")
    assert result.returncode == 0, result.stderr
    assert "--- relawan-indramayu ---" in result.stdout
    after_switch = result.stdout.split("--- me ---")[1]
    # the reporter's inbox had the acceptance waiting, naming the deployment's own network
    assert "relawan Migrasi Aman" in after_switch and "Kawan PMI" not in after_switch


def test_places_json_contract() -> None:
    result = run("places", "kab indramyu", "--json")
    rows = json.loads(result.stdout)
    assert rows[0]["name"] == "Kabupaten Indramayu"
    assert set(rows[0]) == {"code", "name", "province", "lat", "lon", "score"}


def test_volunteers_import_reports_bad_rows_and_route_json(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    csv = tmp_path / "v.csv"
    csv.write_text(
        "name,channel,address,place\nA,console,a,Kabupaten Indramayu\nB,fax,b,Indramayu\nC,console,c,Kota Surabaya\n",
        encoding="utf-8",
    )
    imported = run("volunteers", "import", str(csv), db=db)
    assert imported.returncode == 0
    assert "imported 2 volunteer(s)" in imported.stdout
    assert f"{csv}:3: channel" in imported.stderr
    routed = run("route", "--place", "Kabupaten Cirebon", "--json", "--max-km", "1000", db=db)
    rows = json.loads(routed.stdout)
    assert [r["name"] for r in rows] == ["A", "C"]
    assert set(rows[0]) == {"volunteer_id", "name", "place", "distance_km"}
    assert rows[0]["distance_km"] < rows[1]["distance_km"]
    by_point = json.loads(
        run("route", "--lat", "-7.26", "--lon", "112.75", "--json", "--max-km", "50", db=db).stdout
    )
    assert [r["name"] for r in by_point] == ["C"]


def test_check_json_and_jsonl_contract() -> None:
    offer = (
        "Kerja di Malaysia, berangkat pakai visa turis, bayar DP 5 juta dulu ke rekening pribadi"
    )
    one = json.loads(run("check", "--json", offer).stdout)
    # "second_opinion" (str | null, issue #13) and "lawful" ([str], issue #15) were added;
    # the rest is the first contract
    assert set(one) == {"risk", "score", "lang", "flags", "questions", "second_opinion", "lawful"}
    assert one["risk"] == "high" and 0 <= one["score"] <= 1
    assert {f["code"] for f in one["flags"]} >= {"visa_nonwork", "upfront_fee"}
    assert set(one["flags"][0]) == {"code", "evidence", "explanation", "advice"}
    english = json.loads(run("check", "--json", "--lang", "en", "-", stdin=offer).stdout)
    assert (
        english["lang"] == "en"
        and english["flags"][0]["explanation"] != one["flags"][0]["explanation"]
    )

    lines = "\n".join(
        [
            json.dumps({"id": "a", "text": offer}),
            json.dumps({"text": "Lowongan resmi G to G Korea lewat SISKOP2MI"}),
            "not json",
        ]
    )
    out = [json.loads(x) for x in run("check", "--jsonl", stdin=lines).stdout.splitlines()]
    assert out[0]["id"] == "a" and out[0]["risk"] == "high"
    assert "id" not in out[1] and out[1]["risk"] == "low"
    assert out[2]["line"] == 3 and "error" in out[2]


def test_content_check_passes_on_the_shipped_content() -> None:
    result = run("content", "check")
    assert result.returncode == 0, result.stdout
    assert "content ok" in result.stdout


def test_coordinators_add_list_remove_and_they_get_escalations(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    added = run(
        "coordinators",
        "add",
        "console",
        "koord",
        "Ibu Ani",
        "--provinces",
        "Papua Selatan;MY",
        db=db,
    )
    assert added.returncode == 0, added.stderr
    listed = run("coordinators", "list", "--json", db=db)
    (entry,) = json.loads(listed.stdout)
    assert entry["name"] == "Ibu Ani" and "MY" in entry["provinces"]
    assert len(entry["provinces"]) == 2 and entry["provinces"][0].isdigit()
    assert (
        run("coordinators", "add", "console", "x", "X", "--provinces", "Atlantis", db=db).returncode
        == 2
    )
    assert run("coordinators", "remove", "console", "koord", db=db).returncode == 0
    assert json.loads(run("coordinators", "list", "--json", db=db).stdout) == []


def test_understand_json_and_jsonl_contract() -> None:
    keys = {"intent", "also", "topic", "country", "case", "place"}
    one = json.loads(run("understand", "--json", "paspor sy ditahan majikan di malaysia").stdout)
    assert set(one) == keys
    assert one["intent"] == "danger" and one["country"] == "MY" and one["also"] == []
    asked = json.loads(run("understand", "--json", "--lang", "id", "-", stdin="taiwan").stdout)
    assert asked["intent"] == "question" and asked["topic"] == "country-taiwan"

    lines = "\n".join(
        [
            json.dumps({"id": 7, "text": "status MA-7K3QH"}),
            json.dumps({"text": "tolong"}),
            "not json",
            json.dumps({"id": "x", "text": "lanjut"}),
        ]
    )
    out = [json.loads(x) for x in run("understand", "--jsonl", stdin=lines).stdout.splitlines()]
    assert [o.get("id") for o in out] == [7, None, None, "x"]
    assert out[0]["intent"] == "status" and out[0]["case"] == "MA-7K3QH"
    assert out[1]["intent"] == "command"  # "tolong" alone is not danger
    assert out[2]["line"] == 3 and "error" in out[2]
    assert out[3]["intent"] == "navigation" and set(out[3]) == keys | {"id"}


def test_serve_logs_no_request_line_unless_asked(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A line per webhook POST cost more of the event loop than checking its signature.
    import uvicorn

    from bot.cli import main

    configs: list[uvicorn.Config] = []

    async def served(self: uvicorn.Server, sockets: object = None) -> None:
        configs.append(self.config)

    monkeypatch.setattr(uvicorn.Server, "serve", served)
    db = str(tmp_path / "serve.db")
    assert main(["serve", "--db", db]) == 0
    assert main(["serve", "--db", db, "--access-log"]) == 0
    assert [c.access_log for c in configs] == [False, True]
