"""The lawful procedure of a petition (信访事项) as a pure table.

PURE: imports no Django. Every state, action and transition of regulation.md §6 lives here,
each transition with the article of 信访工作条例 (2022) that grounds it. The one writer of
``Petition.state`` (``petitions.services.petition_act``) asks :func:`next_state` and nothing
else; pages and the API ask :func:`available_actions` for what to offer.

Labels are Chinese (the default language); ``_`` only marks them for translation catalogues.

Three modules, by what they do: ``vocabulary`` (the words and their labels), ``guards`` (the
facts a step depends on and the refusals, each with its article) and ``table`` (the
transitions and the functions that read them). Import from here.
"""

from xinfang.petitions.workflow.guards import Context
from xinfang.petitions.workflow.table import (
    TRANSITIONS,
    Guard,
    IllegalAction,
    Transition,
    available_actions,
    is_final,
    mermaid,
    next_state,
    own_input_choices,
    transition_for,
)
from xinfang.petitions.workflow.vocabulary import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    FINAL_STATES,
    OPEN_STATES,
    ROUTE_HELP,
    ROUTE_LABELS,
    STATE_LABELS,
    TERMINAL_STATES,
    Action,
    Category,
    OpinionOutcome,
    ReviewOutcome,
    Route,
    State,
)

__all__ = [
    "ACTION_LABELS",
    "CATEGORY_LABELS",
    "FINAL_STATES",
    "OPEN_STATES",
    "ROUTE_HELP",
    "ROUTE_LABELS",
    "STATE_LABELS",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Action",
    "Category",
    "Context",
    "Guard",
    "IllegalAction",
    "OpinionOutcome",
    "ReviewOutcome",
    "Route",
    "State",
    "Transition",
    "available_actions",
    "is_final",
    "mermaid",
    "next_state",
    "own_input_choices",
    "transition_for",
]
