"""Self-checking exercises: a checker says what is wrong, and never fails an unattempted cell.

A lesson's exercise cell holds ``answer = ...``; running it unchanged prints "not attempted
yet" instead of failing, so the lesson still runs headless. The solution cell (tagged
``solution``, collapsed) runs the same check with ``strict=True``, so CI proves it right.

>>> check(..., lambda a: None)
Not attempted yet: replace `...` with your answer and run the cell again.
>>> check(3, lambda a: None if a == 3 else "not three")
Correct!
>>> check(4, lambda a: None if a == 3 else "not three", strict=True)
Traceback (most recent call last):
AssertionError: not three
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class NotAttempted(Exception):  # noqa: N818 - reads naturally where a verifier raises it
    """Raised by a verifier when the answer is still the placeholder (e.g. returns None)."""


def check(
    answer: Any, verify: Callable[[Any], str | None], *, strict: bool = False,
    praise: str = "Correct!",
) -> None:
    """Run ``verify(answer)``: ``None`` means right, a string says what is wrong.

    Prints one line for the learner. With ``strict`` (solution cells) anything but a right
    answer raises ``AssertionError``, so a headless run proves the solution.
    """
    problem: str | None
    if answer is Ellipsis:
        problem = "replace `...` with your answer and run the cell again."
        verdict = "Not attempted yet"
    else:
        verdict = "Not yet"
        try:
            problem = verify(answer)
        except NotAttempted as why:
            problem, verdict = str(why), "Not attempted yet"
        except Exception as exc:  # noqa: BLE001 - the learner's code failed; say how, briefly
            problem = f"your answer raised {type(exc).__name__}: {exc}"
    if problem is None:
        print(praise)
    elif strict:
        raise AssertionError(problem)
    else:
        print(f"{verdict}: {problem}")
