# Kaplan-Meier curves and the log-rank test: time (months), status (1 = event), group.
library(survival)
d <- read.csv("d.csv")
# conf.type = "log" is survfit's default; named here because other software differs.
fit <- survfit(Surv(time, status) ~ group, data = d, conf.type = "log")
summary(fit)$table[, c("records", "events", "median", "0.95LCL", "0.95UCL")]
lr <- survdiff(Surv(time, status) ~ group, data = d)
lr
pchisq(lr$chisq, df = length(lr$n) - 1, lower.tail = FALSE)
# survminer::ggsurvplot(fit, data = d, pval = TRUE, risk.table = TRUE) draws the curves.
