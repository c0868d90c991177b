"""Step 5: cut the graph into batches (k-hop subgraphs around seed edges), upstream's
traverse strategy run over Neo4j."""
