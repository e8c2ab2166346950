# Shared helpers for the R reference scripts (sourced, not run directly).
# Results are written as "key,value" lines with 17 significant digits so the
# Python side parses exactly the doubles R computed; NA is written as "NA".

kv_open <- function(path) {
  con <- file(path, open = "w")
  emit <- function(key, value) {
    value <- as.numeric(value)
    if (length(value) != 1L) stop(sprintf("key %s: expected one value, got %d", key, length(value)))
    txt <- if (is.na(value)) "NA" else sprintf("%.17g", value)
    writeLines(paste0(key, ",", txt), con)
  }
  list(emit = emit, close = function() close(con))
}

need <- function(pkgs) {
  missing <- pkgs[!vapply(pkgs, requireNamespace, logical(1), quietly = TRUE)]
  if (length(missing)) stop("missing R packages: ", paste(missing, collapse = ", "))
  invisible(lapply(pkgs, library, character.only = TRUE))
}
