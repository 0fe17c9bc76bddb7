"""One page of a list (``limit``/``offset``) with the total over all pages, as every list
of the API answers it (``{items, total, next}``)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int

    @property
    def next(self) -> int | None:
        """The offset of the next page; None on the last one."""
        following = self.offset + len(self.items)
        return following if self.items and following < self.total else None


def page_of(session: Session, query: Any, *, offset: int, limit: int) -> Page[Any]:
    """The rows of ``query`` (a ``select`` of one entity, ordered) from ``offset`` on, and
    how many there are in all."""
    count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    total = session.execute(count).scalar_one()
    items = list(session.exec(query.offset(offset).limit(limit)).all())
    return Page(items=items, total=total, offset=offset)


def page_of_list(rows: Sequence[T], *, offset: int, limit: int) -> Page[T]:
    """A page of rows already in memory (short lists, such as the offices)."""
    return Page(items=list(rows[offset : offset + limit]), total=len(rows), offset=offset)
