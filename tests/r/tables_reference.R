# Usage: Rscript tables_reference.R INDIR OUT.csv
# INDIR/tables.csv : id,i,j,count  (long format r x c tables)
# INDIR/samples.csv: id,group,value
# Writes key,value lines (see _common.R).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: tables_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
out <- kv_open(args[[2]])
emit <- out$emit

tabs <- read.csv(file.path(args[[1]], "tables.csv"), stringsAsFactors = FALSE)
for (id in unique(tabs$id)) {
  d <- tabs[tabs$id == id, ]
  m <- matrix(0, max(d$i) + 1, max(d$j) + 1)
  m[cbind(d$i + 1, d$j + 1)] <- d$count
  for (corr in c(TRUE, FALSE)) {
    r <- suppressWarnings(chisq.test(m, correct = corr))
    k <- sprintf("table.%s.chisq_correct_%s", id, tolower(corr))
    emit(paste0(k, ".statistic"), r$statistic)
    emit(paste0(k, ".df"), r$parameter)
    emit(paste0(k, ".p"), r$p.value)
  }
  f <- fisher.test(m)
  emit(sprintf("table.%s.fisher.p", id), f$p.value)
  if (all(dim(m) == 2)) emit(sprintf("table.%s.fisher.estimate", id), f$estimate)
  emit(sprintf("table.%s.min_expected", id), min(outer(rowSums(m), colSums(m)) / sum(m)))
}

smp <- read.csv(file.path(args[[1]], "samples.csv"), stringsAsFactors = FALSE)
for (id in unique(smp$id)) {
  d <- smp[smp$id == id, ]
  g <- factor(d$group, levels = unique(d$group))
  xs <- split(d$value, g)
  if (length(xs) == 2L) {
    for (ve in c(TRUE, FALSE)) {
      r <- t.test(xs[[1]], xs[[2]], var.equal = ve)
      k <- sprintf("samples.%s.t_var_equal_%s", id, tolower(ve))
      emit(paste0(k, ".statistic"), r$statistic)
      emit(paste0(k, ".df"), r$parameter)
      emit(paste0(k, ".p"), r$p.value)
    }
    r <- wilcox.test(xs[[1]], xs[[2]], exact = FALSE, correct = TRUE)
    emit(sprintf("samples.%s.wilcox_approx.statistic", id), r$statistic)
    emit(sprintf("samples.%s.wilcox_approx.p", id), r$p.value)
    # R's default (exact = NULL): exact when both groups have < 50 observations and there are
    # no ties, otherwise the normal approximation with continuity correction
    r <- wilcox.test(xs[[1]], xs[[2]])
    emit(sprintf("samples.%s.wilcox_exact.statistic", id), r$statistic)
    emit(sprintf("samples.%s.wilcox_exact.p", id), r$p.value)
  }
  r <- kruskal.test(d$value, g)
  emit(sprintf("samples.%s.kruskal.statistic", id), r$statistic)
  emit(sprintf("samples.%s.kruskal.df", id), r$parameter)
  emit(sprintf("samples.%s.kruskal.p", id), r$p.value)
  r <- oneway.test(value ~ g, data = data.frame(value = d$value, g = g), var.equal = TRUE)
  emit(sprintf("samples.%s.anova.statistic", id), r$statistic)
  emit(sprintf("samples.%s.anova.df", id), r$parameter[[1]])
  emit(sprintf("samples.%s.anova.p", id), r$p.value)
}
out$close()
