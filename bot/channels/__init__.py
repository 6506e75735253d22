"""The channels, one module each, behind one interface (bot/channels/base.py).

As RapidPro's Courier registers one handler per channel, each channel module registers its
`Channel` object here when imported (and exposes it as `channel`). Which modules are loaded
is configuration (`Settings.channels`, env CHANNELS), so adding SMS means writing
bot/channels/sms.py and naming it there; nothing else changes (tests/channels/test_registry.py
runs a channel that lives in the tests).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from bot.channels.base import Channel

_REGISTRY: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    if channel.name in _REGISTRY and _REGISTRY[channel.name] is not channel:
        raise ValueError(f"channel {channel.name!r} registered twice")
    _REGISTRY[channel.name] = channel
    return channel


def load(names: Iterable[str]) -> dict[str, Channel]:
    """The channels named, imported and registered. A plain name is the module
    bot/channels/<name>.py; a dotted one is imported as written (a channel kept elsewhere).
    Each module exposes its Channel as `channel`."""
    found = {}
    for name in names:
        if name in _REGISTRY:
            found[name] = _REGISTRY[name]
            continue
        module = importlib.import_module(name if "." in name else f"bot.channels.{name}")
        channel = getattr(module, "channel", None)
        if channel is None:
            raise LookupError(f"{module.__name__} has no `channel` to register")
        register(channel)
        found[channel.name] = channel
    return found


__all__ = ["Channel", "load", "register"]
