-- Statistics on engagements' start_time (the expression of crm_records_engagement_start_time_idx):
-- ANALYZE does not gather them for a partial expression index, and without them the planner
-- guesses a third of the rows for any started_after / started_before and walks the seq index.
CREATE STATISTICS "crm_records_start_time_stats" ON (("data"->>'start_time')) FROM "crm_records";
