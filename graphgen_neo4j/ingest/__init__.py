"""Steps 1–3: documents → chunks → extraction → entities and relations merged into Neo4j.

``readers`` (files → documents), ``chunking`` (token chunks), ``extract`` (the
synthesizer's entities and relations per chunk), ``merge`` (the single writer and the
summaries), ``stage`` (the ingest stage that ties them together)."""
