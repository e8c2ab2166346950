# Usage: Rscript fastsurv_reference.R IN.csv OUT.csv
# IN.csv : cohort,time,status,group   (one row per patient; times with ties)
# Writes key,value lines (see _common.R): per cohort and transform the KM median
# with its CI (summary(fit)$table), survival with CI at landmarks 3, 6 and 12
# (summary(fit, times=)), and the survdiff chi-square over the groups.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: fastsurv_reference.R IN.csv OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need("survival"))
out <- kv_open(args[[2]])
emit <- out$emit
d <- read.csv(args[[1]], stringsAsFactors = FALSE)
for (cid in unique(d$cohort)) {
  x <- d[d$cohort == cid, ]
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(time, status) ~ 1, data = x, conf.type = ct)
    tab <- summary(fit)$table
    k <- sprintf("%s.%s", cid, ct)
    emit(paste0(k, ".median"), tab[["median"]])
    emit(paste0(k, ".lower"), tab[["0.95LCL"]])
    emit(paste0(k, ".upper"), tab[["0.95UCL"]])
    times <- c(3, 6, 12)
    times <- times[times <= max(x$time)]
    s <- summary(fit, times = times)
    for (i in seq_along(s$time)) {
      kk <- sprintf("%s.at%g", k, s$time[i])
      emit(paste0(kk, ".survival"), s$surv[i])
      emit(paste0(kk, ".lower"), s$lower[i])
      emit(paste0(kk, ".upper"), s$upper[i])
      emit(paste0(kk, ".n_risk"), s$n.risk[i])
    }
  }
  sd <- survdiff(Surv(time, status) ~ group, data = x)
  emit(sprintf("%s.logrank.chisq", cid), sd$chisq)
  emit(sprintf("%s.logrank.df", cid), length(sd$n) - 1)
}
out$close()
