"""Step 4: what the trainee does not know. ``quiz`` writes true and false statements per
relation, ``judge`` asks the trainee yes/no and stores the ``loss`` on every edge;
``items`` is what both walk."""
