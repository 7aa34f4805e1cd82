"""Recurrence rules from the form's choices, computed in the series' zone across DST changes."""

from datetime import UTC, date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from meetings.domain.errors import ValidationError
from meetings.domain.recurrence import RecurrenceChoice, build_rule, describe, ends_before, occurrences

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def _local(rule, start, zone, n=6):
    first = start.replace(tzinfo=None).isoformat()
    return [s.astimezone(zone) for _, s in islice(occurrences(rule, first, str(zone)), n)]


@pytest.mark.parametrize(
    ("choice", "start", "rule"),
    [
        (RecurrenceChoice("daily"), datetime(2026, 3, 2, 9), "FREQ=DAILY"),
        (RecurrenceChoice("daily", interval=3), datetime(2026, 3, 2, 9), "FREQ=DAILY;INTERVAL=3"),
        (RecurrenceChoice("weekdays"), datetime(2026, 3, 2, 9), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        (RecurrenceChoice("weekly"), datetime(2026, 3, 3, 9), "FREQ=WEEKLY;BYDAY=TU"),
        (RecurrenceChoice("weekly", weekdays=("TH", "MO")), datetime(2026, 3, 2, 9), "FREQ=WEEKLY;BYDAY=MO,TH"),
        (RecurrenceChoice("weekly", interval=2), datetime(2026, 3, 3, 9), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        (RecurrenceChoice("monthly_date"), datetime(2026, 3, 15, 9), "FREQ=MONTHLY;BYMONTHDAY=15"),
        (RecurrenceChoice("monthly_nth"), datetime(2026, 3, 10, 9), "FREQ=MONTHLY;BYDAY=2TU"),
        (RecurrenceChoice("monthly_nth"), datetime(2026, 3, 31, 9), "FREQ=MONTHLY;BYDAY=-1TU"),
        (RecurrenceChoice("weekly", ends="after", count=10), datetime(2026, 3, 3, 9), "FREQ=WEEKLY;BYDAY=TU;COUNT=10"),
        (RecurrenceChoice("weekly", ends="on", until=date(2026, 6, 30)), datetime(2026, 3, 3, 9),
         "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T215959Z"),
    ],
)
def test_every_option_builds_the_rfc_5545_rule(choice, start, rule):
    assert build_rule(choice, start.replace(tzinfo=BERLIN)) == rule


def test_no_repeat_is_no_rule():
    assert build_rule(RecurrenceChoice("none"), datetime(2026, 3, 3, 9, tzinfo=BERLIN)) is None


@pytest.mark.parametrize(
    ("choice", "field"),
    [
        (RecurrenceChoice("hourly"), "frequency"),
        (RecurrenceChoice("daily", interval=0), "interval"),
        (RecurrenceChoice("weekly", weekdays=("XX",)), "weekdays"),
        (RecurrenceChoice("weekly", ends="on"), "until"),
        (RecurrenceChoice("weekly", ends="on", until=date(2026, 1, 1)), "until"),
        (RecurrenceChoice("weekly", ends="after", count=0), "count"),
        (RecurrenceChoice("weekly", ends="sometime"), "ends"),
    ],
)
def test_bad_choices_name_their_field(choice, field):
    with pytest.raises(ValidationError) as info:
        build_rule(choice, datetime(2026, 3, 3, 9, tzinfo=BERLIN))
    assert set(info.value.errors) == {field}


def test_berlin_weekly_stays_at_ten_across_both_dst_changes():
    spring = _local("FREQ=WEEKLY;BYDAY=TU", datetime(2026, 3, 24, 10), BERLIN, 2)
    autumn = _local("FREQ=WEEKLY;BYDAY=TU", datetime(2026, 10, 20, 10), BERLIN, 2)
    assert [(t.hour, t.minute) for t in spring + autumn] == [(10, 0)] * 4
    assert [t.utcoffset().total_seconds() / 3600 for t in spring] == [1, 2]
    assert [t.utcoffset().total_seconds() / 3600 for t in autumn] == [2, 1]


def test_new_york_daily_stays_at_nine_across_its_own_dst_dates():
    # The USA moves on 8 March and 1 November 2026, weeks apart from Europe.
    march = _local("FREQ=DAILY", datetime(2026, 3, 7, 9), NEW_YORK, 3)
    november = _local("FREQ=DAILY", datetime(2026, 10, 31, 9), NEW_YORK, 3)
    assert {(t.hour, t.minute) for t in march + november} == {(9, 0)}
    utc_hours = [t.astimezone(UTC).hour for t in march]
    assert utc_hours == [14, 13, 13]


def test_weekdays_skip_the_weekend():
    days = _local("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", datetime(2026, 3, 5, 9), BERLIN, 4)
    assert [t.strftime("%a %d") for t in days] == ["Thu 05", "Fri 06", "Mon 09", "Tue 10"]


def test_monthly_by_nth_weekday_and_by_date():
    second_tuesdays = _local("FREQ=MONTHLY;BYDAY=2TU", datetime(2026, 3, 10, 9), BERLIN, 3)
    assert [t.date() for t in second_tuesdays] == [date(2026, 3, 10), date(2026, 4, 14), date(2026, 5, 12)]
    fifteenths = _local("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15", datetime(2026, 1, 15, 9), BERLIN, 3)
    assert [t.date() for t in fifteenths] == [date(2026, 1, 15), date(2026, 3, 15), date(2026, 5, 15)]


def test_ends_after_a_count_or_on_a_date():
    assert len(list(occurrences("FREQ=WEEKLY;BYDAY=TU;COUNT=3", "2026-03-03T09:00:00", "Europe/Berlin"))) == 3
    until = build_rule(RecurrenceChoice("weekly", ends="on", until=date(2026, 3, 17)),
                       datetime(2026, 3, 3, 23, 30, tzinfo=NEW_YORK))
    last = list(occurrences(until, "2026-03-03T23:30:00", "America/New_York"))[-1][1]
    assert last.astimezone(NEW_YORK).date() == date(2026, 3, 17)  # the last day counts, in the series' zone


def test_occurrences_after_a_moment_keep_their_index():
    found = list(islice(occurrences("FREQ=DAILY", "2026-03-01T09:00:00", "UTC",
                                    after=datetime(2026, 3, 3, 12, tzinfo=UTC)), 2))
    assert [i for i, _ in found] == [4, 5]


def test_ends_before_cuts_a_rule():
    cut = ends_before("FREQ=WEEKLY;BYDAY=TU;COUNT=50", datetime(2026, 3, 17, 0, tzinfo=BERLIN))
    assert cut == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260316T225959Z"
    assert len(list(occurrences(cut, "2026-03-03T10:00:00", "Europe/Berlin"))) == 2


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (None, "Does not repeat"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every 2 weeks on Tuesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Every month on the last Friday"),
        ("FREQ=DAILY;COUNT=5", "Every day, 5 times"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T215959Z", "Every week on Tuesday, until 30 Jun 2026"),
        # Imported rules (calendar import) may be shaped otherwise.
        ("FREQ=MONTHLY;BYDAY=1MO,3MO", "Every month on the first Monday, the third Monday"),
        ("FREQ=MONTHLY;BYDAY=TU", "Every month on Tuesday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE;WKST=MO", "Every week on Monday, Wednesday"),
        ("FREQ=YEARLY;BYMONTH=3", "Every year"),
    ],
)
def test_rules_are_described_in_words(rule, text):
    assert describe(rule, "Europe/Berlin") == text
