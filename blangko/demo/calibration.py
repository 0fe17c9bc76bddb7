"""Every number the demo history is calibrated on, and where it comes from.

"FACTS §n" is the n-th section of the project's fact sheet of public statements by Ditjen
Dukcapil and regional Dinas (``docs/FACTS.md`` in this repository); the statement is quoted
short here so the code reads on its own. "Derived" is arithmetic on such figures;
"assumed" marks a choice where no public figure exists, sized to agree with the others.
"""

from datetime import date

# --- Demand (print requests, PRR) -------------------------------------------------------

# Kab/kota population of the bundled region list (DKB 31 Dec 2024); the national
# per-capita rates below are divided by it, so a subset of offices gets its share.
NATIONAL_POPULATION = 284_973_643

# FACTS §3: "penduduk yang berusia 17 tahun per tahun bertambah 4 jutaan" (Zudan, 2021).
NEW_17_PER_YEAR = 4_000_000

# Derived: FACTS §2 puts national use at 1–1.5 M blanks a month (Zudan, Nov 2022), i.e.
# 12–18 M a year; minus the 4 M new 17-year-olds leaves ~12 M replacements (lost,
# damaged, data changes, moves). That is 12 M / 207.9 M wajib KTP (FACTS §3) ≈ 5.8 % a
# year, below DKI's urban 10–14 % (0.8–1.2 M of 8.3 M, FACTS §3), as it should be.
REPLACEMENTS_PER_YEAR = 12_000_000

# Assumed: the share of the 17-year-olds recorded in school outreach (jemput bola)
# campaigns rather than at the counter; the rest arrive evenly through the year.
OUTREACH_SHARE = 0.35
# Assumed: each campaign runs ten working days inside the school terms (after the
# January start of the second semester and after the July school holiday). In 2023
# offices ran a third campaign for first-time voters before the 14 Feb 2024 election.
OUTREACH_OPEN_DAYS = 10
OUTREACH_WINDOWS = ((2, 1, 3, 31), (8, 1, 11, 15))  # (month, day, month, day)
ELECTION_OUTREACH_WINDOW = (2023, 10, 1, 12, 15)

# Assumed: offices open Monday–Saturday with a light Saturday service; closed on
# Sundays, public holidays and cuti bersama (both from the ``holidays`` package).
SATURDAY_WEIGHT = 0.35

# Assumed shape of Lebaran (days from the first day of Idul Fitri): a quieter last
# stretch of Ramadan (mudik), ten slow days after Idul Fitri (cuti bersama), then the
# catch-up of postponed requests and of moves and marriages after Lebaran (FACTS §1
# lists moves and marriages among the predictable demand drivers).
LEBARAN_BEFORE = (-12, -1, 0.9)
LEBARAN_SLOW = (1, 10, 0.8)
LEBARAN_SURGE = (11, 32, 1.3)

# The 2024 election (14 Feb 2024): FACTS §2 notes high demand before it, and the 2023
# burn rate derived there (~2 M a month Jan–May 2023, incl. restocking after the
# 2022 shortages) is above 2022's. Assumed ramp of all demand: flat in 2022, rising
# through 2023 to +25 % in the last weeks before the vote, a lull for four weeks after.
ELECTION_DAY = date(2024, 2, 14)
ELECTION_RAMP = (
    (date(2023, 1, 1), 1.0),
    (date(2023, 6, 30), 1.1),
    (date(2023, 12, 31), 1.15),
    (date(2024, 2, 13), 1.25),
)
ELECTION_LULL = (date(2024, 2, 14), date(2024, 3, 12), 0.9)

# Assumed noise: a Poisson-gamma (negative binomial) day with gamma shape 10, on top
# of a slow local factor (staffing, local events: AR(1), 3 % daily persistence loss)
# and a fixed local-conditions factor kept within ±15 % so that demand stays
# proportional to population.
DAY_GAMMA_SHAPE = 10.0
LOCAL_AR_PHI = 0.97
LOCAL_AR_SIGMA = 0.08
OFFICE_FACTOR_SIGMA = 0.06
OFFICE_FACTOR_LIMIT = 0.15

# --- Printing at a Dinas -----------------------------------------------------------------

