"""What a person types into a search box, made into a LIKE pattern that finds it as text: ``%``
and ``_`` match themselves, never any run of characters or any one character. Every search by
LIKE builds its pattern here and passes ``escape=LIKE_ESCAPE``:

    Account.display_name.ilike(contains_pattern(search), escape=LIKE_ESCAPE)

(The register of members is searched by index ranges instead: ``tmo.services.register_search``.)
"""

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards, and the escape character itself, escaped."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(text: str) -> str:
    """A pattern for the values that contain ``text``."""
    return f"%{escape_like(text)}%"


def starts_with_pattern(text: str) -> str:
    """A pattern for the values that start with ``text``."""
    return f"{escape_like(text)}%"
