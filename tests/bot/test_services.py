"""Services: the content loaded once, kept out of the garbage collector's walks."""

from __future__ import annotations

import gc

from bot.config import Settings
from bot.services import Services


def test_loaded_content_is_out_of_the_collectors_sight_after_warm() -> None:
    gc.unfreeze()  # as in a fresh process (an earlier test's warm may have frozen the heap)
    services = Services(settings=Settings())
    services.warm()
    # a full collection no longer walks the concept tables and the model (~60 ms each time)
    walked = {id(o) for o in gc.get_objects()}
    assert id(services.screener) not in walked
    assert id(services.understander) not in walked
    assert gc.get_freeze_count() > 50_000
    # and the young generation is not collected every 700 new objects
    assert gc.get_threshold()[0] >= 10_000
