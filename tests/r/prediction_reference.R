# Reference values for hccrep.stats.prediction, computed live in R.
# Usage: Rscript prediction_reference.R INDIR OUT.csv
#   INDIR/roc.csv    : id,y,s1,s2          (several data sets with tied scores)
#   INDIR/pairs.csv  : a,b                 (ids compared by the unpaired DeLong test)
#   INDIR/calib.csv  : id,y,p              (predicted probabilities and outcomes)
#   INDIR/logit.csv  : y,x1,...            (one data set for glm / backward elimination / VIF)
# Writes key,value lines (see _common.R).
#
# ROC: pROC with direction = "<" (controls < threshold <= cases) and levels = c(0, 1), so nothing is
# flipped automatically.  Hosmer-Lemeshow: ResourceSelection::hoslem.test (version 0.3-6, df = groups
# formed - 2) as re-implemented by hand in hoslem.R, because ResourceSelection is not installed.
# Backward elimination: refit glm and
# drop the covariate with the largest Wald p while it exceeds p_remove (not step(), which uses AIC).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: prediction_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
source(file.path(here, "hoslem.R"))
need("pROC")
out <- kv_open(args[[2]])
emit <- out$emit
rd <- function(f) read.csv(file.path(args[[1]], f), stringsAsFactors = FALSE)
# glm converged far beyond its default (epsilon = 1e-8) so that the MLE itself is compared
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

