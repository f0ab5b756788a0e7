"""The Telegram adapter: parse updates, call one use case, render the result."""
