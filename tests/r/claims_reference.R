# Usage: Rscript claims_reference.R INDIR OUT.csv
# Reference values for the claim rules of hccrep/audit.py (claim_findings), computed independently:
#   INDIR/tables.csv  : id,row,col,count  a contingency table in long form (a split the text says
#       did not differ, or a 2 x 2 table of adverse events): chisq.test without and with Yates'
#       correction, fisher.test, and the smallest expected count.
#   INDIR/meansd.csv  : id,m1,s1,n1,m2,s2,n2  two groups printed as mean +- SD: t.test (Student
#       and Welch) on samples with exactly the printed mean and SD (scale()).
#   INDIR/ratios.csv  : id,est,lower,upper  a ratio and its 95% CI: the Wald p the interval
#       implies, the gap between log(est) and the centre of the log interval, and whether the
#       interval excludes 1.
#   INDIR/pct.csv     : id,pct,decimals,n,count  the counts k of 0..n whose 100 k / n rounds (half
#       up) to pct, their number and the smallest; and whether count / n rounds to pct.
#   INDIR/grim.csv    : id,mean,decimals,n  1 when a total of n integers has a mean that rounds to
#       the printed one (within half a unit), else 0; and (grim.ID.all) 1 when every value printed
#       to those decimals within 1 of the mean is reachable so (GRIM cannot tell), by enumeration.
#   INDIR/debit.csv   : id,mean,md,sd,sdd,n  1 when some k of n binary values gives a mean and a
#       sample SD (sd(c(rep(1, k), rep(0, n - k)))) within half a unit of the printed ones, else 0.
#   INDIR/events.csv  : id,lower,upper,prev  events implied by a hazard ratio's CI for a binary
#       covariate: 1 / (SE^2 prev (1 - prev)), SE = (log upper - log lower) / (2 qnorm(0.975)).
# Writes key,value lines (see _common.R).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: claims_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
out <- kv_open(args[[2]])
emit <- out$emit
indir <- args[[1]]
rd <- function(name) read.csv(file.path(indir, name), stringsAsFactors = FALSE)

tb <- rd("tables.csv")
for (id in unique(tb$id)) {
  d <- tb[tb$id == id, ]
  m <- xtabs(count ~ row + col, data = d)
  m <- m[rowSums(m) > 0, , drop = FALSE]
  emit(paste0("p.", id, ".chisq"), suppressWarnings(chisq.test(m, correct = FALSE)$p.value))
  emit(paste0("p.", id, ".chisq_yates"), suppressWarnings(chisq.test(m, correct = TRUE)$p.value))
  emit(paste0("p.", id, ".fisher"), fisher.test(m, workspace = 2e8)$p.value)
  emit(paste0("p.", id, ".min_expected"), min(suppressWarnings(chisq.test(m))$expected))
}

exact_sample <- function(n, m, s, seed) {
  set.seed(seed)
  m + s * as.numeric(scale(rnorm(n)))
}
ms <- rd("meansd.csv")
for (i in seq_len(nrow(ms))) {
  r <- ms[i, ]
  x <- exact_sample(r$n1, r$m1, r$s1, 1)
  y <- exact_sample(r$n2, r$m2, r$s2, 2)
  emit(paste0("t.", r$id, ".student"), t.test(x, y, var.equal = TRUE)$p.value)
  emit(paste0("t.", r$id, ".welch"), t.test(x, y, var.equal = FALSE)$p.value)
}

ra <- rd("ratios.csv")
for (i in seq_len(nrow(ra))) {
  r <- ra[i, ]
  se <- (log(r$upper) - log(r$lower)) / (2 * qnorm(0.975))
  emit(paste0("ratio.", r$id, ".p"), 2 * pnorm(-abs(log(r$est)) / se))
  emit(paste0("ratio.", r$id, ".gap"), abs(log(r$est) - (log(r$lower) + log(r$upper)) / 2))
  emit(paste0("ratio.", r$id, ".excludes1"), as.numeric(r$lower > 1 || r$upper < 1))
}

half_up <- function(x, d) floor(x * 10^d + 0.5 + 1e-9) / 10^d
pc <- rd("pct.csv")
for (i in seq_len(nrow(pc))) {
  r <- pc[i, ]
  k <- 0:r$n
  hit <- k[abs(half_up(100 * k / r$n, r$decimals) - r$pct) < 1e-9]
  emit(paste0("pct.", r$id, ".nk"), length(hit))
  emit(paste0("pct.", r$id, ".kmin"), if (length(hit)) min(hit) else -1)
  emit(paste0("pct.", r$id, ".count_ok"),
       if (is.na(r$count)) NA else as.numeric(abs(half_up(100 * r$count / r$n, r$decimals) - r$pct) < 1e-9))
}

gr <- rd("grim.csv")
for (i in seq_len(nrow(gr))) {
  r <- gr[i, ]
  h <- 0.5 * 10^-r$decimals + 1e-9
  tot <- floor((r$mean - h) * r$n):ceiling((r$mean + h) * r$n)
  emit(paste0("grim.", r$id), as.numeric(any(abs(tot / r$n - r$mean) <= h)))
  grid <- round(r$mean + (-10^r$decimals):(10^r$decimals) * 10^-r$decimals, r$decimals)
  reach <- vapply(grid, function(m) {
    t <- floor((m - h) * r$n):ceiling((m + h) * r$n)
    any(abs(t / r$n - m) <= h)
  }, logical(1))
  emit(paste0("grim.", r$id, ".all"), as.numeric(all(reach)))
}

de <- rd("debit.csv")
for (i in seq_len(nrow(de))) {
  r <- de[i, ]
  ok <- FALSE
  for (k in 0:r$n) {
    v <- c(rep(1, k), rep(0, r$n - k))
    if (abs(mean(v) - r$mean) <= 0.5 * 10^-r$md + 1e-9 && abs(sd(v) - r$sd) <= 0.5 * 10^-r$sdd + 1e-9) ok <- TRUE
  }
  emit(paste0("debit.", r$id), as.numeric(ok))
}

ev <- rd("events.csv")
for (i in seq_len(nrow(ev))) {
  r <- ev[i, ]
  se <- (log(r$upper) - log(r$lower)) / (2 * qnorm(0.975))
  emit(paste0("events.", r$id), 1 / (se^2 * r$prev * (1 - r$prev)))
}
out$close()
