# A categorical row of Table 1: x (the row's levels) by group (the arms).
d <- read.csv("d.csv")
tab <- table(d$x, d$group)
tab
# Pearson's chi-square without Yates' correction (what SPSS prints first);
# chisq.test() would apply the correction to a 2 x 2 table by default.
pearson <- chisq.test(tab, correct = FALSE)
pearson
# Fisher's exact test on the same table.
fisher <- fisher.test(tab)
fisher
