"""Use cases: plain inputs in, plain dataclasses out. No Telegram types here."""
