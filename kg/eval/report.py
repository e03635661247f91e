"""The one table printer of ``kg eval`` (and ``benchmarks/eval_baselines.py``): metrics as fixed-width rows.

``format_report(results, title)`` prints one system's results; ``format_report({"kg": ..., "naive": ...},
title)`` prints several side by side (one column group per system, in the given order). A scored row
(:class:`Scored`: a PRF or a coreference ratio) shows P, R and F1 per system, and for a PRF the first
system's tp/fp/fn; a float row its value per system; an int value is
a count about the gold data or the run (e.g. ``events_unaligned``) and is printed once, after the table,
from the first system. ``labels`` names the rows and orders them (keys it does not list follow, in the
results' order); without it the rows are named by their keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast, runtime_checkable

from kg.eval.scoring import PRF


@runtime_checkable
class Scored(Protocol):
    """A row with precision, recall and F1 (:class:`PRF`, or :class:`kg.eval.coref.Ratio`)."""

    @property
    def precision(self) -> float: ...

    @property
    def recall(self) -> float: ...

    @property
    def f1(self) -> float: ...


Value = Scored | float
Results = Mapping[str, Value]

# Metric key -> label printed by ``kg eval``, in report order.
LABELS: dict[str, str] = {
    "entities": "NE mentions (overlap+type)",
    "entities_exact": "NE mentions (exact+type)",
    "triggers_id": "trigger identification",
    "triggers_cls": "trigger classification",
    "triggers_fine": "trigger classif. (fine class)",
    "args_id": "argument identification",
    "args_cls": "argument role (end to end)",
    "events_per_gold": "system events per gold event",
    "events_per_gold_doc": "  per document (mean)",
    "rams_arg_recall_per_event": "RAMS mean arg recall/event",
    "plover_type_accuracy": "PLOVER event type accuracy",
    "plover_coarse_accuracy": "PLOVER coarse type accuracy",
    "plover_source_recall": "PLOVER source recall",
    "plover_target_recall": "PLOVER target recall",
    "coref_muc": "event coreference MUC",
    "coref_bcub": "event coreference B-cubed",
    "coref_ceafe": "event coreference CEAF-e",
    "coref_conll": "event coreference CoNLL F1",
    "muc4_incident": "incident detection (per doc)",
    "muc4_incident_fpr": "  FP rate, docs w/o incident",
    "muc4_roles": "role fillers (all roles)",
    "muc4_roles_entity": "role fillers, by entity",
    "events_unaligned": "gold events unaligned",
    "coref_gold_mentions": "gold event mentions",
    "muc4_docs_incident": "documents with an incident",
    "muc4_docs_none": "documents without one",
    "muc4_offsets_repaired": "gold offsets repaired",
    "muc4_mentions_missing": "gold mentions not in the text",
}
# Labels of per-class rows (``coarse:conflict`` -> "coarse class conflict").
PREFIX_LABELS: dict[str, str] = {"coarse:": "coarse class ", "fine:": "fine class ", "muc4_role:": "  role "}
_LABEL_WIDTH = 30
_COLUMN_WIDTH = 22


def labels_for(*results: Mapping[str, object]) -> dict[str, str]:
    """:data:`LABELS` followed by labels for the per-class keys of the results, in their order."""
    labels = dict(LABELS)
    for one in results:
        for key in one:
            prefix = next((p for p in PREFIX_LABELS if key.startswith(p)), None)
            if prefix is not None and key not in labels:
                labels[key] = PREFIX_LABELS[prefix] + key[len(prefix):]
    return labels


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _cell(value: Value | None) -> str:
    if value is None:
        return f"{'-':>{_COLUMN_WIDTH}}"
    if isinstance(value, Scored):
        return f"{value.precision:>7.3f}{value.recall:>7.3f}{value.f1:>7.3f} "
    if _is_count(value):
        return f"{value:>{_COLUMN_WIDTH - 1}} "
    return f"{value:>{_COLUMN_WIDTH - 1}.3f} "


def format_report(results: Results | Mapping[str, Results], title: str, *,
                  labels: Mapping[str, str] | None = None) -> str:
    """A fixed-width table of one system's results, or of several systems' side by side (see the module)."""
    columns: Mapping[str, Results]
    if results and all(isinstance(v, Mapping) for v in results.values()):
        columns = cast(Mapping[str, Results], results)
    else:
        columns = {"": cast(Results, results)}
    labels = labels or {}
    names = list(columns)
    first = columns[names[0]]
    sub = f"{'metric':<{_LABEL_WIDTH}}" + f"{'P':>7}{'R':>7}{'F1':>7} " * len(names) + "  tp/fp/fn"
    lines = [title]
    if names != [""]:
        lines.append(f"{'':<{_LABEL_WIDTH}}" + "".join(f"{name:^{_COLUMN_WIDTH}}" for name in names)
                     + f"  {names[0]} counts")
    lines += [sub, "-" * len(sub)]
    keys = [k for k in labels if any(k in c for c in columns.values())]
    keys += [k for c in columns.values() for k in c if k not in labels and k not in keys]
    keys = list(dict.fromkeys(keys))
    counts = [k for k in keys if _is_count(first.get(k))]
    for key in keys:
        if key in counts:
            continue
        row = f"{labels.get(key, key):<{_LABEL_WIDTH}}" + "".join(_cell(columns[n].get(key)) for n in names)
        value = first.get(key)
        if isinstance(value, PRF):
            row += f"  {value.tp}/{value.fp}/{value.fn}"
        lines.append(row.rstrip())
    for key in counts:
        lines.append(f"{labels.get(key, key):<{_LABEL_WIDTH}}{first[key]:>{_COLUMN_WIDTH - 1}}")
    return "\n".join(lines)
