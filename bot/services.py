"""What handlers may use besides the message: settings, the clock, the router, what each
channel can do, and data loaded once. Built by the composition root (bot/system.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.capabilities import NONE, Capabilities
from bot.clock import Clock, SystemClock
from bot.config import Settings

if TYPE_CHECKING:
    from bot.conversation import Router
    from bot.directory import Directory
    from bot.guidance import Library
    from bot.places import Gazetteer
    from bot.screening import Screener
    from bot.search import ArticleSearch
    from bot.understanding import Understander


@dataclass
class Services:
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=SystemClock)
    router: Router = field(default=None)  # type: ignore[assignment]  # set by bot/system.py
    capabilities: dict[str, Capabilities] = field(default_factory=dict)
    # Derived data kept between messages, rebuilt when its source changes (the routing index).
    cache: dict[str, Any] = field(default_factory=dict)

    def channel(self, name: str) -> Capabilities:
        """What the channel `name` can do (nothing special when it is not known)."""
        return self.capabilities.get(name, NONE)

    @cached_property
    def directory(self) -> Directory:
        from bot.directory import Directory

        return Directory.load()

    @cached_property
    def library(self) -> Library:
        from bot.guidance import default_library

        return default_library()

    @cached_property
    def search(self) -> ArticleSearch:
        from bot.search import default_search

        return default_search()

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from bot.places import default_gazetteer

        return default_gazetteer()

    @cached_property
    def screener(self) -> Screener:
        from bot.screening import default_screener

        return default_screener()

    @cached_property
    def understander(self) -> Understander:
        from bot.understanding import Understander

        return Understander(search=self.search, gazetteer=self.gazetteer)

    def warm(self) -> None:
        """Load the data every conversation may need (articles, search index, indicators,
        places, both catalogs and their dates and money formats), so the first person to ask
        does not wait ~1 s inside the writer for it."""
        from bot.i18n import format_rupiah, format_timestamp, translations
        from bot.paths import LOCALES

        for name in ("directory", "library", "search", "screener", "gazetteer", "understander"):
            getattr(self, name)
        for locale in LOCALES:
            translations(locale)
            format_timestamp(0.0, locale)
            format_rupiah(1, locale)
