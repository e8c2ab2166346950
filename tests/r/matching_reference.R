# Usage: Rscript matching_reference.R INDIR OUT.csv
# INDIR/match_data.csv : dataset,id,treat,x1,x2,x3,x4,ps_py,logit_py,dist_ties
#                        (x4 is a character column, a 3-level factor for glm;
#                        ps_py/logit_py are hccrep's propensity score and its
#                        logit; dist_ties is a heavily tied distance, or NA)
# INDIR/match_specs.csv: spec,dataset,distance,caliper,std_caliper,m_order,ratio,replace
#   distance: "glm"          MatchIt's logistic PS (distance = "glm")
#             "linear.logit" the linear predictor (distance = "glm", link = "linear.logit")
#             "logit_vec"    distance = logit_py passed as a numeric vector
#             "ps_vec"       distance = ps_py passed as a numeric vector
#             "ties_vec"     distance = dist_ties passed as a numeric vector
#   caliper NA = no caliper.
# Writes key,value lines (see _common.R):
#   <spec>.caliper                       caliper width MatchIt applied (raw units)
#   <spec>.match.<treated id>.<slot>     id of the control in that column of
#                                        m$match.matrix (NA = no match)
#   <spec>.weight.<id>                   m$weights
#   <spec>.distance.<id>                 m$distance (only for distance = "glm")
#   <spec>.<all|matched>.<covariate>.<stat>
#        stat: mean_t, mean_c, smd_treated (summary(m) "Std. Mean Diff.",
#        s.d.denom = "treated") and smd_pooled (MatchIt:::bal1var with
#        s.d.denom = "pooled"); "matched" uses m$weights.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2L) stop("usage: matching_reference.R INDIR OUT.csv")
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
suppressPackageStartupMessages(need("MatchIt"))
out <- kv_open(args[[2]])
emit <- out$emit

dat <- read.csv(file.path(args[[1]], "match_data.csv"), stringsAsFactors = FALSE)
specs <- read.csv(file.path(args[[1]], "match_specs.csv"), stringsAsFactors = FALSE)

emit("matchit.version.major", unclass(packageVersion("MatchIt"))[[1]][1])
emit("matchit.version.minor", unclass(packageVersion("MatchIt"))[[1]][2])

covs <- c("x1", "x2", "x3", "x4")
fml <- treat ~ x1 + x2 + x3 + x4

for (i in seq_len(nrow(specs))) {
  s <- specs[i, ]
  d <- dat[dat$dataset == s$dataset, ]
  rownames(d) <- as.character(d$id)
  a <- list(formula = fml, data = d, method = "nearest", m.order = s$m_order,
            ratio = s$ratio, replace = as.logical(s$replace))
  if (s$distance == "glm") {
    a$distance <- "glm"
  } else if (s$distance == "linear.logit") {
    a$distance <- "glm"
    a$link <- "linear.logit"
  } else {
    col <- c(logit_vec = "logit_py", ps_vec = "ps_py", ties_vec = "dist_ties")[[s$distance]]
    a$distance <- d[[col]]
  }
  if (!is.na(s$caliper)) {
    a$caliper <- s$caliper
    a$std.caliper <- as.logical(s$std_caliper)
  }
  m <- suppressWarnings(do.call(matchit, a))
  k <- s$spec
  emit(paste0(k, ".caliper"), if (is.null(m$caliper)) NA else m$caliper[[1]])
  mm <- m$match.matrix
  for (r in seq_len(nrow(mm))) {
    for (j in seq_len(ncol(mm))) {
      emit(sprintf("%s.match.%s.%d", k, rownames(mm)[r], j), as.numeric(mm[r, j]))
    }
  }
  for (id in names(m$weights)) emit(sprintf("%s.weight.%s", k, id), m$weights[[id]])
  if (s$distance == "glm") {
    for (id in names(m$distance)) emit(sprintf("%s.distance.%s", k, id), m$distance[[id]])
  }
  sm <- summary(m)
  X <- MatchIt:::get.covs.matrix(data = d[covs])
  for (part in c("all", "matched")) {
    tab <- if (part == "all") sm$sum.all else sm$sum.matched
    ww <- if (part == "all") NULL else m$weights
    for (cv in colnames(X)) {
      emit(sprintf("%s.%s.%s.mean_t", k, part, cv), tab[cv, "Means Treated"])
      emit(sprintf("%s.%s.%s.mean_c", k, part, cv), tab[cv, "Means Control"])
      emit(sprintf("%s.%s.%s.smd_treated", k, part, cv), tab[cv, "Std. Mean Diff."])
      pooled <- MatchIt:::bal1var(X[, cv], tt = d$treat, ww = ww, s.weights = rep(1, nrow(d)),
                                  standardize = TRUE, s.d.denom = "pooled", compute.pair.dist = FALSE)
      emit(sprintf("%s.%s.%s.smd_pooled", k, part, cv), pooled[["Std. Mean Diff."]])
    }
  }
}
out$close()
