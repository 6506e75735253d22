"""Configuration from environment variables (and a .env file), read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    database_path: Path = Path("migrasi-aman.db")
    # postgresql://… selects PostgreSQL (several workers on one database); empty: SQLite.
    database_url: str = ""
    database_pool_size: int = 5
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_whatsapp_from: str = ""
    twilio_api_base_url: str = "https://api.twilio.com"
    public_base_url: str = ""
    coordinator_address: str = ""  # "channel:address", e.g. "telegram:12345" or "whatsapp:+62…"
    # What the deployment calls its own volunteers. Empty: a neutral name in the person's
    # language ("relawan Migrasi Aman"). The bot never calls them the official Kawan PMI
    # programme of BP2MI/KP2MI (domain-facts §4.1, §7.8) unless a deployment that is part of it
    # says so here.
    network_name: str = ""
    # Report routing
    alert_deadline_hours: float = 2.0
    max_route_attempts: int = 3
    max_route_km: float = 150.0
    # Casework: the unassigned queue reminds coordinators this often; an accepted case nobody
    # touched for this long is "overdue"; relay limits per message and per person per hour.
    unassigned_reminder_hours: float = 4.0
    case_stale_days: float = 7.0
    relay_max_chars: int = 1000
    relay_per_hour: int = 20
    # Bodies of delivered messages are blanked after this many hours (the row stays).
    delivered_retention_hours: float = 72.0
    # WhatsApp approved templates (Content SIDs) per purpose and language, for messages outside
    # the 24-hour window: {"alert": {"id": "HX…", "en": "HX…"}, "status": {...}}
    whatsapp_templates: dict[str, dict[str, str]] = field(default_factory=dict)
    whatsapp_rate_per_second: float = 10.0
    # Signs the web console's cookies; unset, a random one per process (sessions end on restart).
    console_secret: str = ""
    # GET /metrics: with a token, only `Authorization: Bearer <token>`; without, loopback
    # clients only (and nothing that came through a proxy).
    metrics_token: str = ""
    # Per-person flood limit (bot/flood.py): messages at once, then messages per minute.
    # 0 turns it off.
    flood_burst: float = 30.0
    flood_per_minute: float = 30.0
    # Worker processes that check pasted offers and read long messages before the writer
    # (bot/prepare.py); 0: one thread in the bot's own process. From the environment, by
    # default one process where the machine has a second core.
    prepare_processes: int = 0
    # Channel modules (bot/channels/<name>.py) the system knows; each runs when configured.
    channels: tuple[str, ...] = ("telegram", "whatsapp")

    @property
    def database(self) -> str:
        """What the store opens: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or str(self.database_path)

    def network(self) -> str:
        """The volunteers' network as the bot names it, in the current language."""
        if self.network_name:
            return self.network_name
        from bot.i18n import _

        return _("Migrasi Aman volunteers")

    @classmethod
    def from_env(cls, env_file: str | None = ".env") -> Settings:
        if env_file and Path(env_file).is_file():
            from dotenv import load_dotenv

            load_dotenv(env_file, override=False)
        templates: dict[str, dict[str, str]] = {}
        for purpose in ("alert", "status", "reply", "relay"):
            for lang in ("id", "en"):
                sid = os.environ.get(
                    f"TWILIO_TEMPLATE_{purpose.upper()}_{lang.upper()}", ""
                ).strip()
                if sid:
                    templates.setdefault(purpose, {})[lang] = sid
        return cls(
            database_path=Path(os.environ.get("DATABASE_PATH", "") or "migrasi-aman.db"),
            database_url=os.environ.get("DATABASE_URL", "").strip(),
            database_pool_size=_int("DATABASE_POOL_SIZE", 5),
            telegram_bot_token=os.environ.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "")
            or "https://api.telegram.org/bot",
            twilio_account_sid=os.environ.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=os.environ.get("TWILIO_AUTH_TOKEN", ""),
            twilio_whatsapp_from=os.environ.get("TWILIO_WHATSAPP_FROM", ""),
            twilio_api_base_url=os.environ.get("TWILIO_API_BASE_URL", "")
            or "https://api.twilio.com",
            public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
            coordinator_address=os.environ.get("COORDINATOR_ADDRESS", ""),
            network_name=os.environ.get("NETWORK_NAME", "").strip(),
            alert_deadline_hours=_float("ALERT_DEADLINE_HOURS", 2.0),
            max_route_attempts=_int("MAX_ROUTE_ATTEMPTS", 3),
            max_route_km=_float("MAX_ROUTE_KM", 150.0),
            unassigned_reminder_hours=_float("UNASSIGNED_REMINDER_HOURS", 4.0),
            case_stale_days=_float("CASE_STALE_DAYS", 7.0),
            relay_max_chars=_int("RELAY_MAX_CHARS", 1000),
            relay_per_hour=_int("RELAY_PER_HOUR", 20),
            delivered_retention_hours=_float("DELIVERED_RETENTION_HOURS", 72.0),
            whatsapp_templates=templates,
            whatsapp_rate_per_second=_float("WHATSAPP_RATE_PER_SECOND", 10.0),
            console_secret=os.environ.get("CONSOLE_SECRET", ""),
            metrics_token=os.environ.get("METRICS_TOKEN", "").strip(),
            flood_burst=_float("FLOOD_BURST", 30.0),
            flood_per_minute=_float("FLOOD_PER_MINUTE", 30.0),
            prepare_processes=_int("PREPARE_PROCESSES", 1 if (os.cpu_count() or 1) > 1 else 0),
            channels=tuple(
                name.strip()
                for name in (os.environ.get("CHANNELS", "") or "telegram,whatsapp").split(",")
                if name.strip()
            ),
        )
