# Cross-check of tverrsnitt's design-based estimation against R's survey package.
#
# Writes the fixtures that tests/test_weight.py and tests/test_proportions.py compare with:
#   Rscript r/design_crosscheck.R [output folder, default tests/data/r]
# Run from the repository root. Deterministic: no random numbers, fixed data, fixed margins.
# Numbers are written with 17 significant digits so that Python reads back R's doubles exactly.

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail", warn = 1)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else file.path("tests", "data", "r")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

num <- function(x) sprintf("%.17g", x)
write_fixture <- function(df, name) {
  for (col in names(df)) if (is.double(df[[col]])) df[[col]] <- num(df[[col]])
  write.csv(df, file.path(out, name), row.names = FALSE, fileEncoding = "UTF-8", na = "")
}

# ---------------------------------------------------------------------------------------------
# 1. survey's own api examples (?svydesign, ?rake): the documented numbers, to full precision.
# ---------------------------------------------------------------------------------------------
data(api)
api <- apiclus1[, c("cds", "dnum", "stype", "sch.wide", "api00", "enroll", "pw", "fpc")]
api$stype <- as.character(api$stype)
api$sch.wide <- as.character(api$sch.wide)
api$high <- as.numeric(api$api00 > 700)
write_fixture(api, "design_apiclus1.csv")

dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = api, fpc = ~fpc)
# ?rake: population margins of school type and "met school-wide target".
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
# The same design with the fpc given as a sampling fraction and without fpc, for as.fpc's paths.
api$frac <- 15 / api$fpc
dclus1f <- svydesign(id = ~dnum, weights = ~pw, data = api, fpc = ~frac)
dclus1n <- svydesign(id = ~dnum, weights = ~pw, data = api)

est <- list()
add <- function(design, what, group, stat) {
  est[[length(est) + 1]] <<- data.frame(design = design, what = what, group = group,
                                         estimate = unname(coef(stat))[1],
                                         se = unname(SE(stat))[1])
}
add("dclus1", "mean_api00", "", svymean(~api00, dclus1))
add("dclus1", "total_enroll", "", svytotal(~enroll, dclus1))
add("dclus1_fraction", "mean_api00", "", svymean(~api00, dclus1f))
add("dclus1_nofpc", "mean_api00", "", svymean(~api00, dclus1n))
add("dclus1_raked", "mean_api00", "", svymean(~api00, dclus1r))
add("dclus1_raked", "total_enroll", "", svytotal(~enroll, dclus1r))
for (s in c("E", "H", "M")) {
  add("dclus1", "mean_api00", s, svymean(~api00, subset(dclus1, stype == s)))
  add("dclus1_raked", "mean_api00", s, svymean(~api00, subset(dclus1r, stype == s)))
}
api_est <- do.call(rbind, est)
api_est$degf <- c(degf(dclus1), degf(dclus1), degf(dclus1f), degf(dclus1n), degf(dclus1r),
                  degf(dclus1r), sapply(c("E", "H", "M"), function(s)
                    c(degf(subset(dclus1, stype == s)), degf(subset(dclus1r, stype == s)))))
write_fixture(api_est, "design_api_estimates.csv")
write_fixture(data.frame(cds = api$cds, raked = weights(dclus1r)), "design_api_weights.csv")

# ---------------------------------------------------------------------------------------------
# 2. The 2023 skolemiljø export: analysed respondents (rules.md section 1) and four items.
# ---------------------------------------------------------------------------------------------
raw <- read.csv(file.path("examples", "skolemiljo-2023", "data", "export.csv"),
                fileEncoding = "UTF-8-BOM", check.names = FALSE, colClasses = "character",
                na.strings = character(0))
col <- function(header) trimws(raw[[header]])
consent <- col("Jeg har lest informasjonen om undersøkelsen og samtykker til å delta")
work <- col("Hva beskriver best arbeidet ditt i skolen?")
teacher <- col("Har du lærerutdanning?")
analysed <- consent == "Ja" & work == "Jeg jobber elevrettet" & teacher == "Nei"
d <- raw[analysed, ]
col <- function(header) trimws(d[[header]])

# yrkesgruppe: the role mapping of derived.yaml (Tabell 3.1).
roles <- list(
  "Barne- og ungdomsarbeider" = "Barne- og ungdomsarbeider",
  "Skoleassistent/miljøarbeider" = c("Skoleassistent", "Miljøarbeider"),
  "Lærer (uten godkjenning)" = "Lærer (uten godkjenning)",
  "Miljøterapeut/spesped/BSV" = c("Miljøterapeut", "Vernepleier", "Sosionom", "Barnevernspedagog",
                                  "Spesialpedagog med bachelor/master (ikke lærerutdanning)"),
  "SFO-leder/Base-leder" = "SFO-leder/Base-leder",
  "Annet" = c("Annet", "Uspesifisert fagarbeider", "Helsearbeider"))
