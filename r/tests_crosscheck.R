# Oracle for tverrsnitt.tabulate.rao_scott and tabulate.pairwise: R's survey package computes the
# Rao-Scott tests (svychisq) and the pairwise domain differences (svyby + svycontrast + p.adjust)
# that tests/test_group_tests.py compares the Python code with.
#
# Run from the repository root:   Rscript r/tests_crosscheck.R [output folder]
# The output folder defaults to tests/data/r. The script is deterministic (no random numbers);
# numbers are written with 17 significant digits so that a reread double is the same double.
#
# The survey data are derived here from the raw export, independently of the Python package,
# following /work/shared/study/rules.md (screening in section 1, groups in section 2, bases in
# section 3, top2 in section 4).

suppressPackageStartupMessages(library(survey))
options(digits = 17, warn = 1, survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("tests", "data", "r")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

# ---- writing ---------------------------------------------------------------------------------

write_fixture <- function(df, name) {
  # write.csv keeps only 15 significant digits; format doubles ourselves.
  for (col in names(df)) {
    if (is.double(df[[col]])) {
      df[[col]] <- ifelse(is.na(df[[col]]), NA, sprintf("%.17g", df[[col]]))
    }
    if (is.factor(df[[col]])) df[[col]] <- as.character(df[[col]])
  }
  path <- file.path(out_dir, name)
  con <- file(path, open = "w", encoding = "UTF-8")
  write.csv(df, con, row.names = FALSE, na = "")
  close(con)
}

# ---- the tests -------------------------------------------------------------------------------

# One fixture row per (table, statistic): the Pearson X^2 of the weighted table, the statistic
# svychisq reports, its degrees of freedom and p-value. For "F" the statistic is X^2/trace(Delta)
# on (d0, d0*nu) df; for "Chisq" svychisq reports the unadjusted X^2 with the p-value of
# X^2/mean(diag(Delta)) on (r-1)(c-1) df, so we also store that first-order statistic.
chisq_rows <- function(table, formula, design, weighting) {
  f <- svychisq(formula, design, statistic = "F")
  x <- svychisq(formula, design, statistic = "Chisq")
  pearson <- suppressWarnings(chisq.test(svytable(formula, design, Ntotal = nrow(design)),
                                         correct = FALSE))$statistic
  df_chisq <- unname(x$parameter[["df"]])
  # Recover mean(diag(Delta)) from the p-value would lose digits; recompute it the way
  # svychisq does: F = X^2 / trace(Delta), so trace = X^2 / F.
  delta_mean <- unname(pearson / f$statistic) / df_chisq
  data.frame(
    table = table, weighting = weighting,
    statistic = c("F", "Chisq"),
    pearson = unname(c(pearson, pearson)),
    value = unname(c(f$statistic, pearson / delta_mean)),
    ndf = unname(c(f$parameter[["ndf"]], df_chisq)),
    ddf = unname(c(f$parameter[["ddf"]], NA_real_)),
    p_value = unname(c(f$p.value, x$p.value)),
    nu = degf(design),
    n = nrow(design),
    stringsAsFactors = FALSE
  )
}

# Every pair (i < j, groups in level order) of domain means of `y`: difference g_i - g_j from
# svycontrast on svyby(covmat = TRUE), Wald t on degf(design) df, and the family of pairs
# adjusted by Holm, Bonferroni and Benjamini-Hochberg.
pairwise_rows <- function(table, y, by, design, weighting) {
  est <- svyby(y, by, design, svymean, covmat = TRUE)
  groups <- as.character(est[[1]])
  k <- length(groups)
  pairs <- t(combn(k, 2))
  contrasts <- lapply(seq_len(nrow(pairs)), function(r) {
    v <- rep(0, k)
    v[pairs[r, 1]] <- 1
    v[pairs[r, 2]] <- -1
    v
  })
  con <- svycontrast(est, contrasts)
  diff <- unname(coef(con))
  se <- unname(SE(con))
  tval <- diff / se
  df <- degf(design)
  p <- 2 * pt(-abs(tval), df)
  means <- unname(coef(est))
  data.frame(
    table = table, weighting = weighting,
    group1 = groups[pairs[, 1]], group2 = groups[pairs[, 2]],
    estimate1 = means[pairs[, 1]], estimate2 = means[pairs[, 2]],
    se1 = unname(SE(est))[pairs[, 1]], se2 = unname(SE(est))[pairs[, 2]],
    covariance = vcov(est)[pairs],
    difference = diff, se = se, t = tval, df = df, p_value = p,
    p_holm = p.adjust(p, "holm"), p_bonferroni = p.adjust(p, "bonferroni"),
    p_BH = p.adjust(p, "BH"),
    stringsAsFactors = FALSE
  )
}

chisq <- list()
pairwise <- list()

# ---- 1. survey's own example (?svychisq): a one-stage cluster sample with fpc --------------

data(api)
write_fixture(apiclus1[, c("cds", "dnum", "pw", "fpc", "sch.wide", "stype", "comp.imp")],
              "tests_apiclus1.csv")
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
chisq[["api1"]] <- chisq_rows("apiclus1: sch.wide x stype", ~sch.wide + stype, dclus1, "pw")
chisq[["api2"]] <- chisq_rows("apiclus1: comp.imp x stype", ~comp.imp + stype, dclus1, "pw")
dclus1$variables$yes <- as.numeric(dclus1$variables$sch.wide == "Yes")
pairwise[["api1"]] <- pairwise_rows("apiclus1: sch.wide=Yes by stype", ~yes, ~stype, dclus1, "pw")

# A stratified element sample with fpc (strata = stype), to exercise the strata.
write_fixture(apistrat[, c("cds", "stype", "pw", "fpc", "sch.wide", "comp.imp")],
              "tests_apistrat.csv")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
chisq[["api3"]] <- chisq_rows("apistrat: sch.wide x comp.imp", ~sch.wide + comp.imp, dstrat, "pw")
dstrat$variables$yes <- as.numeric(dstrat$variables$sch.wide == "Yes")
pairwise[["api2"]] <- pairwise_rows("apistrat: sch.wide=Yes by comp.imp", ~yes, ~comp.imp,
                                    dstrat, "pw")

# ---- 2. the 2023 survey --------------------------------------------------------------------

raw <- read.csv(file.path("examples", "skolemiljo-2023", "data", "export.csv"),
                fileEncoding = "UTF-8-BOM", check.names = FALSE, colClasses = "character",
                na.strings = character(0))
cell <- function(header) {
  if (!header %in% names(raw)) stop("column not in export: ", header)
  v <- trimws(raw[[header]])
  v[v == ""] <- NA
  v
}

# Section 1: analysed respondents.
analysed <- which(
  cell("Jeg har lest informasjonen om undersøkelsen og samtykker til å delta") %in% "Ja" &
  cell("Hva beskriver best arbeidet ditt i skolen?") %in% "Jeg jobber elevrettet" &
  cell("Har du lærerutdanning?") %in% "Nei")
stopifnot(length(analysed) == 2259)  # Total N in Tabell 2.1

# Section 2.1 and derived.yaml: roles -> yrkesgruppe, in table order.
yrke_levels <- c("Barne- og ungdomsarbeider", "Skoleassistent/miljøarbeider",
                 "Lærer (uten godkjenning)", "Miljøterapeut/spesped/BSV",
                 "SFO-leder/Base-leder", "Annet")
role_to_group <- c(
  "Barne- og ungdomsarbeider" = yrke_levels[1],
  "Skoleassistent" = yrke_levels[2], "Miljøarbeider" = yrke_levels[2],
  "Lærer (uten godkjenning)" = yrke_levels[3],
  "Miljøterapeut" = yrke_levels[4], "Vernepleier" = yrke_levels[4],
  "Sosionom" = yrke_levels[4], "Barnevernspedagog" = yrke_levels[4],
  "Spesialpedagog med bachelor/master (ikke lærerutdanning)" = yrke_levels[4],
  "SFO-leder/Base-leder" = yrke_levels[5],
  "Annet" = yrke_levels[6], "Uspesifisert fagarbeider" = yrke_levels[6],
  "Helsearbeider" = yrke_levels[6])
role <- cell("Hvilken yrkesbakgrunn eller rolle har du i skolen?")[analysed]
stopifnot(all(is.na(role) | role %in% names(role_to_group)))
yrkesgruppe <- unname(role_to_group[role])

# Section 2.3: skoleslag; 'Uavhengig av trinn' has none.
trinn <- cell("Hvilket skoletrinn jobber du hovedsakelig på?")[analysed]
skoleslag <- ifelse(trinn %in% c("Barnetrinn", "1–10-skole", "Ungdomstrinn"), "Grunnskole",
                    ifelse(trinn %in% "Videregående skole", "Videregående", NA))

id <- as.integer(cell("ID")[analysed])
people <- data.frame(id = id, yrkesgruppe = yrkesgruppe, skoleslag = skoleslag,
                     stringsAsFactors = FALSE)
# A made-up but deterministic weight, tied to the answer's ID rather than to a row position.
people$madeup <- 1 + (people$id %% 5) / 4
people$one <- 1

grad5 <- c("Ikke i det hele tatt", "I liten grad", "I noen grad", "I stor grad",
           "I svært stor grad")
grad5_svaert_liten <- c("I svært liten grad", "I liten grad", "I noen grad", "I stor grad",
                        "I svært stor grad")
enighet4 <- c("Svært uenig", "Uenig", "Enig", "Svært enig")
q41_stem <- paste("I løpet av høstsemesteret 2022, i hvilken grad opplever du at du bidro i",
                  "skolen sitt arbeid med ...?")
q66_stem <- paste("Vi ønsker å vite hva du tenker om jobben din.",
                  "Hvor enig eller uenig er du i følgende utsagn?")
items <- list(
  q410_utnytte = list(
    header = "I hvilken grad får du utnyttet dine kunnskaper og ferdigheter i denne jobben?",
    options = grad5_svaert_liten),
  q41_saerskilte_behov = list(header = paste0(q41_stem, " [Elever med særskilte behov]"),
                              options = grad5),
  q66_lonn = list(header = paste0(q66_stem, " [Jeg er fornøyd med lønnen min]"),
                  options = enighet4))
for (code in names(items)) {
  v <- cell(items[[code]]$header)[analysed]
  stopifnot(all(is.na(v) | v %in% items[[code]]$options))
  people[[code]] <- v
}

# Section 3: the base is the valid answers with a group; the design is built on that base.
survey_design <- function(item, by, weighting) {
  base <- people[!is.na(people[[item]]) & !is.na(people[[by]]), ]
  levels <- if (by == "yrkesgruppe") yrke_levels else c("Grunnskole", "Videregående")
  base$group <- factor(base[[by]], levels = levels)
  base$item <- base[[item]]
  opts <- items[[item]]$options
  base$top2 <- as.numeric(base$item %in% opts[(length(opts) - 1):length(opts)])
  svydesign(ids = ~1, weights = as.formula(paste0("~", weighting)), data = base)
}

tables <- list(c("q410_utnytte", "yrkesgruppe"), c("q41_saerskilte_behov", "skoleslag"),
               c("q66_lonn", "yrkesgruppe"), c("q66_lonn", "skoleslag"))
for (tab in tables) {
  for (weighting in c("one", "madeup")) {
    des <- survey_design(tab[[1]], tab[[2]], weighting)
    name <- paste(tab[[1]], "x", tab[[2]])
    chisq[[paste(name, weighting)]] <- chisq_rows(name, ~item + group, des, weighting)
    pairwise[[paste(name, weighting)]] <- pairwise_rows(paste(name, "top2"), ~top2, ~group,
                                                        des, weighting)
  }
}

chisq <- do.call(rbind, unname(chisq))
pairwise <- do.call(rbind, unname(pairwise))
write_fixture(chisq, "tests_chisq.csv")
write_fixture(pairwise, "tests_pairwise.csv")

# ---- 3. p.adjust on a hand-made vector with ties, for the adjustment methods alone -----------

p <- c(0.01, 0.04, 0.03, 0.04, 0.2, 0.001, 0.5, 0.049, 0.0125, 1)
write_fixture(data.frame(p = p, holm = p.adjust(p, "holm"),
                         bonferroni = p.adjust(p, "bonferroni"), BH = p.adjust(p, "BH")),
              "tests_padjust.csv")

# The respondents' groups and weights, so a failing comparison can be traced to its base.
write_fixture(people[, c("id", "yrkesgruppe", "skoleslag", "madeup", names(items))],
              "tests_people.csv")
