"""What handlers may use besides the message: settings, the clock, the router, what each
channel can do, and data loaded once. Built by the composition root (bot/system.py)."""

from __future__ import annotations

import gc
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
        _settle_loaded()


def _settle_loaded() -> None:
    """Put what was just loaded out of the garbage collector's sight, once per process.

    The loaded content (concept tables, the model, the search index, the catalogs) is about
    90,000 objects that live as long as the process. Every full collection walked them all:
    about 60 ms, once every few thousand messages, which was a tenth of the engine's CPU per
    message. Frozen objects are still freed by reference counting; a collection first, so no
    garbage is kept. Later Services in the same process share the same loaded content.

    The youngest generation is also collected less often: a batch of 200 messages makes
    tens of thousands of short-lived objects that reference counting frees anyway, and at
    the default threshold (700) every batch paid for several collections that found nothing."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
        _young, *older = gc.get_threshold()
        gc.set_threshold(20_000, *older)
