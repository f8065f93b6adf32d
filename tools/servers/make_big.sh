#!/usr/bin/env bash
# make_big.sh URL ROWS  — inside with_postgres.sh / with_mariadb.sh: copies the schema of the
#   django-celery-results database at URL (made by Django's migrate) into a new database
#   <db>_big, fills it with ROWS generated rows in one INSERT … SELECT (generate_series on
#   PostgreSQL, the Sequence engine's seq_1_to_N on MariaDB), analyzes it and prints its URL.
#   Rows: ids in date order, date_done in runs of 3 equal values 2 s apart, 40 task names
#   (proj.tasks.fetch_feed in 1 row of 39), 5 statuses, 4 workers, a periodic task name in
#   1 row of 10 (NULL otherwise), JSON args holding the row number.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 URL ROWS" >&2; exit 2; }
url=$1 rows=$2
re='^([a-z]+)://([^:]+):([^@]+)@([^:/]+):([0-9]+)/(.+)$'
[[ $url =~ $re ]] || { echo "$0: cannot read $url" >&2; exit 2; }
scheme=${BASH_REMATCH[1]} user=${BASH_REMATCH[2]} pw=${BASH_REMATCH[3]}
host=${BASH_REMATCH[4]} port=${BASH_REMATCH[5]} db=${BASH_REMATCH[6]}
big=${db}_big
cols="task_id, task_name, task_args, task_kwargs, status, worker, content_type, content_encoding,
      result, date_created, date_done, traceback, meta, periodic_task_name"
case $scheme in
postgresql)
    PSQL=/usr/lib/postgresql/15/bin/psql
    pg() { PGPASSWORD=$pw "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U "$user" "$@"; }
    pg -d "$db" -c "DROP DATABASE IF EXISTS $big" -c "CREATE DATABASE $big TEMPLATE $db"
    pg -d "$big" <<SQL
TRUNCATE django_celery_results_taskresult, django_celery_results_groupresult RESTART IDENTITY;
INSERT INTO django_celery_results_taskresult ($cols)
SELECT md5(i::text)::uuid::text,
       CASE WHEN i % 39 = 0 THEN 'proj.tasks.fetch_feed' ELSE 'proj.tasks.job_' || (i % 39) END,
       '[' || i || ', "x"]', '{}',
       (ARRAY['SUCCESS','SUCCESS','SUCCESS','FAILURE','RETRY'])[1 + i % 5],
       'w' || (i % 4) || '@host', 'application/json', 'utf-8', '"ok"',
       timestamptz '2025-01-01 00:00:00+00' + (i / 3) * interval '2 seconds' - interval '1 second',
       timestamptz '2025-01-01 00:00:00+00' + (i / 3) * interval '2 seconds',
       NULL, NULL, CASE WHEN i % 10 = 0 THEN 'nightly-' || (i % 7) END
FROM generate_series(1, $rows) AS i;
VACUUM ANALYZE django_celery_results_taskresult;
SQL
    ;;
mysql)
    my() { mariadb --no-defaults -h "$host" -P "$port" -u "$user" -p"$pw" "$@"; }
    my -e "DROP DATABASE IF EXISTS $big; CREATE DATABASE $big CHARACTER SET utf8mb4"
    for t in django_migrations django_celery_results_taskresult django_celery_results_groupresult; do
        my -e "CREATE TABLE $big.$t LIKE $db.$t"
    done
    my "$big" >/dev/null <<SQL
INSERT INTO django_migrations SELECT * FROM $db.django_migrations;
INSERT INTO django_celery_results_taskresult ($cols)
SELECT LOWER(CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4),
                       SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12))),
       IF(seq % 39 = 0, 'proj.tasks.fetch_feed', CONCAT('proj.tasks.job_', seq % 39)),
       CONCAT('[', seq, ', "x"]'), '{}',
       ELT(1 + seq % 5, 'SUCCESS', 'SUCCESS', 'SUCCESS', 'FAILURE', 'RETRY'),
       CONCAT('w', seq % 4, '@host'), 'application/json', 'utf-8', '"ok"',
       TIMESTAMP'2025-01-01 00:00:00' + INTERVAL (seq DIV 3) * 2 SECOND - INTERVAL 1 SECOND,
       TIMESTAMP'2025-01-01 00:00:00' + INTERVAL (seq DIV 3) * 2 SECOND,
       NULL, NULL, IF(seq % 10 = 0, CONCAT('nightly-', seq % 7), NULL)
FROM seq_1_to_$rows;
ANALYZE TABLE django_celery_results_taskresult;
SQL
    ;;
*) echo "$0: $scheme is neither postgresql nor mysql" >&2; exit 2 ;;
esac
echo "$scheme://$user:$pw@$host:$port/$big"
