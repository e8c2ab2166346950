# Cox proportional hazards: time, status and numeric covariates (0/1 for categories).
library(survival)
d <- read.csv("d.csv")
# Every column other than time and status is a covariate; Efron ties are R's default.
fit <- coxph(Surv(time, status) ~ ., data = d, ties = "efron")
summary(fit)$conf.int[, c("exp(coef)", "lower .95", "upper .95"), drop = FALSE]
summary(fit)$coefficients[, "Pr(>|z|)"]
