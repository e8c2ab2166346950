# Usage: Rscript lung_data.R OUT.csv
# Writes survival::lung (NCCTG advanced lung cancer) with the event recoded to
# 0/1 and dots in names replaced by underscores. Nothing is downloaded.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) stop("usage: lung_data.R OUT.csv")
suppressPackageStartupMessages(library(survival))
d <- survival::lung
d$status <- as.integer(d$status == 2)
names(d) <- gsub(".", "_", names(d), fixed = TRUE)
write.csv(d, args[[1]], row.names = FALSE, na = "")
