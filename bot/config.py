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
    # Report routing
    alert_deadline_hours: float = 2.0
    max_route_attempts: int = 3
    max_route_km: float = 150.0
    # WhatsApp approved templates (Content SIDs) per purpose and language, for messages outside
    # the 24-hour window: {"alert": {"id": "HX…", "en": "HX…"}, "status": {...}}
    whatsapp_templates: dict[str, dict[str, str]] = field(default_factory=dict)
    whatsapp_rate_per_second: float = 10.0
    # Channel modules (bot/channels/<name>.py) the system knows; each runs when configured.
    channels: tuple[str, ...] = ("telegram", "whatsapp")

    @property
    def database(self) -> str:
        """What the store opens: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or str(self.database_path)

    @classmethod
    def from_env(cls, env_file: str | None = ".env") -> Settings:
        if env_file and Path(env_file).is_file():
            from dotenv import load_dotenv

            load_dotenv(env_file, override=False)
        templates: dict[str, dict[str, str]] = {}
        for purpose in ("alert", "status", "reply"):
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
            alert_deadline_hours=_float("ALERT_DEADLINE_HOURS", 2.0),
            max_route_attempts=_int("MAX_ROUTE_ATTEMPTS", 3),
            max_route_km=_float("MAX_ROUTE_KM", 150.0),
            whatsapp_templates=templates,
            whatsapp_rate_per_second=_float("WHATSAPP_RATE_PER_SECOND", 10.0),
            channels=tuple(
                name.strip()
                for name in (os.environ.get("CHANNELS", "") or "telegram,whatsapp").split(",")
                if name.strip()
            ),
        )
