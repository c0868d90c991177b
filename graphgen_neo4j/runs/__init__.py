"""The whole job and what is said about it: ``pipeline`` (run), ``record`` (the :Run
node), ``estimate``, ``doctor`` and ``report``."""
