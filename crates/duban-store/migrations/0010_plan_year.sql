-- The year a plan is for (from its title or text, e.g. 2025年), so that
-- ongoing tasks and annual targets are judged against the plan's year and
-- not the calendar year of the day asked (issue 7, item 12). NULL for
-- documents imported before: the year of doc_date is used then.
ALTER TABLE documents ADD COLUMN plan_year BIGINT
