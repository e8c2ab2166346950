# Net benefit of treating when the predicted risk p reaches the threshold pt.
d <- read.csv("d.csv")
pt <- seq(0.05, 0.60, by = 0.05)
n <- nrow(d)
net_benefit <- sapply(pt, function(t) {
  treat <- d$p >= t
  sum(treat & d$y == 1) / n - sum(treat & d$y == 0) / n * t / (1 - t)
})
treat_all <- mean(d$y) - (1 - mean(d$y)) * pt / (1 - pt)
data.frame(threshold = pt, model = net_benefit, treat_all = treat_all)
