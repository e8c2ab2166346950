# Usage: Rscript lv2025_reference.R IN.csv OUT.csv
# IN.csv: cohort,time,status,group,score  (group ordered by score)
# Writes, per cohort, the k-group log-rank chi-square (survdiff), the log-rank test for trend
# built from survdiff's observed, expected and variance matrix, and the score test of a Cox model
# with the group score as one covariate and Breslow ties (the same statistic, computed another way).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: lv2025_reference.R IN.csv OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need("survival"))
out <- kv_open(args[[2]])
emit <- out$emit
d <- read.csv(args[[1]], stringsAsFactors = FALSE)
for (cid in unique(d$cohort)) {
  x <- d[d$cohort == cid, ]
  lev <- unique(x$group[order(x$score)])
  x$g <- factor(x$group, levels = lev)
  sd <- survdiff(Surv(time, status) ~ g, data = x)
  emit(sprintf("%s.logrank.chisq", cid), sd$chisq)
  w <- sort(unique(x$score))
  u <- sum(w * (sd$obs - sd$exp))
  v <- as.numeric(t(w) %*% sd$var %*% w)
  emit(sprintf("%s.trend.chisq", cid), u^2 / v)
  fit <- coxph(Surv(time, status) ~ score, data = x, ties = "breslow")
  emit(sprintf("%s.coxscore.chisq", cid), fit$score)
}
out$close()
