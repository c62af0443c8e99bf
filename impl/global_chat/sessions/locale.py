"""BCP 47 locales, canonicalized with langcodes (`uk-ua` -> `uk-UA`).

The contract's pattern admits a language, an optional script, region and variants; every tag it
admits is one langcodes can canonicalize (a property test checks it), so a schema-valid locale is
never refused here. The check below guards callers that did not come through the contract.
"""

from __future__ import annotations

import langcodes
from langcodes.tag_parser import LanguageTagError

from global_chat.errors import InvalidLocale


def canonical_locale(raw: str) -> str:
    try:
        return str(langcodes.standardize_tag(raw))
    except (ValueError, LanguageTagError):
        raise InvalidLocale(raw) from None
