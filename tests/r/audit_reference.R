# Usage: Rscript audit_reference.R INDIR OUT.csv
# Reference values for the rounding-aware audit rules (hccrep/audit.py), computed independently:
#   INDIR/ttest.csv : id,m1,s1,n1,hm1,hs1,m2,s2,n2,hm2,hs2,plo,phi
#       two groups printed as mean ± SD (h*: half a unit of the last printed digit) and the
#       interval of p-values that print as the paper's p.  Emits, per variant (student, welch):
#       the p of t.test on samples with exactly the printed mean and SD (scale()), the smallest and
#       largest p over a brute-force grid of the rounding box (formulas, vectorised), and whether
#       the printed p meets that range.
#   INDIR/anova.csv : id,group,m,s,n,hm,hs   (k >= 3 groups per id)
#       one-way ANOVA (oneway.test, var.equal = TRUE) on scale()d samples, and its grid range.
#   INDIR/wald.csv  : id,est,lower,upper,h
#       the Wald p range over a grid of (estimate, lower, upper), each within +-h, keeping only
#       0 < lower < estimate < upper.
#   INDIR/mw.csv    : id,group,value   two samples per id: their means, SDs and wilcox.test p.
#   INDIR/interaction.csv : id,e1,l1,u1,h1,e2,l2,u2,h2
#       the Altman-Bland interaction test of two ratios with CIs, at the printed values and its
#       range over a grid of all six numbers within +-h.
#   INDIR/grim.csv  : id,mean,decimals,n   1 when some total of n integers gives a mean within
#       half a unit of the printed one, else 0.
# Writes key,value lines (see _common.R).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: audit_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
out <- kv_open(args[[2]])
emit <- out$emit

# a sample of size n whose mean and SD are exactly m and s
exact_sample <- function(n, m, s, seed) {
  set.seed(seed)
  m + s * as.numeric(scale(rnorm(n)))
}

t_p <- function(d, s1, n1, s2, n2, equal) {
  if (equal) {
    df <- n1 + n2 - 2
    se <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / df * (1 / n1 + 1 / n2))
  } else {
    v1 <- s1^2 / n1
    v2 <- s2^2 / n2
    se <- sqrt(v1 + v2)
    df <- (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1))
  }
  2 * pt(abs(d) / se, df, lower.tail = FALSE)
}

axis <- function(x, h, k, positive = FALSE) {
  lo <- x - h
  if (positive) lo <- max(lo, 1e-9)
  seq(lo, x + h, length.out = k)
}

tt <- read.csv(file.path(args[[1]], "ttest.csv"), stringsAsFactors = FALSE)
for (i in seq_len(nrow(tt))) {
  r <- tt[i, ]
  x <- exact_sample(r$n1, r$m1, r$s1, 1)
  y <- exact_sample(r$n2, r$m2, r$s2, 2)
  g <- expand.grid(m1 = axis(r$m1, r$hm1, 5), m2 = axis(r$m2, r$hm2, 5),
                   s1 = axis(r$s1, r$hs1, 41, TRUE), s2 = axis(r$s2, r$hs2, 41, TRUE))
  for (v in c("student", "welch")) {
    eq <- v == "student"
    emit(sprintf("t.%s.%s.p", r$id, v), t.test(x, y, var.equal = eq)$p.value)
    p <- t_p(g$m1 - g$m2, g$s1, r$n1, g$s2, r$n2, eq)
    emit(sprintf("t.%s.%s.lo", r$id, v), min(p))
    emit(sprintf("t.%s.%s.hi", r$id, v), max(p))
    emit(sprintf("t.%s.%s.fit", r$id, v), as.numeric(min(p) <= r$phi && max(p) >= r$plo))
  }
}

