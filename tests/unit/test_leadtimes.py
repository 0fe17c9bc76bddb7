"""Lead times learned from hand-made histories whose delays are known: an office with many
shipments gets its own, one with two is pulled towards its province, one with none gets
its province's or its region's, and a country without history gets the setting."""

from forecast.leadtimes import DEFAULT, OFFICE, PROVINCE, REGION, Delays, learn, region_of

MANY, FEW, NONE, OTHER, BANTEN, PAPUA = "32.01", "32.02", "32.03", "33.01", "36.01", "94.01"
PROVINCES = {
    MANY: "32",
    FEW: "32",
    NONE: "32",
    OTHER: "33",
    BANTEN: "36",
    PAPUA: "94",
    "32": "32",
}

# The centre answers every letter in 3 days. Transit from the centre: 5 days to 32.01
# (40 shipments), 15 days to 32.02 (2 shipments), 9 days to 33.01 (10 shipments).
HISTORY = Delays(
    decision={"00": [3] * 30},
    transit={("00", MANY): [5] * 40, ("00", FEW): [15, 15], ("00", OTHER): [9] * 10},
)


def lead_times(delays: Delays = HISTORY) -> dict:
    return learn(delays=delays, provinces=PROVINCES, default_days=21)


def test_an_office_with_many_shipments_gets_its_own_lead_time() -> None:
    learned = lead_times()
    assert (learned[MANY].median, learned[MANY].p90) == (3 + 5, 3 + 5)
    assert (learned[OTHER].median, learned[OTHER].p90) == (3 + 9, 3 + 9)
    assert learned[MANY].source == learned[OTHER].source == OFFICE
    assert learned[MANY].shipments == 40


def test_an_office_with_two_shipments_is_pulled_towards_its_province() -> None:
    learned = lead_times()
    # Its own two shipments took 15 days; its province's usually take 5.
    assert learned[FEW].median == learned[NONE].median == 3 + 5
    # ...but its own slow shipments still widen the tail.
    assert learned[FEW].p90 == 3 + 15
    assert learned[FEW].source == OFFICE and learned[FEW].shipments == 2


def test_an_office_without_shipments_gets_its_province_then_its_region() -> None:
    learned = lead_times()
    assert (learned[NONE].median, learned[NONE].p90) == (8, 8)
    assert learned[NONE].source == PROVINCE
    assert learned[NONE] == learned["32"]
    # Banten has no history: Jawa's 52 shipments, 10 of them 9 days, 2 of 15.
    assert (learned[BANTEN].median, learned[BANTEN].p90) == (3 + 5, 3 + 9)
    assert learned[BANTEN].source == REGION


def test_the_setting_only_where_there_is_no_history_at_any_level() -> None:
    learned = lead_times()
    assert (learned[PAPUA].median, learned[PAPUA].p90, learned[PAPUA].source) == (
        21,
        21,
        DEFAULT,
    )
    empty = lead_times(Delays())
    assert {(t.median, t.p90, t.source) for t in empty.values()} == {(21, 21, DEFAULT)}
    # Transit known but the centre never answered a letter: no lead time to learn.
    unanswered = lead_times(Delays(transit=HISTORY.transit))
    assert unanswered[MANY].source == DEFAULT and unanswered[MANY].p90 == 21


def test_lead_time_is_the_sum_of_decision_delay_and_transit_distributions() -> None:
    delays = Delays(
        decision={"00": [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]},
        transit={("00", MANY): [1] * 50},
    )
    learned = learn(delays=delays, provinces={MANY: "32"}, default_days=21)
    assert (learned[MANY].median, learned[MANY].p90) == (10 + 1, 18 + 1)


def test_an_approved_request_arrives_after_dispatch_delay_and_transit() -> None:
    delays = Delays(
        decision={"00": [10] * 5}, approval={"00": [2] * 5}, transit={("00", MANY): [4] * 20}
    )
    learned = learn(delays=delays, provinces={MANY: "32"}, default_days=21)
    assert learned[MANY].median == 14
    assert learned[MANY].after_approval == 6
    # Without approval records the dispatch goes out on the day of approval.
    no_approval = learn(
        delays=Delays(decision=delays.decision, transit=delays.transit),
        provinces={MANY: "32"},
        default_days=21,
    )
    assert no_approval[MANY].after_approval == 4


def test_shipments_of_other_senders_teach_nothing_about_this_one() -> None:
    delays = Delays(decision={"00": [3]}, transit={("32", MANY): [1] * 30})
    assert lead_times(delays)[MANY].source == DEFAULT


def test_regions_follow_the_first_digit_of_the_province_code() -> None:
    assert region_of("21") == region_of("11") == "sumatera"
    assert region_of("36") == region_of("31") == "jawa"
    assert region_of("52") == region_of("51")
    assert region_of("96") == region_of("91") == "papua"
    assert region_of("73") != region_of("64")
