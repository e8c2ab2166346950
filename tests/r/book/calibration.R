# Calibration of predicted risks p (0 < p < 1) against the outcome y (0/1).
d <- read.csv("d.csv")
d$lp <- qlogis(d$p)
# Calibration in the large: the intercept with the slope fixed at 1 (0 is ideal).
intercept <- coef(glm(y ~ offset(lp), family = binomial, data = d))[[1]]
# Calibration slope (1 is ideal; below 1 the risks are too extreme).
slope <- coef(glm(y ~ lp, family = binomial, data = d))[["lp"]]
brier <- mean((d$p - d$y)^2)
c(intercept = intercept, slope = slope, brier = brier)
# rms::val.prob(d$p, d$y) prints the Brier score and a calibration plot with a smoother.
