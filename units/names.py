"""How a person is named wherever people read it: one function, here in the
lowest app so that the catalogue's own refusals use it too
(``reporting.formatting`` re-exports it)."""


def person_name(user) -> str:
    """Jane Smith, or the username when no name is on record."""
    if user is None:
        return "the system"
    return user.get_full_name() or user.get_username()
