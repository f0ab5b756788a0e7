"""Pure presentation: the text, buttons, callback-data codecs and command lists the
bot shows. No Telegram import: the adapter (bot/telegram), the console and the CLI
all render through these, so what `ask --json` prints is what a chat would get."""
