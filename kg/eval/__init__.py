"""Evaluation (``kg eval``): score extraction records against public gold data and print the figures.
May import kg.records, kg.extract, kg.mapping, kg.ontology, kg.settings, kg.errors, kg.resources, kg.yamlio; no sink.

- :mod:`kg.eval.goldsets`: gold loaders (one plain shape, exact character offsets) and taxonomy alignment
  (``mappings/alignment.yaml``).
- :mod:`kg.eval.classes`: the event class tree as event type keys, read from the ontology and the mapping.
- :mod:`kg.eval.scoring`: precision/recall/F1 of entities, triggers and arguments, and per-format extras.
- :mod:`kg.eval.muc4`: MUC-4 gold, incident detection per document and role-filler scores.
- :mod:`kg.eval.coref`: event coreference (MUC, B-cubed, CEAF-e, CoNLL F1) and the ``clusters`` gold format.
- :mod:`kg.eval.baselines`: bare spaCy NER and a naive lemma-list extractor, to compare with.
- :mod:`kg.eval.report`: the table printer.
- :mod:`kg.eval.run`: ``run_eval``, which extracts the gold texts and scores them (and the baselines).
"""
