# Harrell's C-index of a risk score (higher = worse) for time and status.
library(survival)
d <- read.csv("d.csv")
# reverse = TRUE: a higher risk should go with a shorter survival time.
cc <- concordance(Surv(time, status) ~ risk, data = d, reverse = TRUE)
cc
