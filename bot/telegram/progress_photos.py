"""The /progress picture for one learner: rendered in a worker thread and kept
in memory, one picture per learner, until the numbers it shows change.

An in-process LRU, not a file cache in NEXUS_DATA_DIR: a picture takes tens of
milliseconds to draw, so the cache only spares a learner who asks twice in a row;
a file cache would need sweeping, outlive the data it came from (and /forget),
and buy nothing a replica cannot redraw. The key is the learner, their local date
and the numbers drawn (`ProgressPicture`, with mastery in whole percent): any new
answer changes today's count in the calendar, so it never shows a stale picture.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import date

from bot.presentation import progress_image
from bot.presentation.progress_image import ProgressPicture
from bot.services.quiz_types import ProgressReport

log = logging.getLogger(__name__)

LEARNERS_KEPT = 128  # pictures are ~50-150 KB: at most ~20 MB


class ProgressPhotos:
    def __init__(self, size: int = LEARNERS_KEPT) -> None:
        self._size = size
        self._kept: OrderedDict[int, tuple[tuple[date, ProgressPicture], bytes]] = OrderedDict()

    async def png(self, user_id: int, report: ProgressReport) -> bytes | None:
        """The learner's picture, or None if it could not be drawn (the caller sends
        the text alone; the error is logged)."""
        key = (report.today, progress_image.picture_of(report))
        kept = self._kept.get(user_id)
        if kept is not None and kept[0] == key:
            self._kept.move_to_end(user_id)
            return kept[1]
        try:
            # CPU-bound for tens of milliseconds: off the event loop.
            png = await asyncio.to_thread(progress_image.render, key[1])
        except Exception:
            log.exception("progress picture failed for a learner; sending the text alone")
            return None
        self._kept[user_id] = (key, png)
        self._kept.move_to_end(user_id)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return png

    def forget(self, user_id: int) -> None:
        self._kept.pop(user_id, None)
