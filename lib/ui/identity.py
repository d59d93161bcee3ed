"""Who uses the app and whether they may change the team's data: the one place that decides.

Identity comes from Streamlit's own login (`st.login`, `st.user`, with an OIDC provider under
`[auth]` in `.streamlit/secrets.toml`) or, only when the administrator names it in
`AFTERSIGHT_USER_HEADER`, from a header set by the authenticating proxy in front of the app
(a header nobody named is never trusted: any browser can send one). `AFTERSIGHT_EDITORS` lists
the editors. With no identity configured, anyone who reaches the app may edit (README says so).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import streamlit as st

HEADER_ENV = "AFTERSIGHT_USER_HEADER"
EDITORS_ENV = "AFTERSIGHT_EDITORS"


@dataclass(frozen=True)
class Identity:
    """The user's name (None: not signed in or unknown) and whether any identity source is configured."""

    name: str | None
    configured: bool


def current() -> Identity:
    """This session's user: Streamlit's login first, else the configured proxy header."""
    info = st.user.to_dict()
    login = "is_logged_in" in info  # present exactly when [auth] is configured (or someone is logged in)
    if info.get("is_logged_in"):
        name = str(info.get("email") or info.get("name") or info.get("sub") or "").strip()
        if name:
            return Identity(name[:200], True)
    header = os.environ.get(HEADER_ENV, "").strip()
    if header:
        value = (st.context.headers.get(header) or "").strip()
        return Identity(value[:200] or None, True)
    return Identity(None, login)


def editors() -> frozenset[str]:
    """The editors named in `AFTERSIGHT_EDITORS` (commas or spaces between them), compared without case."""
    return frozenset(n.casefold() for n in re.split(r"[,\s;]+", os.environ.get(EDITORS_ENV, "")) if n)


def allowed(identity: Identity, listed: frozenset[str]) -> bool:
    """May this identity change the team's data?

    No identity configured: everyone may, unless editors are listed (then no one can be
    recognised as one, so no one may: a half-done setup fails closed). Configured: a
    signed-in user who is listed, or any signed-in user when no list is given.
    """
    if not identity.configured:
        return not listed
    if identity.name is None:
        return False
    return not listed or identity.name.casefold() in listed


def may_edit() -> bool:
    """Whether this session's user may add to or undo the team's data (and rename or delete shared views)."""
    return allowed(current(), editors())
