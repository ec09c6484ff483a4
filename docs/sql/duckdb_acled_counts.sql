-- Weekly event counts per admin1 from an ACLED export, with uptick's rules for ACLED:
-- Saturday weeks, an event listed once per actor counted once (event_id_cnty), the
-- incomplete last week left out. Read the result with `uptick ... --input counts.csv
-- --week-start sat` (the header selects --preset counts).
-- Dates: ACLED's '%d-%b-%y' (5-Aug-24); use '%Y-%m-%d' for ISO exports.
COPY (
  WITH e AS (SELECT DISTINCT event_id_cnty, strptime(event_date, '%d-%b-%y')::DATE AS day,
                    country, admin1
             FROM read_csv('acled.csv', all_varchar = true)
             WHERE admin1 IS NOT NULL AND trim(admin1) <> ''),
       w AS (SELECT day - CAST((dayofweek(day) + 1) % 7 AS INTEGER) AS week_start,
                    country, admin1 FROM e)
  SELECT week_start, country, admin1, count(*) AS events FROM w
  WHERE week_start + 6 <= (SELECT max(day) FROM e)
  GROUP BY ALL ORDER BY ALL
) TO 'counts.csv';
