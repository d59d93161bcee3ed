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

    def message(self, lang: str = "en", escape=None) -> str:
        """The sentence in `lang`, with field, table and reason names translated too.

        `escape` is applied to every text parameter (file and column names are user text): the
        app passes `lib.analysis.formatting.literal` because it shows the sentence as Markdown.
        """
        from lib.i18n import CATALOGUE, t

        params, ours = dict(self.params), set()
        for name, prefix in (("field", "field"), ("table", "table"), ("reason", "reason")):
            value = params.get(name)
            if isinstance(value, str) and f"{prefix}.{value}" in CATALOGUE:
                label = t(f"{prefix}.{value}", lang)
                params[name] = f"{label} ({value})" if name == "field" else label
                ours.add(name)  # our own words, not user text
        if escape:
            params = {k: escape(v) if isinstance(v, str) and k not in ours else v for k, v in params.items()}
        return t(self.key, lang, **params)