an <- read.csv(file.path(args[[1]], "anova.csv"), stringsAsFactors = FALSE)
for (id in unique(an$id)) {
  d <- an[an$id == id, ]
  k <- nrow(d)
  vals <- unlist(lapply(seq_len(k), function(j) exact_sample(d$n[j], d$m[j], d$s[j], j)))
  grp <- factor(rep(seq_len(k), d$n))
  emit(sprintf("anova.%s.p", id), oneway.test(vals ~ grp, var.equal = TRUE)$p.value)
  means <- expand.grid(lapply(seq_len(k), function(j) axis(d$m[j], d$hm[j], 7)))
  N <- sum(d$n)
  ps <- c()
  for (sds in list(pmax(d$s - d$hs, 1e-9), d$s + d$hs)) {
    ssw <- sum((d$n - 1) * sds^2)
    mm <- as.matrix(means)
    grand <- as.numeric(mm %*% d$n) / N
    ssb <- rowSums(sweep((mm - grand)^2, 2, d$n, `*`))
    ps <- c(ps, pf((ssb / (k - 1)) / (ssw / (N - k)), k - 1, N - k, lower.tail = FALSE))
  }
  emit(sprintf("anova.%s.lo", id), min(ps))
  emit(sprintf("anova.%s.hi", id), max(ps))
}

wd <- read.csv(file.path(args[[1]], "wald.csv"), stringsAsFactors = FALSE)
z975 <- qnorm(0.975)
for (i in seq_len(nrow(wd))) {
  r <- wd[i, ]
  g <- expand.grid(e = axis(r$est, r$h, 41), lo = axis(r$lower, r$h, 41), hi = axis(r$upper, r$h, 41))
  g <- g[g$lo > 0 & g$lo < g$e & g$e < g$hi, ]
  if (nrow(g) == 0) next
  se <- (log(g$hi) - log(g$lo)) / (2 * z975)
  p <- 2 * pnorm(abs(log(g$e)) / se, lower.tail = FALSE)
  emit(sprintf("wald.%s.lo", r$id), min(p))
  emit(sprintf("wald.%s.hi", r$id), max(p))
}

mw <- read.csv(file.path(args[[1]], "mw.csv"), stringsAsFactors = FALSE)
for (id in unique(mw$id)) {
  d <- mw[mw$id == id, ]
  xs <- split(d$value, factor(d$group, levels = unique(d$group)))
  for (j in 1:2) {
    emit(sprintf("mw.%s.mean%d", id, j), mean(xs[[j]]))
    emit(sprintf("mw.%s.sd%d", id, j), sd(xs[[j]]))
  }
  emit(sprintf("mw.%s.p", id), wilcox.test(xs[[1]], xs[[2]], exact = FALSE, correct = TRUE)$p.value)
}

ia <- read.csv(file.path(args[[1]], "interaction.csv"), stringsAsFactors = FALSE)
ab_p <- function(e1, l1, u1, e2, l2, u2) {
  se <- sqrt(((log(u1) - log(l1)) / (2 * z975))^2 + ((log(u2) - log(l2)) / (2 * z975))^2)
  2 * pnorm(abs(log(e1) - log(e2)) / se, lower.tail = FALSE)
}
for (i in seq_len(nrow(ia))) {
  r <- ia[i, ]
  emit(sprintf("ia.%s.p", r$id), ab_p(r$e1, r$l1, r$u1, r$e2, r$l2, r$u2))
  g <- expand.grid(e1 = axis(r$e1, r$h1, 7), l1 = axis(r$l1, r$h1, 7), u1 = axis(r$u1, r$h1, 7),
                   e2 = axis(r$e2, r$h2, 7), l2 = axis(r$l2, r$h2, 7), u2 = axis(r$u2, r$h2, 7))
  g <- g[g$l1 > 0 & g$l2 > 0 & g$u1 > g$l1 & g$u2 > g$l2, ]
  p <- ab_p(g$e1, g$l1, g$u1, g$e2, g$l2, g$u2)
  emit(sprintf("ia.%s.lo", r$id), min(p))
  emit(sprintf("ia.%s.hi", r$id), max(p))
}

gr <- read.csv(file.path(args[[1]], "grim.csv"), stringsAsFactors = FALSE)
for (i in seq_len(nrow(gr))) {
  r <- gr[i, ]
  k <- 0:ceiling((r$mean + 1) * r$n)
  emit(sprintf("grim.%s", r$id), as.numeric(any(abs(k / r$n - r$mean) <= 0.5 * 10^-r$decimals + 1e-9)))
}
out$close()
