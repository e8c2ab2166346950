# A continuous row of Table 1: y (the measurement) by group (two or more groups).
d <- read.csv("d.csv")
# One-way ANOVA with equal variances (oneway.test's default is Welch's version).
anova <- oneway.test(y ~ group, data = d, var.equal = TRUE)
anova
# The Kruskal-Wallis rank test (with two groups it is the Wilcoxon rank-sum test).
kw <- kruskal.test(y ~ group, data = d)
kw
