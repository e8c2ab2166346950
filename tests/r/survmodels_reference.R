# Usage: Rscript survmodels_reference.R INDIR OUT.csv
# INDIR/cohort.csv : time,status,risk,x1..xk   (untied continuous data, and a
#                    risk score with some ties)
# INDIR/params.csv : lambda,tau   (glmnet penalty; truncation time for Uno's C)
# Writes key,value lines (see _common.R):
#   harrell_c      survival::concordance(Surv ~ risk, reverse = TRUE)  (timewt "n")
#   uno_c          the same with timewt = "n/G2" and ymax = tau
#   coxph.<x>      coxph(ties = "efron") coefficients on x1..xk
#   glmnet.<x>     glmnet(family = "cox", alpha = 1, lambda, standardize = FALSE) coefficients
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: survmodels_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need(c("survival", "glmnet")))
out <- kv_open(args[[2]])
emit <- out$emit

d <- read.csv(file.path(args[[1]], "cohort.csv"))
p <- read.csv(file.path(args[[1]], "params.csv"))
xs <- grep("^x[0-9]+$", names(d), value = TRUE)

# reverse = TRUE: a larger risk predicts a shorter survival
emit("harrell_c", concordance(Surv(time, status) ~ risk, data = d, reverse = TRUE)$concordance)
emit("uno_c", concordance(Surv(time, status) ~ risk, data = d, reverse = TRUE,
                          timewt = "n/G2", ymax = p$tau)$concordance)

fit <- coxph(as.formula(paste("Surv(time, status) ~", paste(xs, collapse = " + "))), data = d, ties = "efron")
for (v in xs) emit(paste0("coxph.", v), coef(fit)[[v]])

x <- as.matrix(d[, xs])
g <- glmnet(x, Surv(d$time, d$status), family = "cox", alpha = 1, lambda = p$lambda,
            standardize = FALSE, thresh = 1e-14, maxit = 1e6)
b <- as.matrix(coef(g))
for (v in xs) emit(paste0("glmnet.", v), b[v, 1])
out$close()
