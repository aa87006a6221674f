"""Pages of the assessment workflow, one module per audience: units, reviewers, collection
units, the office, appeals and the audit log."""
