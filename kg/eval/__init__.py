"""Evaluation (``kg eval``): score extraction records against public gold data and print the figures.
May import kg.records, kg.extract, kg.mapping, kg.ontology, kg.settings, kg.errors, kg.resources, kg.yamlio; no sink.

- :mod:`kg.eval.goldsets`: gold loaders (one plain shape, exact character offsets) and taxonomy alignment
  (``mappings/alignment.yaml``).
- :mod:`kg.eval.scoring`: precision/recall/F1 of entities, triggers and arguments, and per-format extras.
- :mod:`kg.eval.run`: ``run_eval``, which extracts the gold texts and scores them (and the baselines).
"""
