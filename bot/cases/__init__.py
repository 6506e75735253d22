"""Cases: the life of a report, split by job.

- `transitions` — Casework: open, offer, accept, decline, status, notes, deadlines,
  escalation, withdrawal (every state change, on a Tx).
- `wording` — what a case says to people (status names, alerts, summaries).
- `recruiters` — the same recruiter across reports.
- `nearest` — the nearest volunteers who can take a case now.
- `relay` — the relayed conversation between a case's two sides.
- `coordination` — what coordinators do (chat and web console).
- `reporter` — what the reporter hears when their case moves (a CaseStatusChanged listener).
- `delivery` — what an undeliverable message means for its case (a DeliveryFailed listener).

SQL lives in storage/ (Tx.cases, Tx.volunteers).
"""

from __future__ import annotations

from bot.cases import relay
from bot.cases.delivery import on_delivery_failed
from bot.cases.nearest import nearest_available, volunteer_index
from bot.cases.recruiters import linked_reports, normalize_phone
from bot.cases.reporter import tell_the_reporter
from bot.cases.transitions import VOLUNTEER_STATUSES, Casework
from bot.cases.wording import (
    ESCALATION_REASONS,
    ROLE_LABELS,
    STATUS_LABELS,
    alert_choices,
    status_label,
)

__all__ = [
    "ESCALATION_REASONS",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "VOLUNTEER_STATUSES",
    "Casework",
    "alert_choices",
    "linked_reports",
    "nearest_available",
    "normalize_phone",
    "on_delivery_failed",
    "relay",
    "status_label",
    "tell_the_reporter",
    "volunteer_index",
]
