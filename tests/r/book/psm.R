# Propensity-score matching: treat (1 = treated) and numeric covariates (0/1 for categories).
library(MatchIt)
d <- read.csv("d.csv")
# MatchIt's defaults spelled out: a logistic propensity score (distance = "glm"),
# greedy 1:1 nearest neighbour without replacement, caliper in SDs of the score.
m <- matchit(treat ~ ., data = d, method = "nearest", distance = "glm",
             caliper = 0.2, std.caliper = TRUE)
summary(m)$nn
head(m$distance)
