"""Reads of petitions. Interface code gets petitions only through the ``*_for_user`` gates.

By what they read: ``access`` (jurisdiction: the gate every read starts from), ``lists`` (the
worklist and filtered lists), ``detail`` (one petition's page), ``parties`` (who sees identities), ``deadlines`` (deadlines as
pages show them). Every name is importable from ``xinfang.petitions.selectors`` itself.
"""

from xinfang.petitions.selectors.access import (
    _exclusions,
    _held,
    _jurisdiction,
    _names,
    _visible,
    petition_get_for_user,
    petition_names_user,
    petition_queryset_for_organ_hints,
    petition_queryset_for_statistics,
    petition_queryset_for_user,
    petition_queryset_linkable_for,
    petition_visible,
    petitions_naming,
    statistics_scope,
)
from xinfang.petitions.selectors.deadlines import DeadlineView, deadlines_of, due_status
from xinfang.petitions.selectors.detail import (
    attachment_for_user,
    petition_actions_for_user,
    petition_detail_for_user,
    petition_for_receipt,
)
from xinfang.petitions.selectors.lists import (
    COUNT_CAP,
    DUE_FILTERS,
    FAR,
    Page,
    _list_columns,
    due_range,
    flag_q,
    list_filters_check,
    petition_list_for_user,
    region_prefix,
    worklist_bad_filter,
    worklist_dues,
    worklist_filters,
    worklist_flag_counts,
    worklist_for_user,
)
from xinfang.petitions.selectors.parties import (
    identity_restricted,
    identity_restricted_q,
    identity_shown_q,
    parties_for_user,
    user_may_see_identity,
)
from xinfang.petitions.selectors.targets import organ_targets
from xinfang.petitions.selectors.worklist_counts import (
    WorklistCounts,
    worklist_counts,
    worklist_due_by_organ,
)

__all__ = [
    "COUNT_CAP",
    "DUE_FILTERS",
    "FAR",
    "DeadlineView",
    "Page",
    "_exclusions",
    "_held",
    "_jurisdiction",
    "_list_columns",
    "_names",
    "_visible",
    "attachment_for_user",
    "petition_for_receipt",
    "deadlines_of",
    "due_range",
    "due_status",
    "flag_q",
    "identity_restricted",
    "identity_restricted_q",
    "identity_shown_q",
    "parties_for_user",
    "petition_actions_for_user",
    "petition_detail_for_user",
    "organ_targets",
    "petition_get_for_user",
    "petition_list_for_user",
    "petition_names_user",
    "petition_queryset_for_statistics",
    "petition_queryset_for_organ_hints",
    "petition_queryset_linkable_for",
    "petition_queryset_for_user",
    "petition_visible",
    "petitions_naming",
    "region_prefix",
    "statistics_scope",
    "user_may_see_identity",
    "WorklistCounts",
    "worklist_counts",
    "worklist_due_by_organ",
    "worklist_flag_counts",
    "worklist_for_user",
    "list_filters_check",
    "worklist_bad_filter",
    "worklist_dues",
    "worklist_filters",
]
