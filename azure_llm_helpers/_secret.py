"""A string that never shows itself: keys and tokens pass through settings as ``Secret``."""

from __future__ import annotations


class Secret:
    """Holds a key or token; ``repr``/``str``/f-strings print a mask, ``reveal()`` the value.

    >>> s = Secret("0123456789abcdef0123456789abcdef")
    >>> s
    Secret('********')
    >>> len(s.reveal())
    32
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value: pass it to an SDK, never to ``print``."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    # Immutable, so copies can share it; pickling is what must not happen.
    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict) -> Secret:
        return self

    def __reduce__(self) -> tuple:
        # Pickling would write the value to disk; refuse rather than leak.
        raise TypeError("a Secret cannot be pickled")
