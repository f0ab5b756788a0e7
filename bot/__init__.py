"""The application: settings, use cases, Telegram adapter, console, CLI."""
