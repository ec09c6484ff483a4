"""Two copies of a gen_acled.py file that differ only in the `notes` column, to time uptick and
Polars with and without long text (issue 16):
  OUT_nonotes.csv    the notes column left out
  OUT_longnotes.csv  each note replaced by an ACLED-like note of about 330 bytes, quoted, with
                     commas and doubled quotes
Usage: python3 notes_variants.py INPUT.csv OUT   (writes OUT_nonotes.csv and OUT_longnotes.csv)"""
import csv
import sys

NOTE = ('On {d}, unidentified gunmen, reportedly members of the "Islamic State", attacked a '
        'checkpoint of the military forces near the village, using small arms and an IED; the '
        'clashes lasted for several hours, and local sources said that residents fled towards '
        'the district centre. Fatalities are reported by the source. [size=no report]')

src, out = sys.argv[1], sys.argv[2]
with open(src, newline="") as f, \
        open(out + "_nonotes.csv", "w", newline="") as short, \
        open(out + "_longnotes.csv", "w", newline="") as long:
    rows = csv.reader(f)
    header = next(rows)
    notes, date = header.index("notes"), header.index("event_date")
    no_notes = csv.writer(short, lineterminator="\n")
    long_notes = csv.writer(long, lineterminator="\n")
    no_notes.writerow(header[:notes] + header[notes + 1:])
    long_notes.writerow(header)
    for row in rows:
        no_notes.writerow(row[:notes] + row[notes + 1:])
        row[notes] = NOTE.format(d=row[date])
        long_notes.writerow(row)
