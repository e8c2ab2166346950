# Reference values for the declared prediction kinds of hccrep.analyses, computed live in R.
# Usage: Rscript declared_prediction_reference.R IN.csv OUT.csv
#   IN.csv: cohort (train / test), y (0/1), x1 (numeric), x2 (a / b), m (a numeric marker)
# Writes key,value lines (see _common.R).
#
# A logistic model y ~ x1 + x2 is fitted on the training rows (glm) and applied unchanged to the
# test rows, as a paper validating a model in a second cohort does. On the test rows: pROC AUC with
# its DeLong and its stratified bootstrap interval (4000 resamples), a paired DeLong test
# (roc.test) against the model y ~ x1, the Brier score,
# Hosmer-Lemeshow (hoslem.R, the ResourceSelection 0.3-6 rule written out by hand), rms::val.prob's
# calibration slope, the calibration-in-the-large intercept (glm with the logit as offset), the net
# benefit at threshold 0.2 (Vickers & Elkin's formula), and the classification metrics at the
# Youden cut-off that pROC chooses on the training rows. Also the Wald table of the training fit.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: declared_prediction_reference.R IN.csv OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
source(file.path(here, "hoslem.R"))
need(c("pROC", "rms"))
out <- kv_open(args[[2]])
emit <- out$emit
d <- read.csv(args[[1]], stringsAsFactors = FALSE)
d$x2 <- factor(d$x2, levels = c("a", "b"))
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
train <- d[d$cohort == "train", ]
test <- d[d$cohort == "test", ]
full <- glm(y ~ x1 + x2, binomial, data = train, control = ctl)
small <- glm(y ~ x1, binomial, data = train, control = ctl)
co <- summary(full)$coefficients
emit("logit.x2b.beta", co["x2b", "Estimate"])
emit("logit.x2b.se", co["x2b", "Std. Error"])
emit("logit.x2b.z", co["x2b", "z value"])
emit("logit.x2b.p", co["x2b", "Pr(>|z|)"])
p <- predict(full, newdata = test, type = "response")
p_small <- predict(small, newdata = test, type = "response")
mk <- function(y, s) roc(y, s, direction = "<", levels = c(0, 1), quiet = TRUE)
r <- mk(test$y, p)
ci <- ci.auc(r, method = "delong")
emit("auc", as.numeric(auc(r)))
emit("auc.lower", ci[1])
emit("auc.upper", ci[3])
emit("auc.marker", as.numeric(auc(mk(test$y, test$m))))
set.seed(20251205)
cib <- ci.auc(r, method = "bootstrap", boot.n = 4000, boot.stratified = TRUE, progress = "none")
emit("auc.boot.lower", cib[1])
emit("auc.boot.upper", cib[3])
emit("delong.p", roc.test(r, mk(test$y, p_small), method = "delong", paired = TRUE)$p.value)
emit("brier", mean((p - test$y)^2))
emit("hl.p", hoslem_test(test$y, p, 10, "0.3-6")$p)
emit("hl.p.requested", hoslem_test(test$y, p, 10, "0.3-5")$p)
vp <- val.prob(p, test$y, pl = FALSE)
emit("slope", vp[["Slope"]])
lp <- qlogis(p)
emit("intercept", coef(glm(test$y ~ 1 + offset(lp), binomial, control = ctl))[[1]])
nb <- function(y, p, pt) {
  n <- length(y)
  sum(p >= pt & y == 1) / n - sum(p >= pt & y == 0) / n * pt / (1 - pt)
}
emit("nb.20", nb(test$y, p, 0.2))
grid <- seq(0.1, 0.5, by = 0.05)
emit("best.auc_nb", as.numeric(
  as.numeric(auc(r)) > as.numeric(auc(mk(test$y, p_small))) &&
    all(vapply(grid, function(t) nb(test$y, p, t) >= nb(test$y, p_small, t) - 1e-12, logical(1)))
))
p_train <- predict(full, newdata = train, type = "response")
b <- coords(mk(train$y, p_train), "best", best.method = "youden", ret = "threshold",
            transpose = FALSE)
cut <- min(b$threshold)
pos <- p >= cut
tp <- sum(pos & test$y == 1); fp <- sum(pos & test$y == 0)
tn <- sum(!pos & test$y == 0); fn <- sum(!pos & test$y == 1)
emit("cutoff", cut)
emit("sensitivity", tp / (tp + fn))
emit("specificity", tn / (tn + fp))
emit("accuracy", (tp + tn) / nrow(test))
emit("precision", tp / (tp + fp))
emit("f1", 2 * tp / (2 * tp + fp + fn))
out$close()
