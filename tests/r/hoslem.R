# ResourceSelection::hoslem.test, re-implemented by hand (sourced, not run directly).
#
# ResourceSelection cannot be installed here (no CRAN access), so its algorithm
# is written out below from the package's documented behaviour and source
# history (github.com/psolymos/ResourceSelection, R/hoslem.test.R):
#
#   1. break points: quantile(p, probs = seq(0, 1, 1/g)) (R's default type 7),
#      duplicates dropped with unique();
#   2. groups: cut(p, breaks, include.lowest = TRUE), i.e. intervals (a, b]
#      with the lowest value included in the first;
#   3. C-hat = sum over every interval and both outcomes of (O - E)^2 / E;
#      an interval without patients contributes 0/0 = NaN, so C-hat is NaN;
#   4. degrees of freedom -- the two versions differ:
#        * up to 0.3-5 (2011-2019):      df = g - 2, g the REQUESTED number;
#        * from 0.3-6 (CRAN, June 2023): df = G - 2, G the number of non-empty
#          groups formed, with a warning when G < g and an error when G < 2;
#   5. p = 1 - pchisq(C-hat, df).
hoslem_cells <- function(y, p, g) {
  breaks <- unique(quantile(p, probs = seq(0, 1, 1 / g)))
  grp <- cut(p, breaks = breaks, include.lowest = TRUE)
  o1 <- as.numeric(tapply(y, grp, sum, default = 0))
  e1 <- as.numeric(tapply(p, grp, sum, default = 0))
  n <- as.numeric(table(grp))
  list(n = n, o1 = o1, e1 = e1, o0 = n - o1, e0 = n - e1)
}

#
# drop_empty = TRUE is not the package: it leaves empty intervals out of the sum (the textbook
# statistic of the non-empty groups), the one documented difference of hccrep's hosmer_lemeshow.
hoslem_test <- function(y, p, g = 10, version = c("0.3-6", "0.3-5"), drop_empty = FALSE) {
  version <- match.arg(version)
  cl <- hoslem_cells(y, p, g)
  if (drop_empty) cl <- lapply(cl, function(v) v[cl$n > 0])
  chisq <- sum((cl$o1 - cl$e1)^2 / cl$e1 + (cl$o0 - cl$e0)^2 / cl$e0)
  formed <- sum(cl$n > 0)
  df <- if (version == "0.3-5") g - 2 else formed - 2
  if (df < 0) stop("The number of bins led to negative df.")
  list(statistic = chisq, df = df, p = 1 - pchisq(chisq, df), n = cl$n, formed = formed)
}
