-- An alert that changes state too often (a Nagios FLAPPINGSTART, or more than five changes within
-- thirty minutes) is flapping from this moment: its incident is marked with a note, and is neither
-- resolved nor reopened by it until it has settled (a FLAPPINGSTOP, or ten minutes without change).
ALTER TABLE alerts ADD COLUMN flapping_since timestamptz,
    -- when it last settled: the changes before it no longer count
    ADD COLUMN settled_at timestamptz;
