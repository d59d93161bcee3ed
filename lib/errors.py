"""The one exception type for bad input: a catalogue key plus its parameters."""

from __future__ import annotations


class InputError(Exception):
    """Input the user can fix; `key` names a message in `lib.i18n.CATALOGUE`.

    Raised by readers, mapping and validation; caught by pages (shown with
    `st.error`) and by the CLI (one line on stderr, exit code 2).
    """

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = "en") -> str:
        from lib.i18n import t

        return t(self.key, lang, **self.params)