# ---------------------------------------------------------------- ROC / DeLong / Youden
roc_d <- rd("roc.csv")
rocs <- list()
mk <- function(y, s) roc(y, s, direction = "<", levels = c(0, 1), quiet = TRUE)
for (id in unique(roc_d$id)) {
  d <- roc_d[roc_d$id == id, ]
  for (sc in c("s1", "s2")) {
    r <- mk(d$y, d[[sc]])
    rocs[[paste(id, sc)]] <- r
    k <- sprintf("roc.%s.%s", id, sc)
    ci <- ci.auc(r, method = "delong", conf.level = 0.95)
    emit(paste0(k, ".auc"), as.numeric(auc(r)))
    emit(paste0(k, ".lower"), ci[1])
    emit(paste0(k, ".upper"), ci[3])
    emit(paste0(k, ".se"), sqrt(var(r, method = "delong")))
    ci90 <- ci.auc(r, method = "delong", conf.level = 0.90)
    emit(paste0(k, ".lower90"), ci90[1])
    emit(paste0(k, ".upper90"), ci90[3])
    co <- coords(r, "all", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
    emit(paste0(k, ".coords.n"), nrow(co))
    for (i in seq_len(nrow(co))) {
      emit(sprintf("%s.coords.%d.threshold", k, i - 1), co$threshold[i])
      emit(sprintf("%s.coords.%d.sensitivity", k, i - 1), co$sensitivity[i])
      emit(sprintf("%s.coords.%d.specificity", k, i - 1), co$specificity[i])
    }
    b <- coords(r, "best", best.method = "youden", ret = c("threshold", "sensitivity", "specificity"),
                transpose = FALSE)
    b <- b[order(b$threshold), , drop = FALSE]
    emit(paste0(k, ".best.n"), nrow(b))
    emit(paste0(k, ".best.threshold"), b$threshold[1])
    emit(paste0(k, ".best.sensitivity"), b$sensitivity[1])
    emit(paste0(k, ".best.specificity"), b$specificity[1])
  }
  t <- roc.test(rocs[[paste(id, "s1")]], rocs[[paste(id, "s2")]], method = "delong", paired = TRUE)
  emit(sprintf("paired.%s.z", id), t$statistic)
  emit(sprintf("paired.%s.p", id), t$p.value)
  emit(sprintf("paired.%s.lower", id), t$conf.int[1])
  emit(sprintf("paired.%s.upper", id), t$conf.int[2])
}
pairs <- rd("pairs.csv")
for (i in seq_len(nrow(pairs))) {
  a <- pairs$a[i]
  b <- pairs$b[i]
  t <- roc.test(rocs[[paste(a, "s1")]], rocs[[paste(b, "s2")]], method = "delong", paired = FALSE)
  k <- sprintf("unpaired.%s.%s", a, b)
  emit(paste0(k, ".t"), t$statistic)
  emit(paste0(k, ".df"), t$parameter)
  emit(paste0(k, ".p"), t$p.value)
}

# ---------------------------------------------------------------- calibration
cal <- rd("calib.csv")
for (id in unique(cal$id)) {
  d <- cal[cal$id == id, ]
  k <- sprintf("calib.%s", id)
  lp <- qlogis(d$p)
  f0 <- glm(d$y ~ 1 + offset(lp), family = binomial, control = ctl)
  f1 <- glm(d$y ~ lp, family = binomial, control = ctl)
  emit(paste0(k, ".intercept"), coef(f0)[[1]])
  emit(paste0(k, ".slope"), coef(f1)[[2]])
  emit(paste0(k, ".brier"), mean((d$p - d$y)^2))
  for (g in c(10, 5)) {
    h <- hoslem_test(d$y, d$p, g, version = "0.3-6")  # tests/r/hoslem.R
    emit(sprintf("%s.hl%d.empty", k, g), sum(h$n == 0))
    for (variant in c("", ".nonempty")) {
      if (variant == ".nonempty") h <- hoslem_test(d$y, d$p, g, version = "0.3-6", drop_empty = TRUE)
      kk <- sprintf("%s.hl%d%s", k, g, variant)
      emit(paste0(kk, ".stat"), h$statistic)
      emit(paste0(kk, ".df"), h$df)
      emit(paste0(kk, ".p"), h$p)
      for (j in seq_along(h$n)) emit(sprintf("%s.n.%d", kk, j - 1), h$n[[j]])
    }
  }
}

# ---------------------------------------------------------------- logistic regression, stepwise, VIF
lg <- rd("logit.csv")
xs <- setdiff(names(lg), "y")
fit <- glm(reformulate(xs, "y"), data = lg, family = binomial, control = ctl)
cf <- summary(fit)$coefficients
ci <- confint.default(fit)
for (x in xs) {
  emit(sprintf("logit.full.%s.beta", x), cf[x, 1])
  emit(sprintf("logit.full.%s.se", x), cf[x, 2])
  emit(sprintf("logit.full.%s.p", x), cf[x, 4])
  emit(sprintf("logit.full.%s.lower", x), exp(ci[x, 1]))
  emit(sprintf("logit.full.%s.upper", x), exp(ci[x, 2]))
}
backward <- function(data, cand, p_remove) {
  removed <- character(0)
  ps <- numeric(0)
  while (length(cand) > 0) {
    f <- glm(reformulate(cand, "y"), data = data, family = binomial, control = ctl)
    pv <- summary(f)$coefficients[cand, 4]
    worst <- which.max(pv)
    if (pv[[worst]] <= p_remove) break
    removed <- c(removed, cand[worst])
    ps <- c(ps, pv[[worst]])
    cand <- cand[-worst]
  }
  list(selected = cand, removed = removed, p = ps)
}
for (pr in c(0.05, 0.10)) {
  b <- backward(lg, xs, pr)
  k <- sprintf("stepwise.%g", pr)
  emit(paste0(k, ".n_selected"), length(b$selected))
  for (x in xs) emit(sprintf("%s.selected.%s", k, x), as.numeric(x %in% b$selected))
  for (j in seq_along(b$removed)) {
    emit(sprintf("%s.step.%d.index", k, j), match(b$removed[j], xs) - 1)
    emit(sprintf("%s.step.%d.p", k, j), b$p[j])
  }
  if (length(b$selected)) {
    f <- glm(reformulate(b$selected, "y"), data = lg, family = binomial, control = ctl)
    for (x in b$selected) emit(sprintf("%s.final.%s.or", k, x), exp(coef(f)[[x]]))
  }
}
for (x in xs) {
  r2 <- summary(lm(reformulate(setdiff(xs, x), x), data = lg))$r.squared
  emit(sprintf("vif.%s", x), 1 / (1 - r2))
}
out$close()
