"""Grading: a submission's files -> the sandbox -> compare with the expected values ->
results -> the gradebook and output files, one student or a whole batch.

The only stage that wires authoring (variants), the sandbox and exports together."""
