"""Dates in an organisation's own time zone: a due date ends at midnight where the hires work, not in UTC."""

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app

from app.models import Organisation
from app.models.base import utcnow


class TimeZoneError(ValueError):
    """A time zone name that is not in the IANA database; the message is safe to show."""


@lru_cache(maxsize=None)
def zone(name: str) -> ZoneInfo:
    """The IANA zone of this name; raises TimeZoneError for an unknown one."""
    if name not in zone_names():
        raise TimeZoneError(f"{name!r} is not a time zone name such as America/Chicago.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise TimeZoneError(f"{name!r} is not a time zone name such as America/Chicago.") from error


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted, for a form's choices."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def zone_name_of(organisation: Organisation) -> str:
    """The organisation's zone, or the configured default when it has not chosen one."""
    return organisation.time_zone or current_app.config["DEFAULT_TIME_ZONE"]


def local_date(organisation: Organisation, instant: datetime) -> date:
    """The calendar date where the organisation works at a moment stored in UTC (naive, as the models keep it)."""
    aware = instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone(zone_name_of(organisation))).date()


def today(organisation: Organisation, now: datetime | None = None) -> date:
    """Today's date where the organisation works."""
    return local_date(organisation, now or utcnow())
