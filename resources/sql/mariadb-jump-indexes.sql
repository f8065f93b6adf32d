-- Indexes an operator may add to a django-celery-results table on MySQL/MariaDB so that
-- Stalk reaches any page in under 100 ms at a million rows when the table is filtered by
-- status or task name (see the README, "Pages on the servers"). InnoDB appends the primary
-- key to every secondary index, so django-celery-results' own one-column indexes already
-- serve the other sort orders; these add date_done after the filtered column.
-- Stalk never creates these. Each one adds an index entry to every result a worker writes.
-- InnoDB builds them in place without blocking the workers' writes.
CREATE INDEX IF NOT EXISTS stalk_taskresult_status_date_done
    ON django_celery_results_taskresult (status, date_done) ALGORITHM=INPLACE LOCK=NONE;
CREATE INDEX IF NOT EXISTS stalk_taskresult_task_name_date_done
    ON django_celery_results_taskresult (task_name, date_done) ALGORITHM=INPLACE LOCK=NONE;
