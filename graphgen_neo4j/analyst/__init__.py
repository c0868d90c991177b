"""The analysts' side: the Cypher query library (``curation``) and the alias review
queue (``resolve``)."""
