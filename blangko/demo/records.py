"""What happened in a simulated history, as plain records: the offices simulated,
procurement lots, request letters and their answers, shipments, stock counts and the
daily figures of every kab/kota."""

from dataclasses import dataclass, field

import numpy as np

from blangko.demo.demand import DemoCalendar
from blangko.models import OfficeKind, RequestStatus, ShipmentStatus


@dataclass(frozen=True)
class Place:
    """What the simulation needs to know of an office."""

    code: str
    name: str
    kind: OfficeKind
    province_code: str | None
    population: int


@dataclass
class Procurement:
    day: int
    quantity: int
    reference: str
    note: str


@dataclass
class Letter:
    """An allocation request (surat permintaan) and the planner's answer."""

    id: int
    office: str
    day: int
    quantity: int
    reference: str
    note: str
    decision_day: int
    status: RequestStatus = RequestStatus.pending
    approved: int | None = None
    reason: str = ""
    decided_day: int | None = None


@dataclass
class Consignment:
    """A shipment: allocation from the centre, provincial redistribution or a loan."""

    id: int
    sender: str
    receiver: str
    quantity: int
    reference: str
    note: str
    dispatch_day: int
    expected_day: int
    arrival_day: int
    request_id: int | None = None
    status: ShipmentStatus = ShipmentStatus.in_transit
    close_day: int | None = None
    received: int | None = None
    shortfall_reason: str = ""
    cancel_reason: str = ""


@dataclass
class Count:
    """A stock count (stock opname); ``book`` is the stock before it."""

    office: str
    day: int
    book: int
    counted: int
    note: str
    opening: bool = False


@dataclass
class History:
    """Everything that happened, by day index from ``calendar.start``."""

    calendar: DemoCalendar
    places: list[Place]
    kab_codes: list[str]
    share: float  # the simulated kab/kota's share of the national population
    requests: np.ndarray  # (kab/kota, day) print requests
    printed: np.ndarray
    spoiled: np.ndarray  # (kab/kota, day, cause) in SPOIL_CAUSES order
    backlog: np.ndarray
    suket: np.ndarray
    ikd: np.ndarray
    reported: np.ndarray  # (kab/kota, day): a daily report exists (office open)
    national_stock: np.ndarray  # end-of-day stock of office 00
    procurements: list[Procurement] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    consignments: list[Consignment] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
