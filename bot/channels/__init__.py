"""The channels, one module each, behind one interface (bot/channels/base.py).

As RapidPro's Courier registers one handler per channel, each channel module registers its
`Channel` object here when imported. Which modules are loaded is configuration
(`Settings.channels`), so adding SMS means writing bot/channels/sms.py and naming it there.
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
    """The channels named (modules bot/channels/<name>.py), imported and registered."""
    found = {}
    for name in names:
        if name not in _REGISTRY:
            importlib.import_module(f"bot.channels.{name}")
        if name not in _REGISTRY:
            raise LookupError(f"bot/channels/{name}.py registers no channel {name!r}")
        found[name] = _REGISTRY[name]
    return found


__all__ = ["Channel", "load", "register"]
