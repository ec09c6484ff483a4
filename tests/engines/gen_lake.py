"""Writes a synthetic ACLED-shaped event table as Hive-partitioned Parquet, as Spark writes a
lake: OUT/year=2015/data_0.parquet, ... Every 20th row repeats the previous row's event id (an
event listed once per actor, same day and place), 1,000 country/admin1 regions, 2015-2024.

Usage: gen_lake.py ROWS OUT_DIR
"""
import sys
import time

import duckdb

n, out = int(sys.argv[1]), sys.argv[2]
t = time.time()
duckdb.sql(f"""
COPY (
  WITH r AS (SELECT i, i - CASE WHEN i % 20 = 19 THEN 1 ELSE 0 END AS e FROM range({n}) t(i)),
  s AS (SELECT i, e, DATE '2015-01-01' + CAST(hash(e) % 3650 AS INTEGER) AS d FROM r)
  SELECT 'EV' || CAST(e AS VARCHAR) AS event_id_cnty,
         strftime(d, '%Y-%m-%d') AS event_date,
         'Country' || lpad(CAST(hash(e * 7) % 40 AS VARCHAR), 2, '0') AS country,
         'Province' || lpad(CAST(hash(e * 13) % 25 AS VARCHAR), 3, '0') AS admin1,
         CASE WHEN hash(e * 3) % 7 = 0 THEN 'Islamic State (Syria)' ELSE 'Military Forces' END AS actor1,
         CAST(hash(e * 11) % 5 AS INTEGER) AS fatalities,
         year(d) AS year
  FROM s
) TO '{out}' (FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)
""")
print(f"{n} rows in {time.time() - t:.1f} s", file=sys.stderr)
