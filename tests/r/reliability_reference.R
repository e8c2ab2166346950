# Usage: Rscript reliability_reference.R DIR
# Reads  DIR/mw.csv (id, group, value: two-sample sets written by the Python test).
# Writes the data it uses, from R's own packages (nothing is downloaded):
#   DIR/pbc.csv       survival::pbc, status as R stores it (0 censored, 1 transplant, 2 dead)
#   DIR/lung_raw.csv  survival::lung, status as R stores it (1 censored, 2 dead)
#   DIR/veteran.csv   survival::veteran with 0/1 dummies of celltype
#   DIR/colon.csv     survival::colon, the death records (etype 2), 0/1 dummies of rx
#   DIR/asah.csv      pROC::aSAH outcome and two logistic fits' fitted risks
# and DIR/reliability_ref.csv (key,value lines, see _common.R).
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) stop("usage: reliability_reference.R DIR")
dir <- args[[1]]
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "_common.R"))
source(file.path(here, "hoslem.R"))
suppressPackageStartupMessages(need(c("survival", "pROC")))
out <- kv_open(file.path(dir, "reliability_ref.csv"))
emit <- out$emit
wr <- function(d, name) write.csv(d, file.path(dir, name), row.names = FALSE, na = "")

cox_keys <- function(prefix, formula, d, ties_list = c("efron", "breslow")) {
  for (ties in ties_list) {
    fit <- coxph(formula, data = d, ties = ties)
    s <- summary(fit)
    co <- s$coefficients
    ci <- s$conf.int
    k0 <- sprintf("%s.cox.%s", prefix, ties)
    emit(paste0(k0, ".n"), fit$n)
    emit(paste0(k0, ".events"), fit$nevent)
    for (v in rownames(co)) {
      k <- sprintf("%s.%s", k0, v)
      emit(paste0(k, ".coef"), co[v, "coef"])
      emit(paste0(k, ".hr"), co[v, "exp(coef)"])
      emit(paste0(k, ".se"), co[v, "se(coef)"])
      emit(paste0(k, ".z"), co[v, "z"])
      emit(paste0(k, ".p"), co[v, "Pr(>|z|)"])
      emit(paste0(k, ".lower"), ci[v, "lower .95"])
      emit(paste0(k, ".upper"), ci[v, "upper .95"])
    }
  }
}

km_keys <- function(prefix, d) {
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
    tab <- summary(fit)$table
    emit(sprintf("%s.km.%s.median", prefix, ct), tab[["median"]])
    emit(sprintf("%s.km.%s.lower", prefix, ct), tab[["0.95LCL"]])
    emit(sprintf("%s.km.%s.upper", prefix, ct), tab[["0.95UCL"]])
  }
}

logrank_keys <- function(prefix, d, group) {
  sd <- survdiff(Surv(time, status) ~ d[[group]], data = d)
  k <- length(sd$n)
  emit(sprintf("%s.logrank.%s.statistic", prefix, group), sd$chisq)
  emit(sprintf("%s.logrank.%s.df", prefix, group), k - 1)
  emit(sprintf("%s.logrank.%s.p", prefix, group), pchisq(sd$chisq, k - 1, lower.tail = FALSE))
}

# ---------------------------------------------------------------- pbc: Breslow ties on bilirubin
p <- survival::pbc
p$trial <- as.integer(!is.na(p$trt))
p$logbili <- log(p$bili)
wr(p[, c("id", "time", "status", "trt", "trial", "age", "sex", "bili", "logbili", "albumin", "edema")], "pbc.csv")
p$event <- as.integer(p$status == 2)
cox_keys("pbc_all", Surv(time, event) ~ bili, p)
trial <- p[p$trial == 1, ]
cox_keys("pbc_trial", Surv(time, event) ~ bili, trial)
cox_keys("pbc_trial_multi", Surv(time, event) ~ logbili + age + albumin + edema, trial)
# treatment (placebo = trt 2) by sex (m) interaction and the arm HR within each sex
trial$arm <- as.integer(trial$trt == 2)
trial$male <- as.integer(trial$sex == "m")
for (ties in c("efron", "breslow")) {
  co <- summary(coxph(Surv(time, event) ~ arm * male, data = trial, ties = ties))$coefficients
  emit(sprintf("pbc_trial.interaction.%s.coef", ties), co["arm:male", "coef"])
  emit(sprintf("pbc_trial.interaction.%s.p", ties), co["arm:male", "Pr(>|z|)"])
  for (lv in c("f", "m")) {
    ci <- summary(coxph(Surv(time, event) ~ arm, data = trial[trial$sex == lv, ], ties = ties))$conf.int
    emit(sprintf("pbc_trial.arm_in_%s.%s.hr", lv, ties), ci["arm", "exp(coef)"])
    emit(sprintf("pbc_trial.arm_in_%s.%s.lower", lv, ties), ci["arm", "lower .95"])
    emit(sprintf("pbc_trial.arm_in_%s.%s.upper", lv, ties), ci["arm", "upper .95"])
  }
  ci <- summary(coxph(Surv(time, event) ~ arm, data = trial, ties = ties))$conf.int
  emit(sprintf("pbc_trial.arm_all.%s.hr", ties), ci["arm", "exp(coef)"])
}

