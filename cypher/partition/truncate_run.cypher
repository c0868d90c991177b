// Drop a partition run's batches from index $from_index on (isolated-entity batches, which
// come after every relation batch, included), and clear the run's marks on relations
// whose batch is no longer there, so that the run is an unbroken prefix again and can be
// resumed exactly (see run_state.cypher; partition.py only does this when generation has
// used none of the batches dropped).
// Parameters: $run_id, $from_index.   Returns: dropped, unmarked.
:param run_id => 'partition-20260101-000000'
:param from_index => 0
CALL () {
  MATCH (b:Batch {run_id: $run_id})
  WHERE b.index >= $from_index
  DETACH DELETE b
  RETURN count(*) AS dropped
}
CALL () {
  MATCH ()-[r:RELATED]->()
  WHERE r.batch_run_id = $run_id AND NOT EXISTS { MATCH (b:Batch {id: r.batch_id}) }
  SET r.batch_id = null, r.batch_run_id = null
  RETURN count(*) AS unmarked
}
RETURN dropped, unmarked
