-- Impact analysis walks down from a CI by its dependents: with the dependent in the index, each step
-- is read from the index alone.
DROP INDEX ci_relations_dependency_idx;
CREATE INDEX ci_relations_dependency_idx ON ci_relations (dependency_id, dependent_id);
