"""BCP 47 locales, validated and canonicalized with langcodes (`uk-ua` -> `uk-UA`)."""

from __future__ import annotations

import langcodes
from langcodes.tag_parser import LanguageTagError

from global_chat.errors import InvalidLocale


def canonical_locale(raw: str) -> str:
    try:
        if langcodes.tag_is_valid(raw):
            return str(langcodes.standardize_tag(raw))
    except (ValueError, LanguageTagError):
        pass
    raise InvalidLocale(raw)
