# Baseline for bench/inference.py: the SEs, confidence intervals and group tests of the report's
# figures computed with R's survey package on the data bench/inference.py wrote, timed here.
#
#   Rscript r/inference_bench.R DATA.csv CELLS.csv TESTS.csv OUT_DIR
#
# DATA.csv: one row per analysed respondent: w (design weight), g_<breakdown> (group code, NA
# without a group), i_<item> (answer code, NA outside the item's base: not asked or no valid
# answer), m_<item>_<k> (1/0 option k ticked, NA outside the base), s_<group> (1 for rows in a
# sample/population figure's sample side) and c_<variable> (its category code, NA if missing).
# CELLS.csv: one row per figure, item, breakdown and category: the column whose codes make y = 1.
# TESTS.csv: one row per tested figure item and breakdown (and option of a multi-select).
#
# The design is svydesign(ids = ~1, weights = ~w) over all respondents. Each by-group cell is
#   svyby(~y, ~g, subset(design, base), svyciprop, vartype = c("se", "ci"), method = "logit")
# plus svyciprop over the base with a group (the Totalt row); a sample side is a design over its
# own rows. Each test is svychisq(~answer + g) on svydesign(ids = ~1, weights = ~w) over the base
# (valid answer and a group), and the pairs svyby(~y, ~g, svymean, covmat = TRUE) +
# svycontrast with Holm's p.adjust, as r/tests_crosscheck.R. Only the computing is timed;
# reading the CSV files is not. Writes OUT_DIR/r_cells.csv, r_tests.csv, r_pairs.csv,
# r_timing.csv.

suppressPackageStartupMessages({
  library(survey)
  library(data.table)
})
options(warn = 1, survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 4)
out_dir <- args[[4]]
data <- as.data.frame(fread(args[[1]]))
cells <- fread(args[[2]], colClasses = "character")
tests <- fread(args[[3]], colClasses = "character")

codes_of <- function(text) as.integer(strsplit(text, ";", fixed = TRUE)[[1]])

write_out <- function(df, name) {
  for (col in names(df)) {
    if (is.double(df[[col]])) df[[col]] <- ifelse(is.na(df[[col]]), NA, sprintf("%.17g", df[[col]]))
  }
  fwrite(df, file.path(out_dir, name), na = "")
}

started <- proc.time()[["elapsed"]]
design <- svydesign(ids = ~1, weights = ~w, data = data)
design_seconds <- proc.time()[["elapsed"]] - started

# ---- shares with SE and CI: one svyby per figure, item, breakdown and category -------------

share_rows <- list()
timing <- list()
blocks <- split(cells, by = c("figure", "item", "by"), sorted = FALSE)
for (block in blocks) {
  clock <- proc.time()[["elapsed"]]
  first <- block[1]
  # Only the block's columns travel with the design: subset() copies every column it carries.
  needed <- setdiff(unique(c(first$base, first$group, block$column)), "none")
  if (first$kind == "comparison") {
    rows <- data[data[[first$sample]] == 1, c("w", needed), drop = FALSE]
    side <- subset(svydesign(ids = ~1, weights = ~w, data = rows), !is.na(rows[[first$base]]))
  } else {
    whole <- design
    whole$variables <- data[, needed, drop = FALSE]
    inside <- !is.na(data[[first$base]])
    if (first$group != "none") inside <- inside & !is.na(data[[first$group]])
    side <- subset(whole, inside)
  }
  for (r in seq_len(nrow(block))) {
    cell <- block[r]
    side$variables$y <- as.numeric(side$variables[[cell$column]] %in% codes_of(cell$codes))
    if (cell$kind == "by" && cell$group != "none") {
      side$variables$g <- side$variables[[cell$group]]
      by <- suppressWarnings(svyby(~y, ~g, side, svyciprop, vartype = c("se", "ci"),
                                   method = "logit"))
      share_rows[[length(share_rows) + 1]] <- data.frame(
        figure = cell$figure, item = cell$item, by = cell$by, code = as.character(by$g),
        category = cell$category, estimate = unname(coef(by)), se = unname(SE(by)),
        ci_low = by$ci_l, ci_high = by$ci_u)
    }
    total <- suppressWarnings(svyciprop(~y, side, method = "logit"))
    share_rows[[length(share_rows) + 1]] <- data.frame(
      figure = cell$figure, item = cell$item, by = cell$by, code = cell$total,
      category = cell$category, estimate = as.numeric(coef(total)), se = as.numeric(SE(total)),
      ci_low = as.numeric(attr(total, "ci")[1]), ci_high = as.numeric(attr(total, "ci")[2]))
  }
  timing[[length(timing) + 1]] <- data.frame(
    what = "cells", figure = first$figure, item = first$item, by = first$by,
    calls = nrow(block), seconds = proc.time()[["elapsed"]] - clock)
}

# ---- group tests: svychisq and pairwise differences per figure item and breakdown ----------

test_rows <- list()
pair_rows <- list()
for (r in seq_len(nrow(tests))) {
  clock <- proc.time()[["elapsed"]]
  test <- tests[r]
  inside <- !is.na(data[[test$column]]) & !is.na(data[[test$group]])
  rows <- data.frame(w = data$w[inside], answer = factor(data[[test$column]][inside]),
                     g = factor(data[[test$group]][inside]))
  based <- svydesign(ids = ~1, weights = ~w, data = rows)
  f <- svychisq(~answer + g, based, statistic = "F")
  test_rows[[r]] <- data.frame(
    figure = test$figure, item = test$item, by = test$by, share = test$share,
    n = nrow(based), f = unname(f$statistic), ndf = unname(f$parameter[["ndf"]]),
    ddf = unname(f$parameter[["ddf"]]), p_value = unname(f$p.value))
  if (test$codes != "none") {
    based$variables$y <- as.numeric(as.integer(as.character(based$variables$answer)) %in%
                                      codes_of(test$codes))
    est <- svyby(~y, ~g, based, svymean, covmat = TRUE)
    groups <- as.character(est$g)
    pairs <- t(combn(length(groups), 2))
    contrasts <- lapply(seq_len(nrow(pairs)), function(i) {
      v <- rep(0, length(groups))
      v[pairs[i, ]] <- c(1, -1)
      v
    })
    con <- svycontrast(est, contrasts)
    p <- 2 * pt(-abs(coef(con) / SE(con)), degf(based))
    pair_rows[[length(pair_rows) + 1]] <- data.frame(
      figure = test$figure, item = test$item, by = test$by, share = test$share,
      first = groups[pairs[, 1]], second = groups[pairs[, 2]], difference = unname(coef(con)),
      se = unname(SE(con)), p_value = unname(p), p_adjusted = p.adjust(unname(p), "holm"))
  }
  timing[[length(timing) + 1]] <- data.frame(
    what = "test", figure = test$figure, item = test$item, by = test$by, calls = 1,
    seconds = proc.time()[["elapsed"]] - clock)
}
total_seconds <- proc.time()[["elapsed"]] - started

write_out(do.call(rbind, share_rows), "r_cells.csv")
write_out(if (length(test_rows)) do.call(rbind, test_rows) else data.frame(), "r_tests.csv")
write_out(if (length(pair_rows)) do.call(rbind, pair_rows) else data.frame(), "r_pairs.csv")
timing <- rbind(data.frame(what = "design", figure = "", item = "", by = "", calls = 1,
                           seconds = design_seconds), do.call(rbind, timing),
                data.frame(what = "total", figure = "", item = "", by = "", calls = 0,
                           seconds = total_seconds))
write_out(timing, "r_timing.csv")
