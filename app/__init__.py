"""Assistenzzeit: offline-first shifts and timesheets for the Arbeitgebermodell."""

__version__ = "0.1.0"
