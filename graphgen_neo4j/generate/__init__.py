"""Step 6: QA from the batches (``stage``) and the datasets trainers load (``export``)."""
