"""The repositories, written once in portable SQL over `storage.sql.Connection`.

Both stores (storage/sqlite/, storage/postgres/) build their Tx from these classes; what
differs between the databases is the connection wrapper, the migrations and a few statements
that ask `conn.dialect` (row locks, the outbox claim).
"""

from storage.repos.cases import SQLCases
from storage.repos.contacts import SQLContacts
from storage.repos.inbound import SQLInbound
from storage.repos.outbox import SQLOutbox, outbox_counts
from storage.repos.volunteers import SQLVolunteers

__all__ = [
    "SQLCases",
    "SQLContacts",
    "SQLInbound",
    "SQLOutbox",
    "SQLVolunteers",
    "outbox_counts",
]
