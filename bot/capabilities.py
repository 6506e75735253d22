"""What a channel can do, as the conversations and cases may ask it (never the channel itself)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    # The address is the person's phone number, so a volunteer can call it ("+{address}").
    address_is_phone: bool = False
    # How the address is shown after the number, e.g. "WhatsApp"; empty when not a number.
    label: str = ""
    # Free text is refused some time after the person's last message (WhatsApp's 24 hours);
    # then only an approved template goes through.
    template_outside_window: bool = False


NONE = Capabilities()
