# Usage: Rscript survival_reference.R INDIR OUT.csv
# INDIR/lung.csv     : written by lung_data.R
# INDIR/cohorts.csv  : cohort,time,status,group,x_cont,x_bin,x_int
# INDIR/landmarks.csv: cohort,time   (landmark times per cohort)
# Writes key,value lines (see _common.R).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: survival_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need("survival"))
out <- kv_open(args[[2]])
emit <- out$emit

lung <- read.csv(file.path(args[[1]], "lung.csv"))
coh <- read.csv(file.path(args[[1]], "cohorts.csv"), stringsAsFactors = FALSE)
marks <- read.csv(file.path(args[[1]], "landmarks.csv"), stringsAsFactors = FALSE)

datasets <- list(lung = data.frame(time = lung$time, status = lung$status, group = lung$sex))
for (cid in unique(coh$cohort)) datasets[[cid]] <- coh[coh$cohort == cid, ]

# Kaplan-Meier: median with CI (summary(fit)$table) and landmark survival,
# overall and per group, for each confidence-interval transform.
km_keys <- function(prefix, d, times) {
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
    tab <- summary(fit)$table
    k <- sprintf("%s.km.%s", prefix, ct)
    emit(paste0(k, ".median"), tab[["median"]])
    emit(paste0(k, ".lower"), tab[["0.95LCL"]])
    emit(paste0(k, ".upper"), tab[["0.95UCL"]])
    s <- summary(fit, times = times)
    for (i in seq_along(s$time)) {
      kk <- sprintf("%s.landmark.%.17g", k, s$time[i])
      emit(paste0(kk, ".n_risk"), s$n.risk[i])
      emit(paste0(kk, ".survival"), s$surv[i])
      emit(paste0(kk, ".std_err"), s$std.err[i])
      emit(paste0(kk, ".lower"), s$lower[i])
      emit(paste0(kk, ".upper"), s$upper[i])
    }
  }
}

for (name in names(datasets)) {
  d <- datasets[[name]]
  times <- marks$time[marks$cohort == name]
  km_keys(name, d, times)
  for (g in sort(unique(d$group))) km_keys(sprintf("%s.group_%s", name, g), d[d$group == g, ], times)
  sd <- survdiff(Surv(time, status) ~ group, data = d)
  emit(sprintf("%s.logrank.statistic", name), sd$chisq)
  emit(sprintf("%s.logrank.df", name), length(sd$n) - 1)
  emit(sprintf("%s.logrank.p", name), pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
}

# lung by ECOG performance status (4 groups, one with a single patient)
l2 <- lung[!is.na(lung$ph_ecog), ]
sd <- survdiff(Surv(time, status) ~ ph_ecog, data = l2)
emit("lung_ecog.logrank.statistic", sd$chisq)
emit("lung_ecog.logrank.df", length(sd$n) - 1)
emit("lung_ecog.logrank.p", pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))

# Cox models: multivariable on lung (complete cases) and on the tied cohorts
cox_keys <- function(prefix, formula, d) {
  for (ties in c("efron", "breslow")) {
    fit <- coxph(formula, data = d, ties = ties)
    s <- summary(fit)
    co <- s$coefficients
    ci <- s$conf.int
    emit(sprintf("%s.cox.%s.n", prefix, ties), fit$n)
    emit(sprintf("%s.cox.%s.events", prefix, ties), fit$nevent)
    for (v in rownames(co)) {
      k <- sprintf("%s.cox.%s.%s", prefix, ties, v)
      emit(paste0(k, ".coef"), co[v, "coef"])
      emit(paste0(k, ".hr"), co[v, "exp(coef)"])
      emit(paste0(k, ".se"), co[v, "se(coef)"])
      emit(paste0(k, ".z"), co[v, "z"])
      emit(paste0(k, ".p"), co[v, "Pr(>|z|)"])
      emit(paste0(k, ".lower"), ci[v, "lower .95"])
      emit(paste0(k, ".upper"), ci[v, "upper .95"])
    }
  }
}
lc <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph_ecog")]), ]
cox_keys("lung", Surv(time, status) ~ age + sex + ph_ecog, lc)
cox_keys("lung_age", Surv(time, status) ~ age, lc)
for (cid in unique(coh$cohort)) {
  cox_keys(cid, Surv(time, status) ~ x_cont + x_bin + x_int, datasets[[cid]])
}
out$close()
