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
# Each spec is matched twice: "literal" is the matchit() call as written;
# "scaled" is the same matching on the distance MatchIt used multiplied by a
# power of two, which makes it immune to the integer-abs defect of MatchIt
# 4.5.1-4.5.3 (gaps below 1 truncated to 0; see the comment in the loop).
# Writes key,value lines (see _common.R):
#   matchit.version.{major,minor,patch}
#   probe.int_abs, probe.ratio_index     1 if the installed MatchIt shows the defect
#   <spec>.<literal|scaled>.caliper      caliper width applied (distance units)
#   <spec>.<literal|scaled>.match.<treated id>.<slot>
#                                        id of the control in that column of
#                                        m$match.matrix (NA = no match)
#   <spec>.<literal|scaled>.weight.<id>  m$weights
#   <spec>.distance.<id>                 m$distance (distance = "glm" / "linear.logit")
#   <spec>.<all|matched>.<covariate>.<stat>   (from the scaled matching)
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
emit("matchit.version.patch", unclass(packageVersion("MatchIt"))[[1]][3])

# Probes for two defects of some MatchIt releases (see hccrep.stats.matching.MATCHIT_DEFECTS).
# int_abs (4.5.1-4.5.3): |d| truncated to a whole number.  Treated 5; controls
# 3.1 (1.9 away) and 6.05 (1.05 away): the nearer is b, the truncating version
# sees 1 vs 1 and takes the left one, a.
pd <- data.frame(treat = c(1, 0, 0), x = 1:3, row.names = c("T", "a", "b"))
pm <- matchit(treat ~ x, data = pd, distance = c(5, 3.1, 6.05), method = "nearest")
emit("probe.int_abs", as.numeric(pm$match.matrix[1, 1] == "a"))
# ratio_index (4.5.0-4.5.2): in round 2 the control in the data row after the
# round-1 match is skipped.  Treated 50; controls 55, 60, 10 (whole-number
# gaps, so int_abs does not matter): correct 2:1 match is C1 then C2.
pd <- data.frame(treat = c(1, 0, 0, 0), x = 1:4, row.names = c("T", "C1", "C2", "C3"))
pm <- matchit(treat ~ x, data = pd, distance = c(50, 55, 60, 10), method = "nearest", ratio = 2)
emit("probe.ratio_index", as.numeric(pm$match.matrix[1, 2] == "C3"))

covs <- c("x1", "x2", "x3", "x4")
fml <- treat ~ x1 + x2 + x3 + x4

emit_match <- function(prefix, m, scale = 1) {
  emit(paste0(prefix, ".caliper"), if (is.null(m$caliper)) NA else m$caliper[[1]] / scale)
  mm <- m$match.matrix
  for (r in seq_len(nrow(mm))) {
    for (j in seq_len(ncol(mm))) {
      emit(sprintf("%s.match.%s.%d", prefix, rownames(mm)[r], j), as.numeric(mm[r, j]))
    }
  }
  for (id in names(m$weights)) emit(sprintf("%s.weight.%s", prefix, id), m$weights[[id]])
}

for (i in seq_len(nrow(specs))) {
  s <- specs[i, ]
  k <- s$spec
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
  # (1) the call as a user would write it
  m <- suppressWarnings(do.call(matchit, a))
  emit_match(paste0(k, ".literal"), m)
  if (s$distance %in% c("glm", "linear.logit")) {
    for (id in names(m$distance)) emit(sprintf("%s.distance.%s", k, id), m$distance[[id]])
  }
  # (2) the same matching on the distance MatchIt used, times a power of two
  # 2^p chosen so every gap is a large number below 2^31: the scaling is exact
  # in floating point, the matched sets are the same in exact arithmetic, and
  # a truncating abs() then loses only gaps below 2^-p (about 1e-9).
  p <- floor(30 - log2(diff(range(m$distance))))
  b <- a
  b$distance <- m$distance * 2^p
  b$link <- NULL
  if (!is.na(s$caliper) && !as.logical(s$std_caliper)) b$caliper <- s$caliper * 2^p
  ms <- suppressWarnings(do.call(matchit, b))
  emit_match(paste0(k, ".scaled"), ms, scale = 2^p)
  # balance of the scaled (exact-arithmetic) matching
  sm <- summary(ms)
  X <- MatchIt:::get.covs.matrix(data = d[covs])
  for (part in c("all", "matched")) {
    tab <- if (part == "all") sm$sum.all else sm$sum.matched
    ww <- if (part == "all") NULL else ms$weights
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
