"""Runs queries of `uptick sql` on a real engine, each over one export loaded as a table of text
columns named `events`, and writes each result as CSV with a header.

Usage: run_sql.py ENGINE JOBS.json
ENGINE: duckdb | spark (PySpark in local mode, one session for all jobs).
JOBS.json: a list of {"export": PATH, "query": PATH, "out": PATH}; the export is a CSV
(.csv or .csv.gz, loaded as text columns) or a directory of Hive-partitioned Parquet
(`year=2024/part.parquet`, read as the engine reads a lake).
PostgreSQL is driven from the Rust test itself (psql).
"""
import csv
import gzip
import json
import os
import sys
import time

engine, jobs_path = sys.argv[1:3]
jobs = json.load(open(jobs_path, encoding="utf-8"))


def write(out, header, rows):
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def query_of(job):
    return open(job["query"], encoding="utf-8").read().strip().rstrip(";")


if engine == "duckdb":
    import duckdb

    for job in jobs:
        start = time.time()
        con = duckdb.connect()
        if os.path.isdir(job["export"]):
            lake = os.path.join(job["export"], "*", "*.parquet")
            con.execute(
                f"CREATE VIEW events AS SELECT * FROM read_parquet('{lake}', hive_partitioning = true)"
            )
        else:
            con.execute(
                "CREATE TABLE events AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
                [job["export"]],
            )
        cur = con.execute(query_of(job))
        write(job["out"], [d[0] for d in cur.description], cur.fetchall())
        con.close()
        print(f"duckdb {job['export']}: {time.time() - start:.2f} s", file=sys.stderr)
elif engine == "spark":
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("uptick-sql-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for job in jobs:
        start = time.time()
        export = job["export"]
        if os.path.isdir(export):
            spark.read.parquet(export).createOrReplaceTempView("events")
            result = spark.sql(query_of(job))
            write(job["out"], result.columns, [[None if v is None else str(v) for v in r] for r in result.toLocalIterator()])
            print(f"spark {export}: {time.time() - start:.2f} s", file=sys.stderr)
            continue
        opener = gzip.open if export.endswith(".gz") else open
        with opener(export, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        width = len(header)
        body = [(r + [None] * width)[:width] for r in body]
        schema = ", ".join("`" + h.replace("`", "``") + "` string" for h in header)
        spark.createDataFrame(body, schema=schema).createOrReplaceTempView("events")
        result = spark.sql(query_of(job))
        write(job["out"], result.columns, [[None if v is None else str(v) for v in r] for r in result.collect()])
        print(f"spark {export}: {time.time() - start:.2f} s", file=sys.stderr)
    spark.stop()
else:
    sys.exit(f"unknown engine {engine}")