# FACTS §8: printers do 100–300 cards a day per machine (Bangli ~100, Trenggalek 250,
# Kab. Tangerang 7 × 300). Machines per office: Kab. Tangerang's 2,100 a day is ~2.5 ×
# its mean working-day demand in this model (derived), so offices get 2–3 × headroom.
MACHINE_RATES = (100, 150, 200, 250, 300)
CAPACITY_HEADROOM = (2.0, 3.0)
# Assumed: each machine is out of order on 3 % of days (Bangli had 5 of 8 broken).
MACHINE_DOWN = 0.03
# Assumed: part of a day's print-ready records come after the last print run.
SAME_DAY_SHARE = 0.85
# Residents sent home with a Suket (valid 6 months, FACTS §6) come back for their card
# once blanks are in; assumed 4 % of them a working day (announcements, RT/RW), and only
# while the office holds five days of stock: new applicants come first (FACTS §10). So
# the Aug–Sep 2022 backlog was not printed at once: on 31 Oct 2022 regions still held
# 1,088,038 blanks and the centre 532,000 of the 3.1 M of October (FACTS §2); the model
# keeps 0.5–0.7 M at the centre that day, by seed.
SUKET_RETURN_SHARE = 0.04
HOLDER_MIN_COVER_DAYS = 5
# Assumed: with less than three days of stock an office prints only priority cases
# (first KTP-el, disasters, Suket holders: FACTS §10, §6 SE 471.13/6153); ~45 % of
# demand, like Cimahi's 40 % new applicants (FACTS §5).
OFFICE_RATION_DAYS = 3
PRIORITY_SHARE = 0.45

# FACTS §9 (derived): Surabaya spoiled 13,383 of 770,185 cards ≈ 1.7 %. Office-to-office
# spread assumed (lognormal, σ 0.25). Causes are those of SE Dirjen 400.8.1.2/202241
# (FACTS §9); shares assumed from what the reports describe: mostly print defects
# (temperature, FACTS §9), physical damage next, chip failures rare (Kab. Cirebon: 96
# chipless against 2,752 physically damaged).
SPOIL_RATE = 0.017
SPOIL_SPREAD_SIGMA = 0.25
SPOIL_CAUSE_SHARES = (0.55, 0.05, 0.30, 0.10)  # gagal_cetak, gagal_encode, rusak_fisik, lainnya

# IKD (digital ID) activations as a share of the day's print requests. Assumed start
# Dec 2022 and ramp; from the 2023 Rakernas regions must activate IKD for at least 50 %
# of the blanks they receive (FACTS §7); residents are pushed to IKD when blanks run out
# (Ponorogo, FACTS §4).
IKD_RAMP = ((date(2022, 12, 1), 0.0), (date(2023, 6, 30), 0.3), (date(2023, 7, 1), 0.5))
IKD_SHORTAGE_EXTRA = 0.2

# --- Supply: procurement, allocation, shipments -------------------------------------------

# The producer delivers a tranche in weekly lots. Derived: by 19 Jan 2023, 2.3 M of the
# tranche that came at the start of January had been distributed (FACTS §4), and ~2.0 M
# of the 11.4 M available from 4 Aug 2023 had gone out by 23 Aug (15,169,050 distributed
# of 24,527,332 bought, FACTS §1, less the 13.1 M of the first two tranches): about
# 1.15 M a week.
LOT_SIZE = 1_150_000

# National procurement tranches (date, quantity, reference, note). 2023 is FACTS §1
# exactly (the three tranches add up to 24,527,333, one more than the total quoted). 2022 has no public total (FACTS §1 gap): the two early tranches are assumed,
# sized so that the national stock runs out in late July and offices in Aug–Sep 2022
# (FACTS §4); the 3.1 M printed for 5 Oct 2022 is FACTS §1/§4. 2024 is assumed (gap),
# sized so that the centre holds about 6 M in Aug 2024 (FACTS §1) and is tight again
# from Nov 2024 (Ponorogo rationing, FACTS §4).
TRANCHES: tuple[tuple[date, int, str, str], ...] = (
    (date(2022, 1, 12), 4_600_000, "APBN 2022 tahap I", "assumed"),
    (date(2022, 4, 18), 2_600_000, "APBN 2022 tahap II", "assumed"),
    (date(2022, 10, 3), 3_100_000, "APBN 2022 tahap III", "FACTS §1: 3,1 juta, 5 Okt 2022"),
    (date(2023, 1, 6), 10_450_518, "APBN 2023 reguler", "FACTS §1"),
    (date(2023, 5, 29), 2_683_032, "APBN 2023 automatic adjustment", "FACTS §1"),
    (date(2023, 8, 4), 11_393_783, "PNBP 2023 e-Katalog", "FACTS §1"),
    (date(2024, 1, 15), 8_000_000, "APBN 2024 tahap I", "assumed"),
    (date(2024, 6, 17), 8_500_000, "APBN 2024 tahap II", "assumed"),
)
# Years without a scripted tranche get three (assumed): mid-February, mid-June and
# mid-September, 45 %, 35 % and 25 % of a year's expected national demand.
GENERIC_TRANCHES = ((2, 15, 0.45), (6, 15, 0.35), (9, 15, 0.25))

