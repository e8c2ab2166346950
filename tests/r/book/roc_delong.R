# ROC curves of two scores a and b for the same patients (y: 1 = case).
library(pROC)
d <- read.csv("d.csv")
roc_a <- roc(d$y, d$a, levels = c(0, 1), direction = "<")
roc_b <- roc(d$y, d$b, levels = c(0, 1), direction = "<")
ci.auc(roc_a, method = "delong")
# The paired DeLong test: both scores were measured on the same patients.
roc.test(roc_a, roc_b, method = "delong", paired = TRUE)
coords(roc_a, "best", best.method = "youden",
       ret = c("threshold", "sensitivity", "specificity"))
