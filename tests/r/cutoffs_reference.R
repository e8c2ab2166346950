# Usage: Rscript cutoffs_reference.R COHORTS.csv SETTINGS.csv OUT.csv
# COHORTS.csv : cohort,time,status,y,marker   (y: a 0/1 outcome for smethod = "Data")
# SETTINGS.csv: cohort,minprop,maxprop,cutoff  (cutoff: fixed cut-off for survdiff)
# Writes key,value lines (see _common.R):
#   <cohort>.maxstat.{statistic,estimate,p}          maxstat.test(Surv ~ marker, smethod="LogRank", pmethod="Lau92")
#   <cohort>.maxstat_binary.{statistic,estimate,p}   maxstat.test(y ~ marker, smethod="Data", pmethod="Lau92")
#   <cohort>.survdiff.{chisq,o_minus_e_high}         survdiff(Surv ~ marker > cutoff)
#   <cohort>.score.<i>                               exactRankTests::cscores(Surv, "LogRank") (first cohort only)
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3L) stop("usage: cutoffs_reference.R COHORTS.csv SETTINGS.csv OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need(c("survival", "maxstat", "exactRankTests")))
out <- kv_open(args[[3]])
emit <- out$emit

coh <- read.csv(args[[1]], stringsAsFactors = FALSE)
set <- read.csv(args[[2]], stringsAsFactors = FALSE)
for (k in seq_len(nrow(set))) {
  cid <- set$cohort[k]
  d <- coh[coh$cohort == cid, ]
  m <- maxstat.test(Surv(time, status) ~ marker, data = d, smethod = "LogRank", pmethod = "Lau92",
                    minprop = set$minprop[k], maxprop = set$maxprop[k])
  emit(sprintf("%s.maxstat.statistic", cid), m$statistic)
  emit(sprintf("%s.maxstat.estimate", cid), m$estimate)
  emit(sprintf("%s.maxstat.p", cid), m$p.value)
  b <- maxstat.test(y ~ marker, data = d, smethod = "Data", pmethod = "Lau92",
                    minprop = set$minprop[k], maxprop = set$maxprop[k])
  emit(sprintf("%s.maxstat_binary.statistic", cid), b$statistic)
  emit(sprintf("%s.maxstat_binary.estimate", cid), b$estimate)
  emit(sprintf("%s.maxstat_binary.p", cid), b$p.value)
  d$high <- as.integer(d$marker > set$cutoff[k])
  sd <- survdiff(Surv(time, status) ~ high, data = d)
  emit(sprintf("%s.survdiff.chisq", cid), sd$chisq)
  emit(sprintf("%s.survdiff.o_minus_e_high", cid), sd$obs[2] - sd$exp[2])
  if (k == 1L) {
    sc <- cscores(Surv(d$time, d$status), type = "LogRank")
    for (i in seq_along(sc)) emit(sprintf("%s.score.%d", cid, i), sc[i])
  }
}
out$close()
