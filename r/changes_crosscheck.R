# Cross-check of tverrsnitt's change between waves (tabulate/changes.py) against R's survey
# package, on the two waves of the arbeidsmiljo-2025 example.
#
# Writes tests/data/r/changes.csv and change_tests.csv, which tests/test_waves.py compares with:
#   Rscript r/changes_crosscheck.R [output folder, default tests/data/r]
# Run from the repository root. Deterministic: no random numbers.
#
# The waves are independent samples: one stacked design with the wave as strata,
# svydesign(ids = ~1, strata = ~wave, weights = ~w), then per cell
# svyby(~y, ~wave, subset(design, domain), svymean, covmat = TRUE) + svycontrast(c(-1, 1)),
# a Wald t test on degf(subset(design, domain)) df, and p.adjust("holm") over the statements
# of a figure (per group). Whether the change differed between the groups: the test of wave x
# group on svyglm(y ~ wave * group, subset(design, cell)) with regTermTest - the Rao-Scott
# working LRT of the logistic model for a share, the Wald F test of the linear one for a mean.
# Unweighted, and with a made-up weight in each wave.

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail", warn = 1)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else file.path("tests", "data", "r")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
num <- function(x) sprintf("%.17g", x)

study <- file.path("examples", "arbeidsmiljo-2025", "data")
stem <- "Hvor enig eller uenig er du i disse utsagnene om arbeidsplassen din?"
statements <- c(
  q1_tid = "Jeg har nok tid til å gjøre jobben min godt",
  q1_leder = "Jeg får støtte fra nærmeste leder når jeg trenger det",
  q1_kolleger = "Vi hjelper hverandre i arbeidsmiljøet",
  q1_kompetanse = "Kompetansen min blir brukt på en god måte",
  q1_sliten = "Jeg er ofte sliten etter jobb",
  q1_slutte = "Jeg tenker på å slutte i jobben")
# What was different in 2023 (questionnaire.yaml `waves`): a reworded statement and the
# agreement scale's ends called 'Svært …'.
reworded_2023 <- c(q1_slutte = "Jeg har tenkt på å slutte i jobben")
renamed_2023 <- c("Svært uenig" = "Helt uenig", "Svært enig" = "Helt enig")

read_wave <- function(file, wave) {
  raw <- read.csv(file.path(study, file), fileEncoding = "UTF-8-BOM", check.names = FALSE,
                  colClasses = "character", na.strings = character(0))
  col <- function(header) trimws(raw[[header]])
  keep <- col("Jeg har lest informasjonen om undersøkelsen og vil delta") == "Ja"
  d <- data.frame(wave = rep(wave, sum(keep)), id = as.integer(col("Svar-ID")[keep]))
  role <- col("Hva er din stilling?")[keep]
  groups <- c(Helsefagarbeider = "Helsefagarbeider", Assistent = "Assistent",
              Sykepleier = "Sykepleier/vernepleier", Vernepleier = "Sykepleier/vernepleier",
              "Annen stilling" = "Annen stilling")
  d$yrkesgruppe <- unname(groups[role])
  place <- col("Hvor jobber du?")[keep]
  d$b2_arbeidssted <- ifelse(place == "", NA, place)
  for (code in names(statements)) {
    text <- statements[[code]]
    if (wave == "2023" && code %in% names(reworded_2023)) text <- reworded_2023[[code]]
    answer <- col(paste0(stem, " [", text, "]"))[keep]
    if (wave == "2023") answer <- ifelse(answer %in% names(renamed_2023),
                                         renamed_2023[answer], answer)
    d[[paste0(code, "_base")]] <- as.integer(answer != "")
    d[[paste0(code, "_y")]] <- as.integer(answer %in% c("Litt enig", "Helt enig"))
  }
  violence <- col(paste("Har du i løpet av de siste 12 månedene opplevd vold eller trusler",
                        "om vold på jobb?"))[keep]
  d$q3_vold_base <- as.integer(violence != "")
  d$q3_vold_y <- as.integer(violence == "Ja")
  hours <- col("Hvor mange timer jobber du i en vanlig uke?")[keep]
  d$b4_timer_base <- as.integer(hours != "")
  d$b4_timer_y <- ifelse(hours == "", 0, as.numeric(sub(",", ".", hours, fixed = TRUE)))
  # A deterministic made-up weight between 0.5 and 2.5 (as r/design_crosscheck.R).
  d$w_made_up <- 0.5 + ((d$id * 7919) %% 13) / 6
  d$one <- 1
  d
}
stacked <- rbind(read_wave("export-2023.csv", "2023"), read_wave("export.csv", "2025"))
stacked$wave <- factor(stacked$wave, levels = c("2023", "2025"))