role <- col("Hvilken yrkesbakgrunn eller rolle har du i skolen?")
yrkesgruppe <- rep(NA_character_, nrow(d))
for (g in names(roles)) yrkesgruppe[role %in% roles[[g]]] <- g
trinn <- col("Hvilket skoletrinn jobber du hovedsakelig på?")
skoleslag <- ifelse(trinn %in% c("Barnetrinn", "1–10-skole", "Ungdomstrinn"), "Grunnskole",
                    ifelse(trinn == "Videregående skole", "Videregående", NA))

q41 <- col(paste("I løpet av høstsemesteret 2022, i hvilken grad opplever du at du bidro i skolen",
                 "sitt arbeid med ...? [Elever med særskilte behov]"))
q410 <- col("I hvilken grad får du utnyttet dine kunnskaper og ferdigheter i denne jobben?")
q51 <- col(paste("Har du deltatt i noen av følgende aktiviteter for faglig utvikling i på din",
                 "nåværende arbeidsplass? Flere kryss mulig."))
q54 <- col(paste("I hvilken grad virket disse aktivitetene for faglig utvikling positivt inn på",
                 "ditt arbeid med barn?"))
q51_parts <- lapply(strsplit(q51, ";", fixed = TRUE), function(p) p[p != ""])
none <- "Har ikke deltatt på noen av aktivitetene"
top2 <- c("I stor grad", "I svært stor grad")

resp <- data.frame(
  id = as.integer(col("ID")),
  yrkesgruppe = yrkesgruppe,
  skoleslag = skoleslag,
  skoletype = ifelse(trinn == "", "Ukjent", trinn),
  # top2 of q41_saerskilte_behov among valid answers
  q41_base = as.integer(q41 != ""),
  q41_y = as.integer(q41 %in% top2),
  # 'I stor grad' of q410_utnytte among valid answers
  q410_base = as.integer(q410 != ""),
  q410_y = as.integer(q410 == "I stor grad"),
  # 'Kurs/seminarer' among those who ticked at least one option
  q51_base = as.integer(lengths(q51_parts) > 0),
  q51_y = as.integer(sapply(q51_parts, function(p) "Kurs/seminarer" %in% p)),
  # top2 of q54_utbytte: asked when q51 holds an option other than 'none', and answered
  q54_base = as.integer(sapply(q51_parts, function(p) any(p != none)) & q54 != ""),
  q54_y = as.integer(q54 %in% top2),
  # An edge item: share of SFO-leaders, which is 1 in their own group and 0 in every other.
  sfo_base = 1L,
  sfo_y = as.integer(yrkesgruppe %in% "SFO-leder/Base-leder"))
# A deterministic made-up design weight between 0.5 and 2.5.
resp$w_made_up <- 0.5 + ((resp$id * 7919) %% 13) / 6
resp$one <- 1
# Raking margins need a category for everyone: missing groups get their own category.
resp$rake_yrke <- ifelse(is.na(resp$yrkesgruppe), "Ukjent", resp$yrkesgruppe)
resp$rake_slag <- ifelse(is.na(resp$skoleslag), "Annet/ukjent", resp$skoleslag)
write_fixture(resp, "design_respondents.csv")

# ---------------------------------------------------------------------------------------------
# 3. Designs on the analysed respondents: equal weights, a made-up weight (also stratified by
#    skoletype), and raking to made-up population margins of yrkesgruppe and skoleslag.
# ---------------------------------------------------------------------------------------------
unweighted <- svydesign(ids = ~1, weights = ~one, data = resp)
made_up <- svydesign(ids = ~1, weights = ~w_made_up, data = resp)
stratified <- svydesign(ids = ~1, strata = ~skoletype, weights = ~w_made_up, data = resp)
margins <- list(~rake_yrke, ~rake_slag)
populations <- list(
  data.frame(rake_yrke = c("Barne- og ungdomsarbeider", "Skoleassistent/miljøarbeider",
                           "Lærer (uten godkjenning)", "Miljøterapeut/spesped/BSV",
                           "SFO-leder/Base-leder", "Annet", "Ukjent"),
             Freq = c(8000, 6200, 700, 1900, 500, 1381, 200)),
  data.frame(rake_slag = c("Grunnskole", "Videregående", "Annet/ukjent"),
             Freq = c(14000, 3600, 1281)))