# ---------------------------------------------------------------- lung: R's 1/2 status coding
l <- survival::lung
names(l) <- gsub(".", "_", names(l), fixed = TRUE)
wr(l[, c("time", "status", "sex", "age", "ph_ecog")], "lung_raw.csv")
# Surv() reads status 1/2 as censored/dead: this is the HR a 0/1 coding must reproduce
cox_keys("lung_raw_sex", Surv(time, status) ~ sex, l)
l$female <- as.integer(l$sex == 2)
l$ecog_ge1 <- as.integer(l$ph_ecog >= 1)
lc <- l[!is.na(l$ecog_ge1), ]
co <- summary(coxph(Surv(time, status) ~ female * ecog_ge1, data = lc))$coefficients
emit("lung_raw.interaction.efron.p", co["female:ecog_ge1", "Pr(>|z|)"])
emit("lung_raw.interaction.efron.coef", co["female:ecog_ge1", "coef"])
emit("lung_raw.events", sum(l$status == 2))

# ---------------------------------------------------------------- veteran
v <- survival::veteran
for (ct in levels(v$celltype)[-1]) v[[ct]] <- as.integer(v$celltype == ct)
v$celltype <- as.character(v$celltype)
wr(v, "veteran.csv")
cox_keys("veteran", Surv(time, status) ~ trt + karno + diagtime + age + prior + smallcell + adeno + large, v)
km_keys("veteran", v)
logrank_keys("veteran", v, "celltype")
logrank_keys("veteran", v, "trt")

# ---------------------------------------------------------------- colon (deaths)
cd <- survival::colon[survival::colon$etype == 2, ]
cd$lev <- as.integer(cd$rx == "Lev")
cd$lev5fu <- as.integer(cd$rx == "Lev+5FU")
cd$rx <- as.character(cd$rx)
cols <- c("time", "status", "rx", "lev", "lev5fu", "age", "sex", "obstruct", "nodes")
wr(cd[, cols], "colon.csv")
cc <- cd[complete.cases(cd[, cols]), ]
cox_keys("colon", Surv(time, status) ~ lev + lev5fu + age + sex + obstruct + nodes, cc)
km_keys("colon", cd)
logrank_keys("colon", cd, "rx")

# ---------------------------------------------------------------- aSAH: Hosmer-Lemeshow
a <- pROC::aSAH
a$y <- as.integer(a$outcome == "Poor")
a$wfns_num <- as.numeric(a$wfns)
fit_wfns <- glm(y ~ wfns_num, data = a, family = binomial)
fit_s100 <- glm(y ~ s100b + age, data = a, family = binomial)
a$p_wfns <- fitted(fit_wfns)
a$p_s100 <- fitted(fit_s100)
wr(a[, c("y", "wfns_num", "s100b", "age", "p_wfns", "p_s100")], "asah.csv")
for (m in c("p_wfns", "p_s100")) {
  for (g in c(10, 5)) {
    for (ver in c("0.3-6", "0.3-5")) {
      h <- hoslem_test(a$y, a[[m]], g, version = ver)
      k <- sprintf("asah.%s.hl%d.v%s", m, g, gsub("[.-]", "", ver))
      emit(paste0(k, ".statistic"), h$statistic)
      emit(paste0(k, ".df"), h$df)
      emit(paste0(k, ".p"), h$p)
      emit(paste0(k, ".formed"), h$formed)
    }
  }
}

# ---------------------------------------------------------------- Wilcoxon rank-sum, R's default rule
mw <- read.csv(file.path(dir, "mw.csv"), stringsAsFactors = FALSE)
for (id in unique(mw$id)) {
  d <- mw[mw$id == id, ]
  x <- d$value[d$group == "x"]
  y <- d$value[d$group == "y"]
  r <- wilcox.test(x, y)  # exact = NULL: exact only if both n < 50 and no ties
  emit(sprintf("mw.%s.statistic", id), r$statistic)
  emit(sprintf("mw.%s.p", id), r$p.value)
  emit(sprintf("mw.%s.exact", id), as.numeric(grepl("exact", r$method)))
}
out$close()
