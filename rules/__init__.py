"""The knowledge: compliance and data rules, eligibility and scoring, presence matching.

Pure functions over pandas data; no I/O. Check rules register themselves in
:mod:`rules.registry`; :func:`rules.registry.all_rules` imports every rule module.
"""
