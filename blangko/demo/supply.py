"""The day-by-day world of the demo: procurement into national stock, request letters
and the planner's (rationed) answers, shipments with lead times and short deliveries,
provincial redistribution, lateral loans, printing within stock and printer capacity,
backlog and Suket, stock counts.

Pure simulation in memory: it returns what happened (a ``History``) and never touches
the database. Stock never goes below zero because every withdrawal is bounded by the
stock on hand at that moment of the day."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import numpy as np

from blangko.demo import calibration as cal
from blangko.demo.demand import (
    DemoCalendar,
    build_calendar,
    election_factor,
    ikd_share,
    office_demand,
    office_rng,
)
from blangko.demo.records import (
    Consignment,
    Count,
    History,
    Letter,
    Place,
    Procurement,
)
from blangko.fmt import number
from blangko.models import OfficeKind, RequestStatus, ShipmentStatus

NATIONAL = "00"
OPENING_NOTE = "Saldo awal: stock opname saat mulai mencatat di Blangko"
EMPTY_REFUSAL = (
    "Ditolak: stok blangko nasional kosong. Ajukan kembali setelah pengadaan berikutnya; "
    "sementara terbitkan Suket dan dorong aktivasi IKD."
)
PROVINCE_REFUSAL = (
    "Ditolak: stok nasional terbatas, blangko dikirim langsung ke kabupaten/kota yang "
    "paling membutuhkan."
)
Progress = Callable[[int, int], None]


def _region(province_code: str) -> str:
    code = int(province_code)
    if province_code in {"31", "32", "33", "34", "35", "36", "51"}:
        return "java_bali"
    if 11 <= code <= 21:
        return "sumatra"
    if province_code in {"52"} or 61 <= code <= 76:
        return "kalimantan_sulawesi_ntb"
    return "east"


def _round_up(value: float, step: int) -> int:
    return int(-(-max(value, 0.0) // step) * step)


def _round_down(value: float, step: int) -> int:
    return int(max(value, 0.0) // step * step)


def tranches(calendar: DemoCalendar, yearly_demand: float, share: float) -> list[Procurement]:
    """National procurement inside the simulated range, scaled to the simulated share."""
    scripted_years = {d.year for d, *_ in cal.TRANCHES}
    chosen: list[tuple[date, int, str, str]] = [
        (d, round(q * share), ref, f"Pengadaan {ref} ({source})")
        for d, q, ref, source in cal.TRANCHES
    ]
    last = calendar.day(calendar.n_days - 1)
    for year in range(calendar.start.year, last.year + 1):
        if year in scripted_years:
            continue
        for n, (month, day_, fraction) in enumerate(cal.GENERIC_TRANCHES, start=1):
            ref = f"APBN {year} tahap {n}"
            amount = round(yearly_demand * fraction)
            chosen.append((date(year, month, day_), amount, ref, f"Pengadaan {ref} (assumed)"))
    lot = max(1, round(cal.LOT_SIZE * share))
    result = []
    for when, quantity, reference, note in sorted(chosen):
        lots = -(-quantity // lot)
        for n in range(lots):
            amount = min(lot, quantity - n * lot)
            t = calendar.index(when) + 7 * n
            if not 0 <= t < calendar.n_days or amount <= 0:
                continue
            t = calendar.next_open(t, national=True)
            if t < calendar.n_days:
                part = f", kiriman {n + 1} dari {lots}" if lots > 1 else ""
                result.append(Procurement(t, amount, reference + part, note + part))
    return result


class World:
    """State of every office during the run. Offices: index 0 national, then provinces,
    then kab/kota (a contiguous block, so their figures are numpy slices)."""

    def __init__(
        self, places: list[Place], start: date, n_days: int, seed: int, progress: Progress | None
    ) -> None:
        self.progress = progress
        self.calendar = build_calendar(start, n_days)
        self.election = election_factor(self.calendar)
        self.ikd_share = ikd_share(self.calendar)
        self.world_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
        national = [p for p in places if p.kind is OfficeKind.national]
        provinces = sorted((p for p in places if p.kind is OfficeKind.province), key=_code)
        kabs = sorted(
            (p for p in places if p.kind in (OfficeKind.kabupaten, OfficeKind.kota)), key=_code
        )
        self.places = national + provinces + kabs
        self.index = {p.code: i for i, p in enumerate(self.places)}
        self.n = len(self.places)
        self.k0 = 1 + len(provinces)
        k = len(kabs)
        d = n_days
        self.share = sum(p.population for p in kabs) / cal.NATIONAL_POPULATION

        # Each kab/kota: its own demand draws and fixed traits, from its own generator.
        self.requests = np.zeros((k, d), dtype=np.int64)
        self.annual = np.zeros(k)
        self.capacity = np.zeros((k, d), dtype=np.int64)
        self.spoil_p = np.zeros(k)
        self.lead = np.zeros((self.n, 2), dtype=np.int64)
        opening_days = np.zeros(k)
        self.office_rngs: list[np.random.Generator] = []
        for j, place in enumerate(kabs):
            rng = office_rng(seed, place.code)
            drawn = office_demand(
                code=place.code,
                population=place.population,
                rng=rng,
                calendar=self.calendar,
                election=self.election,
            )
            self.requests[j] = drawn.requests
            self.annual[j] = drawn.annual
            open_day_mean = drawn.annual / (self.calendar.year_total.mean() or 1.0)
            rate = int(rng.choice(cal.MACHINE_RATES))
            machines = max(
                1, int(np.ceil(rng.uniform(*cal.CAPACITY_HEADROOM) * open_day_mean / rate))
            )
            self.capacity[j] = rng.binomial(machines, 1 - cal.MACHINE_DOWN, d) * rate
            self.spoil_p[j] = cal.SPOIL_RATE * np.exp(
                rng.normal(-(cal.SPOIL_SPREAD_SIGMA**2) / 2, cal.SPOIL_SPREAD_SIGMA)
            )
            opening_days[j] = rng.uniform(*cal.OPENING_OFFICE_DAYS)
            self.office_rngs.append(rng)
        for i, place in enumerate(self.places):
            if place.province_code:
                self.lead[i] = cal.LEAD_DAYS_BY_REGION[_region(place.province_code)]
        self.province_of = np.array(
            [self.index[p.province_code] if p.province_code else 0 for p in kabs], dtype=np.int64
        )
        self.open_day_mean = self.annual / (self.calendar.year_total.mean() or 1.0)
        self.ration_cap = np.ceil(cal.PRIORITY_SHARE * self.open_day_mean).astype(np.int64)

        # State.
        self.stock = np.zeros(self.n, dtype=np.int64)
        self.incoming = np.zeros(self.n, dtype=np.int64)
        # Backlog = records waiting to print (carry) + residents sent home with a Suket.
        self.carry = np.round(0.5 * self.open_day_mean).astype(np.int64)
        self.holders = np.zeros(k, dtype=np.int64)
        self.backlog = self.carry + self.holders
        self.pending = np.full(self.n, -1, dtype=np.int64)
        self.next_letter = np.zeros(self.n, dtype=np.int64)
        self.next_help = np.zeros(self.n, dtype=np.int64)
        self.letter_seq: dict[tuple[str, int], int] = defaultdict(int)
        self.arrivals: dict[int, list[int]] = defaultdict(list)
        self.cancels: dict[int, list[int]] = defaultdict(list)

        yearly = float(self.annual.sum())
        self.history = History(
            calendar=self.calendar,
            places=self.places,
            kab_codes=[p.code for p in kabs],
            share=self.share,
            requests=self.requests,
            printed=np.zeros((k, d), dtype=np.int64),
            spoiled=np.zeros((k, d, 4), dtype=np.int64),
            backlog=np.zeros((k, d), dtype=np.int64),
            suket=np.zeros((k, d), dtype=np.int64),
            ikd=np.zeros((k, d), dtype=np.int64),
            reported=np.repeat(self.calendar.office_open[None, :], k, axis=0),
            national_stock=np.zeros(d, dtype=np.int64),
            procurements=tranches(self.calendar, yearly, self.share),
        )
        self._open(opening_days)

    # --- the opening position -------------------------------------------------------

    def _open(self, opening_days: np.ndarray) -> None:
        """Opening stock counts on the first day: what each office holds when it starts
        keeping its stock card here."""
        need = self.annual * self.election[0] / 365
        self.stock[self.k0 :] = np.round(opening_days * need).astype(np.int64)
        self.stock[0] = round(cal.OPENING_NATIONAL_DAYS * need.sum())
        province_need = np.bincount(self.province_of, weights=need, minlength=self.n)
        for i in range(1, self.k0):
            self.stock[i] = _round_down(cal.OPENING_PROVINCE_DAYS * province_need[i], 100)
        for i, place in enumerate(self.places):
            if self.stock[i] > 0:
                self.history.counts.append(
                    Count(place.code, 0, 0, int(self.stock[i]), OPENING_NOTE, opening=True)
                )

    # --- one day --------------------------------------------------------------------

    def run(self) -> History:
        procure = defaultdict(list)
        for p in self.history.procurements:
            procure[p.day].append(p)
        count_days = self._count_days()
        for t in range(self.calendar.n_days):
            for p in procure.get(t, []):
                self.stock[0] += p.quantity
            self._close_shipments(t)
            need = self.annual * self.election[t] / 365
            if self.calendar.national_open[t]:
                self._decide(t, need)
                self._redistribute(t, need)
                self._lend(t, need)
            if self.calendar.office_open[t]:
                self._print(t, need)
            else:
                self.history.backlog[:, t] = self.backlog
            if t in count_days:
                self._count(t)
            if self.calendar.national_open[t]:
                self._write_letters(t, need)
            self.history.national_stock[t] = self.stock[0]
            if self.progress and (t % 30 == 0 or t == self.calendar.n_days - 1):
                self.progress(t + 1, self.calendar.n_days)
        return self.history

    def _count_days(self) -> set[int]:
        """The last national working day of every June and December in the range."""
        end = self.calendar.day(self.calendar.n_days - 1)
        last: dict[tuple[int, int], int] = {}
        for t in np.flatnonzero(self.calendar.national_open).tolist():
            day = self.calendar.day(t)
            if day.month not in (6, 12):
                continue
            month_end = date(day.year, 6, 30) if day.month == 6 else date(day.year, 12, 31)
            if month_end <= end:
                last[(day.year, day.month)] = t
        return set(last.values())

    def _close_shipments(self, t: int) -> None:
        for cid in self.cancels.pop(t, []):
            c = self.history.consignments[cid - 1]
            s, r = self.index[c.sender], self.index[c.receiver]
            self.stock[s] += c.quantity
            self.incoming[r] -= c.quantity
            c.status, c.close_day = ShipmentStatus.cancelled, t
        for cid in self.arrivals.pop(t, []):
            c = self.history.consignments[cid - 1]
            r = self.index[c.receiver]
            received = c.quantity
            rng = self._rng_of(r)
            if rng.random() < cal.SHORT_CHANCE:
                short = max(1, round(c.quantity * rng.uniform(*cal.SHORT_SHARE)))
                received = c.quantity - short
                c.shortfall_reason = cal.SHORT_REASONS[int(rng.integers(len(cal.SHORT_REASONS)))]
            self.stock[r] += received
            self.incoming[r] -= c.quantity
            c.received, c.close_day = received, t
            c.status = (
                ShipmentStatus.received_short if received < c.quantity else ShipmentStatus.received
            )

    def _rng_of(self, i: int) -> np.random.Generator:
        return self.office_rngs[i - self.k0] if i >= self.k0 else self.world_rng

    def _ship(
        self,
        t: int,
        sender: int,
        receiver: int,
        quantity: int,
        reference: str,
        note: str,
        lead: tuple[int, int],
        request_id: int | None = None,
        cancel_reason: str = "",
    ) -> Consignment:
        rng = self._rng_of(receiver)
        days = int(rng.integers(lead[0], lead[1] + 1))
        late = int(rng.integers(*cal.LATE_EXTRA_DAYS)) if rng.random() < cal.LATE_CHANCE else 0
        c = Consignment(
            id=len(self.history.consignments) + 1,
            sender=self.places[sender].code,
            receiver=self.places[receiver].code,
            quantity=quantity,
            reference=reference,
            note=note,
            dispatch_day=t,
            expected_day=t + days,
            arrival_day=self.calendar.next_open(t + days + late),
            request_id=request_id,
        )
        self.history.consignments.append(c)
        self.stock[sender] -= quantity
        self.incoming[receiver] += quantity
        if cancel_reason:
            c.cancel_reason = cancel_reason
            self.cancels[self.calendar.next_open(t + 1)].append(c.id)
        else:
            self.arrivals[c.arrival_day].append(c.id)
        return c

    # --- the planner ------------------------------------------------------------------

    def _decide(self, t: int, need: np.ndarray) -> None:
        """Answers the letters due today: in full while national stock is comfortable,
        cut and shared out when it is not; with the centre empty a letter is held a
        while, then refused."""
        waiting = sorted(int(x) for x in self.pending if x > 0)
        due = [
            letter
            for letter in (self.history.letters[i - 1] for i in waiting)
            if letter.decision_day <= t
        ]
        if not due:
            return
        grants, refusals = self._grants(due, need)
        for letter in due:
            i = self.index[letter.office]
            grant = min(grants.get(letter.id, 0), int(self.stock[0]))
            if letter.id not in refusals and grant < cal.APPROVAL_ROUND:
                if t - letter.decision_day < cal.HOLD_DAYS:
                    continue
                refusals[letter.id] = EMPTY_REFUSAL
            letter.decided_day = t
            self.pending[i] = -1
            if letter.id in refusals:
                letter.status = RequestStatus.rejected
                letter.reason = refusals[letter.id]
                self.next_letter[i] = t + cal.RETRY_AFTER_DAYS
                continue
            letter.status = RequestStatus.approved
            letter.approved = grant
            if grant < letter.quantity:
                letter.reason = (
                    f"Disetujui sebagian ({number(grant)} dari {number(letter.quantity)} "
                    "keping): stok nasional terbatas dan dibagi ke semua daerah."
                )
            self._ship(
                t,
                0,
                i,
                grant,
                letter.reference,
                f"Alokasi atas surat {letter.reference}",
                (int(self.lead[i][0]), int(self.lead[i][1])),
                request_id=letter.id,
            )

    def _grants(self, due: list[Letter], need: np.ndarray) -> tuple[dict[int, int], dict[int, str]]:
        """What the planner would give each letter, and the letters refused outright."""
        have = int(self.stock[0])
        if have - sum(letter.quantity for letter in due) >= cal.COMFORT_DAYS * need.sum():
            return {letter.id: letter.quantity for letter in due}, {}
        grants: dict[int, int] = {}
        refusals: dict[int, str] = {}
        for letter in due:
            i = self.index[letter.office]
            if i < self.k0:
                refusals[letter.id] = PROVINCE_REFUSAL
                continue
            j = i - self.k0
            days = cal.RATION_COVER_DAYS + self.lead[i].mean()
            cap = days * need[j] - self.stock[i] - self.incoming[i]
            grants[letter.id] = min(letter.quantity, max(_round_up(cap, 100), 100))
        release = have if have < 20 * cal.APPROVAL_ROUND else have * cal.RATION_RELEASE_SHARE
        total = sum(grants.values())
        scale = min(1.0, release / total) if total else 0.0
        shared = {k: _round_down(v * scale, cal.APPROVAL_ROUND) for k, v in grants.items()}
        return shared, refusals

    # --- provinces and neighbours -----------------------------------------------------

    def _redistribute(self, t: int, need: np.ndarray) -> None:
        """A province sends its buffer to its kab/kota that are about to run out."""
        if not self.stock[1 : self.k0].any():
            return
        kab = slice(self.k0, self.n)
        position = self.stock[kab] + self.incoming[kab]
        urgent = (position < cal.URGENT_DAYS * need) & (self.next_help[kab] <= t) & (need > 0)
        for j in np.flatnonzero(urgent)[np.argsort((position / np.maximum(need, 1e-9))[urgent])]:
            p = int(self.province_of[j])
            i = self.k0 + int(j)
            want = _round_up(cal.REDISTRIBUTE_DAYS * need[j] + self.backlog[j] - position[j], 100)
            give = min(want, _round_down(self.stock[p], 100))
            if give < cal.APPROVAL_ROUND:
                continue
            self._ship(
                t,
                p,
                i,
                give,
                self._reference(p, t),
                f"Redistribusi dari {self.places[p].name} ke {self.places[i].name}",
                (1, 3),
            )
            self.next_help[i] = t + cal.LOAN_GAP_DAYS

    def _lend(self, t: int, need: np.ndarray) -> None:
        """An office out of stock borrows from a well-stocked neighbour in its province
        when the province has nothing to give."""
        kab = slice(self.k0, self.n)
        stock = self.stock[kab]
        cover = stock / np.maximum(need, 1e-9)
        borrowers = (
            (stock < cal.BORROW_BELOW_DAYS * need)
            & (self.incoming[kab] == 0)
            & (self.backlog > 0)
            & (self.next_help[kab] <= t)
            & (self.stock[self.province_of] < cal.APPROVAL_ROUND)
        )
        if not borrowers.any():
            return
        lenders = cover > cal.LEND_ABOVE_DAYS
        for j in np.flatnonzero(borrowers):
            mates = np.flatnonzero(lenders & (self.province_of == self.province_of[j]))
            mates = mates[self.next_help[self.k0 + mates] <= t]
            if mates.size == 0:
                continue
            m = int(mates[np.argmax(cover[mates])])
            spare = self.stock[self.k0 + m] - cal.LEND_KEEP_DAYS * need[m]
            give = _round_down(min(spare, cal.LOAN_DAYS * need[j] + self.backlog[j]), 100)
            if give < cal.APPROVAL_ROUND:
                continue
            borrower, lender = self.k0 + int(j), self.k0 + m
            rng = self._rng_of(lender)
            cancel = (
                ""
                if rng.random() >= cal.LOAN_CANCEL_CHANCE
                else ("Dibatalkan: peminjam sudah menerima alokasi dari pusat")
            )
            self._ship(
                t,
                lender,
                borrower,
                give,
                self._reference(borrower, t),
                f"Pinjaman blangko dari {self.places[lender].name} ke {self.places[borrower].name}",
                (1, 3),
                cancel_reason=cancel,
            )
            self.next_help[borrower] = self.next_help[lender] = t + cal.LOAN_GAP_DAYS
            cover[m] = self.stock[lender] / max(need[m], 1e-9)
            lenders[m] = cover[m] > cal.LEND_ABOVE_DAYS

    # --- printing ---------------------------------------------------------------------

    def _print(self, t: int, need: np.ndarray) -> None:
        """Prints within stock and the day's printer capacity, the records at hand first,
        then returning Suket holders; spoiled blanks consume stock too. Residents who
        cannot get a card for lack of blanks go home with a Suket."""
        h = self.history
        kab = slice(self.k0, self.n)
        stock = self.stock[kab]
        req = self.requests[:, t]
        today = np.floor(cal.SAME_DAY_SHARE * req).astype(np.int64)
        present = self.carry + today
        stocked = stock >= cal.HOLDER_MIN_COVER_DAYS * self.open_day_mean * self.election[t]
        returning = np.where(
            stocked, np.ceil(cal.SUKET_RETURN_SHARE * self.holders).astype(np.int64), 0
        )
        printable = present + returning
        low = stock < cal.OFFICE_RATION_DAYS * self.open_day_mean * self.election[t]
        limit = np.where(low, np.minimum(self.capacity[:, t], self.ration_cap), self.capacity[:, t])
        wanted = np.ceil(printable / (1 - cal.SPOIL_RATE)).astype(np.int64)
        attempts = np.minimum(np.minimum(stock, limit), wanted)
        spoiled = self.world_rng.binomial(attempts, self.spoil_p)
        printed = np.minimum(attempts - spoiled, printable)
        self.stock[kab] = stock - printed - spoiled
        served = np.minimum(printed, present)
        unserved = present - served
        short = (unserved > 0) & (low | (attempts >= stock))
        h.suket[:, t] = np.where(short, unserved, 0)
        self.holders = self.holders - (printed - served) + h.suket[:, t]
        self.carry = np.where(short, 0, unserved) + (req - today)
        self.backlog = self.carry + self.holders
        h.printed[:, t] = printed
        h.spoiled[:, t] = self.world_rng.multinomial(spoiled, cal.SPOIL_CAUSE_SHARES)
        h.backlog[:, t] = self.backlog
        share = self.ikd_share[t] + np.where(short, cal.IKD_SHORTAGE_EXTRA, 0.0)
        h.ikd[:, t] = self.world_rng.poisson(share * req) if self.ikd_share[t] > 0 else 0

    # --- stock counts -----------------------------------------------------------------

    def _count(self, t: int) -> None:
        day = self.calendar.day(t)
        label = f"Stock opname semester {'I' if day.month == 6 else 'II'} {day.year}"
        for i, place in enumerate(self.places):
            rng = self._rng_of(i)
            book = int(self.stock[i])
            counted = book
            if rng.random() < cal.COUNT_DIFF_CHANCE:
                if rng.random() < cal.COUNT_FOUND_CHANCE:
                    counted = book + int(rng.integers(cal.COUNT_FOUND[0], cal.COUNT_FOUND[1] + 1))
                else:
                    missing = int(rng.integers(cal.COUNT_MISSING[0], cal.COUNT_MISSING[1] + 1))
                    counted = max(0, book - missing)
            self.stock[i] = counted
            note = label if counted == book else f"{label}: selisih {counted - book:+d} keping"
            self.history.counts.append(Count(place.code, t, book, counted, note))

    # --- request letters ----------------------------------------------------------------

    def _reference(self, i: int, t: int) -> str:
        year = self.calendar.day(t).year
        code = self.places[i].code
        self.letter_seq[(code, year)] += 1
        unit = "Disdukcapil" if i >= self.k0 else "Dukcapil-Prov"
        return f"470/{self.letter_seq[(code, year)]:03d}/{unit}/{year}"

    def _write_letters(self, t: int, need: np.ndarray) -> None:
        """Offices whose stock plus blanks on the way run low write to Ditjen Dukcapil."""
        kab = slice(self.k0, self.n)
        position = self.stock[kab] + self.incoming[kab]
        lead_mean = self.lead[kab].mean(axis=1)
        reorder = (cal.REORDER_BASE_DAYS + lead_mean + 2.5) * need + self.backlog
        writes = (
            (position < reorder)
            & (self.pending[kab] < 0)
            & (self.next_letter[kab] <= t)
            & (need > 0)
        )
        for j in np.flatnonzero(writes):
            i = self.k0 + int(j)
            quantity = _round_up(
                cal.TARGET_DAYS * need[j] + self.backlog[j] - position[j], cal.REQUEST_ROUND
            )
            cover = self.stock[i] / max(need[j], 1e-9)
            note = (
                f"Sisa stok {number(int(self.stock[i]))} keping (cukup ±{cover:.0f} hari), "
                f"{number(int(self.backlog[j]))} PRR menunggu cetak."
            )
            self._letter(t, i, quantity, note)
        if self.stock[0] < cal.COMFORT_DAYS * need.sum():
            return
        province_need = np.bincount(self.province_of, weights=need, minlength=self.n)
        for i in range(1, self.k0):
            position_p = self.stock[i] + self.incoming[i]
            if (
                position_p < cal.PROVINCE_REORDER_DAYS * province_need[i]
                and self.pending[i] < 0
                and self.next_letter[i] <= t
            ):
                quantity = _round_up(
                    cal.PROVINCE_TARGET_DAYS * province_need[i] - position_p, cal.REQUEST_ROUND
                )
                self._letter(t, i, quantity, "Penyangga provinsi untuk redistribusi ke kab/kota.")

    def _letter(self, t: int, i: int, quantity: int, note: str) -> None:
        delay = int(self._rng_of(i).integers(cal.DECISION_DAYS[0], cal.DECISION_DAYS[1] + 1))
        letter = Letter(
            id=len(self.history.letters) + 1,
            office=self.places[i].code,
            day=t,
            quantity=quantity,
            reference=self._reference(i, t),
            note=note,
            decision_day=self.calendar.add_working_days(t, delay),
        )
        self.history.letters.append(letter)
        self.pending[i] = letter.id
        self.next_letter[i] = t + cal.MIN_LETTER_GAP_DAYS


def _code(place: Place) -> tuple[int, ...]:
    return tuple(int(part) for part in place.code.split("."))


def simulate(
    places: list[Place], start: date, n_days: int, seed: int, progress: Progress | None = None
) -> History:
    """Runs the world from ``start`` for ``n_days`` days."""
    return World(places, start, n_days, seed, progress).run()
