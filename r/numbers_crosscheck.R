# Oracle for tverrsnitt.tabulate.numeric and tabulate.wald: R's survey package computes the
# means, totals, quantiles (svyquantile's defaults: qrule "math", Woodruff's interval) and net
# scores by group, with their standard errors and 95 % confidence intervals, and the Wald tests
# of equal group means (regTermTest on svyglm) with their Holm-adjusted pairs, on both example
# studies, unweighted and with a made-up weight. tests/test_numeric.py compares the Python code.
#
# Run from the repository root:   Rscript r/numbers_crosscheck.R [output folder]
# The output folder defaults to tests/data/r. Deterministic; numbers written with 17 digits.
#
# The variables are derived here from the raw exports, independently of the Python package:
# screening, groups and bands as the studies' definitions describe them in words.

suppressPackageStartupMessages(library(survey))
options(warn = 1, survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("tests", "data", "r")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

write_fixture <- function(df, name) {
  for (col in names(df)) {
    if (is.double(df[[col]])) df[[col]] <- ifelse(is.na(df[[col]]), NA, sprintf("%.17g", df[[col]]))
  }
  con <- file(file.path(out_dir, name), open = "w", encoding = "UTF-8")
  write.csv(df, con, row.names = FALSE, na = "")
  close(con)
}

read_export <- function(path) {
  raw <- read.csv(path, fileEncoding = "UTF-8-BOM", check.names = FALSE,
                  colClasses = "character", na.strings = character(0))
  function(header) {
    if (!header %in% names(raw)) stop("column not in export: ", header)
    v <- trimws(raw[[header]])
    v[v == ""] <- NA
    v
  }
}

as_number <- function(v) as.numeric(sub(",", ".", v, fixed = TRUE))

# ---- the two studies' respondents -------------------------------------------------------------

skolemiljo <- function() {
  cell <- read_export(file.path("examples", "skolemiljo-2023", "data", "export.csv"))
  analysed <- which(
    cell("Jeg har lest informasjonen om undersøkelsen og samtykker til å delta") %in% "Ja" &
    cell("Hva beskriver best arbeidet ditt i skolen?") %in% "Jeg jobber elevrettet" &
    cell("Har du lærerutdanning?") %in% "Nei")
  groups <- c("Barne- og ungdomsarbeider", "Skoleassistent/miljøarbeider",
              "Lærer (uten godkjenning)", "Miljøterapeut/spesped/BSV", "SFO-leder/Base-leder",
              "Annet")
  role_to_group <- c(
    "Barne- og ungdomsarbeider" = groups[1], "Skoleassistent" = groups[2],
    "Miljøarbeider" = groups[2], "Lærer (uten godkjenning)" = groups[3],
    "Miljøterapeut" = groups[4], "Vernepleier" = groups[4], "Sosionom" = groups[4],
    "Barnevernspedagog" = groups[4],
    "Spesialpedagog med bachelor/master (ikke lærerutdanning)" = groups[4],
    "SFO-leder/Base-leder" = groups[5], "Annet" = groups[6],
    "Uspesifisert fagarbeider" = groups[6], "Helsearbeider" = groups[6])
  role <- cell("Hvilken yrkesbakgrunn eller rolle har du i skolen?")[analysed]
  people <- data.frame(id = as.integer(cell("ID")[analysed]),
                       yrkesgruppe = unname(role_to_group[role]), stringsAsFactors = FALSE)
  # Stillingsprosent is asked only of part-timers: the routing decides the base.
  deltid <- cell("Jobber du heltid eller deltid?")[analysed] %in% "Deltid"
  people$b6_stillingsprosent <- ifelse(deltid, as_number(cell("Hvor mange prosent stilling har du?")[analysed]), NA)
  list(study = "skolemiljo-2023", people = people, levels = list(yrkesgruppe = groups))
}

arbeidsmiljo <- function() {
  cell <- read_export(file.path("examples", "arbeidsmiljo-2025", "data", "export.csv"))
  analysed <- which(cell("Jeg har lest informasjonen om undersøkelsen og vil delta") %in% "Ja")
  groups <- c("Helsefagarbeider", "Assistent", "Sykepleier/vernepleier", "Annen stilling")
  role_to_group <- c("Helsefagarbeider" = groups[1], "Assistent" = groups[2],
                     "Sykepleier" = groups[3], "Vernepleier" = groups[3],
                     "Annen stilling" = groups[4])
  role <- cell("Hva er din stilling?")[analysed]
  years <- as_number(cell("Hvor mange år har du jobbet i helse og omsorg?")[analysed])
  bands <- c("0–2", "3–5", "6–10", "11–20", "21 eller mer")
  recommend <- as_number(cell("Hvor sannsynlig er det at du vil anbefale arbeidsplassen din til en venn?")[analysed])
  people <- data.frame(
    id = as.integer(cell("Svar-ID")[analysed]),
    yrkesgruppe = unname(role_to_group[role]),
    ansiennitet = as.character(cut(years, c(-Inf, 3, 6, 11, 21, Inf), labels = bands, right = FALSE)),
    b3_ar = years,
    b4_timer = as_number(cell("Hvor mange timer jobber du i en vanlig uke?")[analysed]),
    q6_fornoyd = as_number(cell("Alt i alt, hvor fornøyd er du med jobben din?")[analysed]),
    stringsAsFactors = FALSE)
  # The eNPS: +100 for 9-10, -100 for 0-6, 0 for 7-8.
  people$q5_plus <- as.numeric(recommend >= 9)
  people$q5_minus <- as.numeric(recommend <= 6)
  people$q5_anbefale <- recommend
  list(study = "arbeidsmiljo-2025", people = people,
       levels = list(yrkesgruppe = groups, ansiennitet = bands))
}

# ---- estimates ---------------------------------------------------------------------------------

estimate_rows <- function(study, design, item, by, statistic, weighting, levels) {
  x <- design$variables[[item]]
  g <- design$variables[[by]]
  domains <- c(lapply(levels, function(level) !is.na(x) & g %in% level),
               list(!is.na(x) & !is.na(g)))
  names(domains) <- c(levels, "Totalt")
  rows <- list()
  for (group in names(domains)) {
    inside <- domains[[group]]
    if (!any(inside)) next
    sub <- subset(design, inside)
    df <- degf(sub)
    add <- function(category, estimate, se, low, high) {
      rows[[length(rows) + 1]] <<- data.frame(
        study = study, item = item, by = by, weighting = weighting, group = group,
        category = category, estimate = estimate, se = se, ci_low = low, ci_high = high,
        df = df, n = sum(inside), stringsAsFactors = FALSE)
    }
    if (statistic == "mean" || statistic == "sum") {
      f <- as.formula(paste0("~", item))
      est <- if (statistic == "mean") svymean(f, sub) else svytotal(f, sub)
      ci <- confint(est, df = df)
      add(statistic, unname(coef(est)), unname(SE(est)), ci[1, 1], ci[1, 2])
    } else if (statistic == "net") {
      est <- svymean(~q5_plus + q5_minus, sub)
      net <- svycontrast(est, c(100, -100))
      ci <- confint(net, df = df)
      add("net", unname(coef(net)), unname(SE(net)), ci[1, 1], ci[1, 2])
    } else {
      q <- svyquantile(as.formula(paste0("~", item)), sub, c(0.25, 0.5, 0.75), ci = TRUE)[[1]]
      for (i in 1:3) {
        add(c("q1", "median", "q3")[i], q[i, "quantile"], q[i, "se"], q[i, 2], q[i, 3])
      }
    }
  }
  do.call(rbind, rows)
}

# ---- tests: equal means (regTermTest) and Holm pairs (svycontrast) ----------------------------

test_rows <- function(study, people, item, by, weighting, levels, scale = 1) {
  value <- if (item == "q5_anbefale") 100 * (people$q5_plus - people$q5_minus) else people[[item]]
  base <- people[!is.na(value) & !is.na(people[[by]]), ]
  base$y <- value[!is.na(value) & !is.na(people[[by]])]
  base$g <- factor(base[[by]], levels = levels[levels %in% base[[by]]])
  des <- svydesign(ids = ~1, weights = as.formula(paste0("~", weighting)), data = base)
  wald <- regTermTest(svyglm(y ~ g, des), ~g)
  est <- svyby(~y, ~g, des, svymean, covmat = TRUE)
  groups <- as.character(est$g)
  pairs <- t(combn(length(groups), 2))
  contrasts <- lapply(seq_len(nrow(pairs)), function(r) {
    v <- rep(0, length(groups)); v[pairs[r, 1]] <- 1; v[pairs[r, 2]] <- -1; v })
  con <- svycontrast(est, contrasts)
  diff <- unname(coef(con)); se <- unname(SE(con))
  p <- 2 * pt(-abs(diff / se), degf(des))
  data.frame(study = study, item = item, by = by, weighting = weighting,
             n = nrow(base), f = unname(wald$Ftest[1]), ndf = unname(wald$df),
             ddf = unname(wald$ddf), p_value = unname(wald$p[1]),
             group1 = groups[pairs[, 1]], group2 = groups[pairs[, 2]], difference = diff,
             pair_se = se, pair_p = p, pair_holm = p.adjust(p, "holm"),
             stringsAsFactors = FALSE)
}

estimates <- list()
tests <- list()
wanted <- list(
  list(skolemiljo, list(c("b6_stillingsprosent", "yrkesgruppe", "mean"),
                        c("b6_stillingsprosent", "yrkesgruppe", "quantiles"),
                        c("b6_stillingsprosent", "yrkesgruppe", "sum"))),
  list(arbeidsmiljo, list(c("b4_timer", "yrkesgruppe", "mean"),
                          c("b4_timer", "yrkesgruppe", "quantiles"),
                          c("b3_ar", "yrkesgruppe", "quantiles"),
                          c("q6_fornoyd", "ansiennitet", "mean"),
                          c("q6_fornoyd", "yrkesgruppe", "median"),
                          c("q5_anbefale", "yrkesgruppe", "net"))))
for (entry in wanted) {
  s <- entry[[1]]()
  s$people$one <- 1
  # A made-up but deterministic weight, tied to the answer's ID, not to a row position.
  s$people$madeup <- 1 + (s$people$id %% 5) / 4
  for (weighting in c("one", "madeup")) {
    design <- svydesign(ids = ~1, weights = as.formula(paste0("~", weighting)), data = s$people)
    for (spec in entry[[2]]) {
      item <- spec[[1]]; by <- spec[[2]]; statistic <- spec[[3]]
      statistic_in_r <- if (statistic == "median") "quantiles" else statistic
      rows <- estimate_rows(s$study, design, item, by, statistic_in_r, weighting,
                            s$levels[[by]])
      if (statistic == "median") rows <- rows[rows$category == "median", ]
      rows$statistic <- statistic
      estimates[[length(estimates) + 1]] <- rows
      if (statistic %in% c("mean", "net")) {
        tests[[length(tests) + 1]] <- test_rows(s$study, s$people, item, by, weighting,
                                                s$levels[[by]])
      }
    }
  }
}
write_fixture(do.call(rbind, estimates), "numbers_estimates.csv")
write_fixture(do.call(rbind, tests), "numbers_tests.csv")
