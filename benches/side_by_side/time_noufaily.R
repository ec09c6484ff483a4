# Times surveillance::farringtonFlexible (noufaily preset, as in ../shared/reference/make_reference.R)
# on the regions of the ACLED Middle East weekly series written by `uptick series`:
#   uptick series -i ../shared/data/acled_me_weekly_agg/acled_middle_east_weekly_admin1_2015-2026.csv.gz -o me.csv
#   Rscript time_noufaily.R me.csv N [busiest]     # the first N regions (or the N busiest)
# with at least MIN_WEEKS (default 400) weeks; writes their names to keys.txt. Needs
# `apt-get install r-base-core r-cran-surveillance`. Run it on one core (`taskset -c 0`).
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
n_regions <- as.integer(args[2])
d$key <- paste(d$country, d$admin1, sep = "/")
keys <- unique(d$key)
lens <- sapply(keys, function(k) sum(d$key == k))
keys <- keys[lens >= as.integer(Sys.getenv("MIN_WEEKS", "400"))]
if (length(args) > 2 && args[3] == "busiest") keys <- keys[order(-sapply(keys, function(k) sum(d$events[d$key == k])))]
keys <- keys[seq_len(min(n_regions, length(keys)))]
weeks <- 0
t <- system.time(for (k in keys) {
  s <- d[d$key == k, ]
  x <- sts(observed = matrix(s$events), epoch = as.numeric(as.Date(s$week_start)), epochAsDate = TRUE, frequency = 52)
  ctl <- list(noPeriods = 10, b = 4, w = 3, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
              pThresholdTrend = 1, trend = TRUE, thresholdMethod = "nbPlugin", alpha = 0.05)
  ctl$range <- (52 * 4 + 26 + 4):nrow(s)
  ctl$glmWarnings <- FALSE
  r <- farringtonFlexible(x, control = ctl)
  weeks <- weeks + length(ctl$range)
})
writeLines(keys, "keys.txt")
cat(sprintf("regions %d, judged weeks %d, elapsed %.2f s, %.2f ms per judged week\n",
            length(keys), weeks, t[["elapsed"]], 1000 * t[["elapsed"]] / weeks))
