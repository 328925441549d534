"""How an improvement-plan action is rated: computed from its status and dates, never typed in.

Councils' plans are usually RAG-rated by hand, so the same late action can be Green in one
workstream and Red in another. Here the rating is a rule, applied the same way to every action:

* **Cancelled** actions have no rating (None): they are no longer part of the plan.
* **Complete**: the status is complete.
* **Red**: not complete and the due date is before today (overdue), or an action it depends on is Red.
* **Amber**: on hold; or due within the next 14 days (today to today + 14, inclusive) and under 75%
  complete; or still not started after its start date; or progress behind the time elapsed between
  start and due dates by more than 25 percentage points.
* **Green**: anything else.

Boundaries: due today is not overdue; exactly 75% complete is not "under 75%"; not started *on* its
start date is not late; exactly 25 points behind is not "more than 25". No I/O here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

NOT_STARTED, IN_PROGRESS, COMPLETE = "not started", "in progress", "complete"
ON_HOLD, CANCELLED = "on hold", "cancelled"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETE, ON_HOLD, CANCELLED)
RED, AMBER, GREEN, DONE = "red", "amber", "green", "complete"
RAG_LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green", DONE: "Complete", None: "No rating"}

DUE_SOON_DAYS = 14
DUE_SOON_PERCENT = 75
BEHIND_POINTS = 25


def time_elapsed_percent(start: dt.date | None, due: dt.date, today: dt.date) -> float | None:
    """Share of the time from start to due that has passed, 0–100; None without a usable start date."""
    if start is None or due <= start:
        return None
    elapsed = (today - start).days / (due - start).days * 100
    return max(0.0, min(100.0, elapsed))


def reasons(status: str, percent: int, start: dt.date | None, due: dt.date, today: dt.date,
            dependency_rags: Iterable[str | None] = ()) -> tuple[str | None, list[str]]:
    """The rating and why, in words a plan owner can act on."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if status == CANCELLED:
        return None, ["cancelled"]
    if status == COMPLETE:
        return DONE, ["complete"]
    red: list[str] = []
    if due < today:
        red.append(f"overdue by {(today - due).days} day(s)")
    if any(r == RED for r in dependency_rags):
        red.append("an action it depends on is Red")
    if red:
        return RED, red
    amber: list[str] = []
    if status == ON_HOLD:
        amber.append("on hold")
    if (due - today).days <= DUE_SOON_DAYS and percent < DUE_SOON_PERCENT:
        amber.append(f"due within {DUE_SOON_DAYS} days and under {DUE_SOON_PERCENT}% complete")
    if status == NOT_STARTED and start is not None and today > start:
        amber.append("not started after its start date")
    elapsed = time_elapsed_percent(start, due, today)
    if elapsed is not None and elapsed - percent > BEHIND_POINTS:
        amber.append(f"{percent}% complete with {elapsed:.0f}% of the time gone")
    if amber:
        return AMBER, amber
    return GREEN, []


def action_rag(status: str, percent: int, start: dt.date | None, due: dt.date, today: dt.date,
               dependency_rags: Iterable[str | None] = ()) -> str | None:
    """The rating alone: ``red``, ``amber``, ``green``, ``complete``, or None when cancelled."""
    return reasons(status, percent, start, due, today, dependency_rags)[0]


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A dependency loop (as a list of refs, first repeated at the end), or None if there is none."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def rate_all(actions: Mapping[str, Mapping], today: dt.date) -> dict[str, tuple[str | None, list[str]]]:
    """Ratings for a whole plan, so a Red action turns the actions that depend on it Red.

    ``actions`` maps ref -> {status, percent_complete, start_date, due_date (dates), depends_on (refs)}.
    Dependencies on refs not in the mapping are ignored; the plan itself rejects them and loops.
    """
    out: dict[str, tuple[str | None, list[str]]] = {}

    def rate(ref: str, seen: frozenset[str]) -> str | None:
        if ref in out:
            return out[ref][0]
        a = actions[ref]
        deps = [d for d in a.get("depends_on", ()) if d in actions and d not in seen]
        dep_rags = [rate(d, seen | {ref}) for d in deps]
        out[ref] = reasons(a["status"], int(a["percent_complete"]), a.get("start_date"), a["due_date"], today,
                           dep_rags)
        return out[ref][0]

    for ref in actions:
        rate(ref, frozenset())
    return out