# The cells: figure 3.2 (top2 of six statements by yrkesgruppe), 4.1 (violence 'Ja' by
# workplace) and 2.2 (mean hours by yrkesgruppe); each group and the breakdown's Totalt (the
# respondents with a group).
cells <- rbind(
  expand.grid(figure = "3.2", item = names(statements), by = "yrkesgruppe", category = "top2",
              stringsAsFactors = FALSE),
  data.frame(figure = "4.1", item = "q3_vold", by = "b2_arbeidssted", category = "Ja"),
  data.frame(figure = "2.2", item = "b4_timer", by = "yrkesgruppe", category = "mean"))

rows <- list()
tests <- list()
for (weighting in c("unweighted", "made_up")) {
  design <- svydesign(ids = ~1, strata = ~wave,
                      weights = if (weighting == "unweighted") ~one else ~w_made_up,
                      data = stacked)
  for (i in seq_len(nrow(cells))) {
    cell <- cells[i, ]
    by <- design$variables[[cell$by]]
    groups <- c(sort(unique(by[!is.na(by)])), "Totalt")
    for (group in groups) {
      inside <- if (group == "Totalt") !is.na(by) else !is.na(by) & by == group
      domain <- design$variables[[paste0(cell$item, "_base")]] == 1 & inside
      sub <- subset(design, domain)
      est <- svyby(as.formula(paste0("~", cell$item, "_y")), ~wave, sub, svymean, covmat = TRUE)
      con <- svycontrast(est, c(-1, 1))
      change <- unname(coef(con))
      se <- unname(SE(con))
      df <- degf(sub)
      q <- qt(0.975, df)
      rows[[length(rows) + 1]] <- data.frame(
        figure = cell$figure, item = cell$item, by = cell$by, group = group,
        category = cell$category, weighting = weighting,
        estimate_from = unname(coef(est))[1], estimate_to = unname(coef(est))[2],
        se_from = unname(SE(est))[1], se_to = unname(SE(est))[2],
        covariance = vcov(est)[1, 2], change = change, se = se, df = df,
        ci_low = change - q * se, ci_high = change + q * se,
        p_value = 2 * pt(-abs(change / se), df), stringsAsFactors = FALSE)
    }
    cell_design <- subset(design, design$variables[[paste0(cell$item, "_base")]] == 1 & !is.na(by))
    formula <- as.formula(paste0(cell$item, "_y ~ wave * ", cell$by))
    term <- as.formula(paste0("~wave:", cell$by))
    if (cell$category == "mean") {
      # A mean: the Wald F test (regTermTest's default) on the linear model.
      test <- regTermTest(svyglm(formula, design = cell_design), term)
      f <- unname(test$Ftest[1])
      method <- "wald"
    } else {
      # A share: the Rao-Scott working likelihood ratio test on the logistic model; its
      # statistic over the mean design effect and its df is the first-order F. Both models
      # are fitted to convergence (glm's default stops at a relative change of 1e-8 in the
      # deviance, which leaves the test statistic off in its seventh digit).
      model <- suppressWarnings(svyglm(formula, design = cell_design, family = quasibinomial(),
                                       control = glm.control(epsilon = 1e-14, maxit = 100)))
      test <- regTermTest(model, term, method = "LRT")
      f <- unname(test$chisq[1]) / mean(test$lambda) / test$df
      method <- "rao-scott"
    }
    tests[[length(tests) + 1]] <- data.frame(
      figure = cell$figure, item = cell$item, by = cell$by, category = cell$category,
      weighting = weighting, f = f, ndf = test$df, ddf = test$ddf,
      p_value = unname(test$p[1]), method = method, stringsAsFactors = FALSE)
  }
}
result <- do.call(rbind, rows)
# Holm over the statements of a figure, per weighting, group and category.
family <- interaction(result$weighting, result$figure, result$by, result$group, result$category,
                      drop = TRUE)
result$p_adjusted <- ave(result$p_value, family, FUN = function(p) p.adjust(p, "holm"))
for (col in names(result)) if (is.double(result[[col]])) result[[col]] <- num(result[[col]])
write.csv(result, file.path(out, "changes.csv"), row.names = FALSE, fileEncoding = "UTF-8")
tests <- do.call(rbind, tests)
for (col in c("f", "p_value")) tests[[col]] <- num(tests[[col]])
write.csv(tests, file.path(out, "change_tests.csv"), row.names = FALSE, fileEncoding = "UTF-8")
