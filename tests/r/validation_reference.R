# Usage: Rscript validation_reference.R DATA.csv B SEED OUT.csv
# DATA.csv: time,event,y,x1..xp  (all covariates are the columns starting with "x")
# Writes key,value lines (see _common.R):
#   cph.coef.<name>, cph.dxy.{index_orig,training,test,optimism,corrected,n}
#       rms::validate(cph(Surv(time, event) ~ x..., x = TRUE, y = TRUE, surv = TRUE), B = B)
#   lrm.coef.<name>, lrm.dxy.{...}   rms::validate(lrm(y ~ x..., x = TRUE, y = TRUE), B = B)
#   hmisc.c.cox: Hmisc rcorr.cens C of the cph linear predictor (as risk, i.e. 1 - C(lp))
#   hmisc.c.lrm: Hmisc somers2 C of the lrm linear predictor
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 4L) stop("usage: validation_reference.R DATA.csv B SEED OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need(c("survival", "rms")))
out <- kv_open(args[[4]])
emit <- out$emit
d <- read.csv(args[[1]])
B <- as.integer(args[[2]])
xs <- grep("^x", names(d), value = TRUE)

emit_validate <- function(prefix, v) {
  emit(paste0(prefix, ".dxy.index_orig"), v["Dxy", "index.orig"])
  emit(paste0(prefix, ".dxy.training"), v["Dxy", "training"])
  emit(paste0(prefix, ".dxy.test"), v["Dxy", "test"])
  emit(paste0(prefix, ".dxy.optimism"), v["Dxy", "optimism"])
  emit(paste0(prefix, ".dxy.corrected"), v["Dxy", "index.corrected"])
  emit(paste0(prefix, ".dxy.n"), v["Dxy", "n"])
}

set.seed(as.integer(args[[3]]))
fc <- cph(as.formula(paste("Surv(time, event) ~", paste(xs, collapse = " + "))), data = d,
          x = TRUE, y = TRUE, surv = TRUE)
for (nm in names(coef(fc))) emit(paste0("cph.coef.", nm), coef(fc)[[nm]])
emit_validate("cph", validate(fc, B = B))
emit("hmisc.c.cox", 1 - rcorr.cens(fc$linear.predictors, Surv(d$time, d$event))[["C Index"]])

set.seed(as.integer(args[[3]]) + 1L)
fl <- lrm(as.formula(paste("y ~", paste(xs, collapse = " + "))), data = d, x = TRUE, y = TRUE)
for (nm in names(coef(fl))) emit(paste0("lrm.coef.", nm), coef(fl)[[nm]])
emit_validate("lrm", validate(fl, B = B))
emit("hmisc.c.lrm", somers2(fl$linear.predictors, d$y)[["C"]])
out$close()
