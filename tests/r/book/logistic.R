# Logistic regression: y (0/1) and numeric covariates (0/1 for categories).
d <- read.csv("d.csv")
fit <- glm(y ~ ., family = binomial, data = d)
summary(fit)$coefficients
# Odds ratios with Wald intervals (confint() would give profile-likelihood ones).
exp(cbind(OR = coef(fit), confint.default(fit)))