raked <- rake(unweighted, margins, populations)
raked_tight <- rake(made_up, margins, populations, control = list(maxit = 50, epsilon = 1e-9))
# Trimming as tverrsnitt.weight.rake(trim=Trim(lower, upper)) does it: trim the raked weights to
# [lower, upper] x mean with trimWeights, rake again, until the raked weights are within the
# bounds up to a relative slack of 1e-3.
rake_trim <- function(design, lower, upper) {
  r <- rake(design, margins, populations)
  for (i in 1:50) {
    w <- weights(r)
    m <- mean(w)
    if (all(w >= lower * m * (1 - 1e-3)) && all(w <= upper * m * (1 + 1e-3))) return(r)
    r <- rake(trimWeights(r, lower = lower * m, upper = upper * m), margins, populations)
  }
  stop("trimming did not settle")
}
trimmed <- rake_trim(unweighted, 0.85, 2.0)
write_fixture(data.frame(id = resp$id, raked = weights(raked), raked_tight = weights(raked_tight),
                         trimmed = weights(trimmed)), "design_weights.csv")

# Weight summaries computed by hand (population SD, Kish deff, n / deff).
summaries <- do.call(rbind, lapply(c("raked", "trimmed"), function(name) {
  w <- weights(get(name))
  n <- length(w)
  cv <- sqrt(mean((w - mean(w))^2)) / mean(w)
  data.frame(design = name, n = n, minimum = min(w), maximum = max(w), mean = mean(w), cv = cv,
             deff = n * sum(w^2) / sum(w)^2, n_eff = sum(w)^2 / sum(w^2))
}))
write_fixture(summaries, "design_weight_summaries.csv")

# ---------------------------------------------------------------------------------------------
# 4. Proportions: svyby(~y, ~yrkesgruppe, subset(design, base), svyciprop, method = m) and the
#    Totalt over all respondents with a yrkesgruppe; Wilson computed by hand from svymean.
#    svyglm warns about zero weights and non-convergence (p = 0 or 1); those warnings are muted.
# ---------------------------------------------------------------------------------------------
wilson <- function(p, se, df, n, level = 0.95) {
  if (df <= 0) return(c(NaN, NaN))
  t <- qt(1 - (1 - level) / 2, df)
  n_eff <- if (se > 0) p * (1 - p) / se^2 else n
  a <- t^2 / n_eff
  centre <- (p + a / 2) / (1 + a)
  half <- t * sqrt(p * (1 - p) / n_eff + a / (4 * n_eff)) / (1 + a)
  c(max(centre - half, 0), min(centre + half, 1))
}
items <- c("q41", "q410", "q51", "q54", "sfo")
designs <- list(unweighted = unweighted, made_up = made_up, stratified = stratified,
                raked = raked, trimmed = trimmed)
rows <- list()
for (dname in names(designs)) for (item in items) {
  des <- designs[[dname]]
  base <- des$variables[[paste0(item, "_base")]] == 1 & !is.na(des$variables$yrkesgruppe)
  sub <- subset(des, base)
  yf <- as.formula(paste0("~", item, "_y"))
  units <- function(s) sum(weights(s, "sampling") != 0)
  groups <- sort(unique(des$variables$yrkesgruppe[base]))
  # xlogit is the logit interval computed from svymean directly (svycontrast) rather than from
  # svyglm; it is the check for groups where svyglm's IRLS breaks down (it returns NaN for
  # SFO-leaders' q41 on the raked designs, while svymean is fine).
  for (method in c("logit", "beta", "xlogit")) {
    by <- suppressWarnings(svyby(yf, ~yrkesgruppe, sub, svyciprop, vartype = c("se", "ci"),
                                 method = method))
    tot <- suppressWarnings(svyciprop(yf, sub, method = method))
    rows[[length(rows) + 1]] <- data.frame(
      design = dname, item = item, method = method, group = c(as.character(by$yrkesgruppe), "Totalt"),
      estimate = c(unname(coef(by)), unname(coef(tot))), se = c(unname(SE(by)), unname(SE(tot))),
      ci_low = c(by$ci_l, attr(tot, "ci")[1]), ci_high = c(by$ci_u, attr(tot, "ci")[2]),
      df = c(sapply(groups, function(g) degf(subset(sub, yrkesgruppe == g))), degf(sub)),
      n = c(sapply(groups, function(g) units(subset(sub, yrkesgruppe == g))), units(sub)))
  }
  by <- svyby(yf, ~yrkesgruppe, sub, svymean)
  tot <- svymean(yf, sub)
  est <- c(unname(coef(by)), unname(coef(tot)))
  se <- c(unname(SE(by)), unname(SE(tot)))
  df <- c(sapply(groups, function(g) degf(subset(sub, yrkesgruppe == g))), degf(sub))
  n <- c(sapply(groups, function(g) units(subset(sub, yrkesgruppe == g))), units(sub))
  ci <- t(mapply(wilson, est, se, df, n))
  rows[[length(rows) + 1]] <- data.frame(
    design = dname, item = item, method = "wilson", group = c(as.character(by$yrkesgruppe), "Totalt"),
    estimate = est, se = se, ci_low = ci[, 1], ci_high = ci[, 2], df = df, n = n)
}
write_fixture(do.call(rbind, rows), "design_proportions.csv")
