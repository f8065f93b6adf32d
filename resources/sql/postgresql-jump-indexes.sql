-- Indexes an operator may add to a django-celery-results table on PostgreSQL so that Stalk
-- reaches any page in under 100 ms at a million rows when the table is sorted by another
-- column than date_done, or filtered by status or task name (see the README, "Pages on the
-- servers"). django-celery-results' own indexes cover one column each; PostgreSQL keeps no
-- id in them, so a jump into a run of equal values reads every row of the run first.
-- Stalk never creates these. Each one adds an index entry to every result a worker writes.
-- CONCURRENTLY builds them without blocking the workers' writes (not inside a transaction).
CREATE INDEX CONCURRENTLY IF NOT EXISTS stalk_taskresult_task_name_id
    ON django_celery_results_taskresult (task_name, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS stalk_taskresult_worker_id
    ON django_celery_results_taskresult (worker, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS stalk_taskresult_status_date_done_id
    ON django_celery_results_taskresult (status, date_done, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS stalk_taskresult_task_name_date_done_id
    ON django_celery_results_taskresult (task_name, date_done, id);