# Assumed opening position: the centre holds ~27 days of national demand (1.2 M at 2022
# rates), each office 15–40 days of its own (FACTS §7: batches of 2–8 weeks of use),
# each province a few days of its kab/kota's.
OPENING_NATIONAL_DAYS = 27
OPENING_OFFICE_DAYS = (15, 40)
OPENING_PROVINCE_DAYS = 4

# Request letters (FACTS §7: by official letter; Tangsel 2,000–4,000 a request, Kotim
# 4,000 a pick-up, Jaksel 16,760 — about 2 to 8 weeks of their use): an office writes
# when stock plus blanks on the way fall below 10 days of need plus its lead time, for
# enough to reach 40 days plus the residents waiting. Assumed: the letter is decided in
# 1–4 working days; a refused office writes again after a week.
REORDER_BASE_DAYS = 10
TARGET_DAYS = 40
REQUEST_ROUND = 500
DECISION_DAYS = (1, 4)
# Assumed: with the centre empty a letter is held up to two weeks in case blanks arrive
# ("sedang proses pencetakan", FACTS §4), then refused; the office writes again.
HOLD_DAYS = 14
RETRY_AFTER_DAYS = 7
MIN_LETTER_GAP_DAYS = 5

# Planner's rationing (FACTS §4, §7: Pasuruan "at most 500 blanks" a request in Sep
# 2022, "only enough for a day"; Cianjur 100–500 a request lasting ~3 days; Tangsel cut
# from 2,000–4,000 to 500–1,000; Kulon Progo got 4,000 of 9,989): below 20 days of
# national need in stock, each request is cut to a week of the office's need beyond
# its lead time, and no more than a quarter of the remaining stock is released on one
# day, so a reserve stays at the centre (532,000 on 31 Oct 2022, FACTS §2). Assumed
# sizes.
COMFORT_DAYS = 20
RATION_COVER_DAYS = 14
RATION_RELEASE_SHARE = 0.5
APPROVAL_ROUND = 100

# Lead times (FACTS §7): Jakarta Selatan under 24 h, Aceh 2–3 days, Kotim's request
# slipping by weeks. Assumed ranges by region, plus a 4 % chance of a 1–3 week delay.
LEAD_DAYS_BY_REGION = {
    "java_bali": (1, 2),
    "sumatra": (2, 4),
    "kalimantan_sulawesi_ntb": (3, 6),
    "east": (5, 12),
}
LATE_CHANCE = 0.04
LATE_EXTRA_DAYS = (7, 21)

# Provinces keep a small buffer for redistribution (FACTS §4: Aceh expected 30,000 to
# redistribute to its kab/kota; FACTS §7: remote regions ask the province). Assumed:
# reorder below 8 days of their kab/kota's need, up to 20 days, only while the centre
# is not rationing; a kab/kota under 5 days of cover gets up to 14 days from it.
PROVINCE_REORDER_DAYS = 8
PROVINCE_TARGET_DAYS = 20
URGENT_DAYS = 5
REDISTRIBUTE_DAYS = 14

# Lateral loans (FACTS §7: "kalau ada blangko ... yang masih banyak, segera dipinjamkan
# ke kabupaten/kota lain", Zudan 2022). Assumed: an office under 3 days of stock with
# nothing on the way borrows up to 10 days of need from a neighbour in the province
# that holds over 30 days; 3 % of loans are called off before leaving.
BORROW_BELOW_DAYS = 3
LEND_ABOVE_DAYS = 30
LEND_KEEP_DAYS = 20
LOAN_DAYS = 10
LOAN_GAP_DAYS = 10
LOAN_CANCEL_CHANCE = 0.03

# Assumed: 2 % of shipments arrive short by 0.2–2 % (damaged boxes, miscounts).
SHORT_CHANCE = 0.02
SHORT_SHARE = (0.002, 0.02)
SHORT_REASONS = (
    "Kemasan rusak saat pengiriman, blangko tidak layak pakai",
    "Selisih hitung fisik saat penerimaan",
    "Kardus basah terkena hujan di perjalanan",
)

# Stock counts (stock opname) at the end of June and December (FACTS §7: warehouses
# must reconcile in/out counts). Assumed: 15 % find a small difference, mostly missing.
COUNT_DIFF_CHANCE = 0.15
COUNT_MISSING = (1, 6)
COUNT_FOUND = (1, 3)
COUNT_FOUND_CHANCE = 0.2
