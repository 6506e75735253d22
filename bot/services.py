"""What handlers may use besides the message: settings, the clock, data loaded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.config import Settings

if TYPE_CHECKING:
    from bot.conversation import Router
    from bot.directory import Directory


@dataclass
class Services:
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=SystemClock)
    router: Router = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.router is None:
            from handlers import build_router

            self.router = build_router()

    @cached_property
    def directory(self) -> Directory:
        from bot.directory import Directory

        return Directory.load()
