# Oracle for `tverrsnitt report --rake` and the non-response analysis: R computes, from the raw
# example files and independently of the Python package,
#   - the R-indicator: a main-effects logistic regression (glm) of "is a linked respondent" on
#     the register variables over everyone invited, R = 1 - 2 sd(fitted);
#   - the raked design of study.yaml's 'weighting' section (yrkesgruppe margins counted from the
#     register, respondents without a role kept at their sample share) with rake(), its weights,
#     and svyby + svyciprop (logit) for the top2 share of q41_saerskilte_behov by yrkesgruppe
#     and in total, treating the raking as calibration.
#
# Run from the repository root:   Rscript r/weighting_crosscheck.R [output folder]
# The output folder defaults to tests/data/r; numbers are written with 17 significant digits.

suppressPackageStartupMessages(library(survey))
options(digits = 17, warn = 1)

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("tests", "data", "r")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
num <- function(x) sprintf("%.17g", x)
write_fixture <- function(df, name) {
  for (col in names(df)) if (is.double(df[[col]])) df[[col]] <- num(df[[col]])
  con <- file(file.path(out_dir, name), open = "w", encoding = "UTF-8")
  write.csv(df, con, row.names = FALSE, na = "")
  close(con)
}

# ---- the analysed respondents (rules.md section 1) -------------------------------------------
raw <- read.csv(file.path("examples", "skolemiljo-2023", "data", "export.csv"),
                fileEncoding = "UTF-8-BOM", check.names = FALSE, colClasses = "character",
                na.strings = character(0))
col <- function(header) trimws(raw[[header]])
analysed <- col("Jeg har lest informasjonen om undersøkelsen og samtykker til å delta") == "Ja" &
  col("Hva beskriver best arbeidet ditt i skolen?") == "Jeg jobber elevrettet" &
  col("Har du lærerutdanning?") == "Nei"
d <- raw[analysed, ]
col <- function(header) trimws(d[[header]])

# ---- 1. the R-indicator over the register ----------------------------------------------------
register <- read.csv(file.path("examples", "skolemiljo-2023", "data", "register.csv"),
                     check.names = FALSE, colClasses = "character", encoding = "UTF-8")
linked <- unique(col("Medlemsnummer")[col("Medlemsnummer") != ""])
register$responded <- as.integer(register$member_no %in% linked)
age <- as.integer(substr(register$invited_at, 1, 4)) - as.integer(register$birth_year)
register$ageband <- cut(age, c(-Inf, 29, 39, 49, 59, Inf))
model <- glm(responded ~ gender + ageband + county + union_rep, family = binomial,
             data = register, control = glm.control(epsilon = 1e-14, maxit = 100))
rho <- fitted(model)
write_fixture(data.frame(invited = nrow(register), linked = sum(register$responded),
                         r = 1 - 2 * sd(rho), mean = mean(rho), sd = sd(rho)),
              "weighting_rindicator.csv")

# ---- 2. raking to the register's occupational groups -----------------------------------------
roles <- list(
  "Barne- og ungdomsarbeider" = "Barne- og ungdomsarbeider",
  "Skoleassistent/miljøarbeider" = c("Skoleassistent", "Miljøarbeider"),
  "Lærer (uten godkjenning)" = "Lærer (uten godkjenning)",
  "Miljøterapeut/spesped/BSV" = c("Miljøterapeut", "Vernepleier", "Sosionom", "Barnevernspedagog",
                                  "Spesialpedagog med bachelor/master (ikke lærerutdanning)"),
  "SFO-leder/Base-leder" = "SFO-leder/Base-leder",
  "Annet" = c("Annet", "Uspesifisert fagarbeider", "Helsearbeider"))
occupations <- list(
  "Barne- og ungdomsarbeider" = "Barne- og ungdomsarbeider",
  "Skoleassistent/miljøarbeider" = c("Assistent", "Miljøarbeider"),
  "Lærer (uten godkjenning)" = "Lærer",
  "Miljøterapeut/spesped/BSV" = c("Miljøterapeut", "Vernepleier", "Spesialpedagog"),
  "SFO-leder/Base-leder" = "SFO-leder",
  "Annet" = c("Annet", "Fagarbeider", "Helsefagarbeider"))
role <- col("Hvilken yrkesbakgrunn eller rolle har du i skolen?")
group <- rep("Uoppgitt", nrow(d))
for (g in names(roles)) group[role %in% roles[[g]]] <- g
population <- sapply(names(occupations), function(g) sum(register$occupation %in% occupations[[g]]))
unknown_share <- mean(group == "Uoppgitt")
totals <- data.frame(group = c(names(occupations), "Uoppgitt"),
                     Freq = c(population, unknown_share / (1 - unknown_share) * sum(population)))

q41 <- col(paste("I løpet av høstsemesteret 2022, i hvilken grad opplever du at du bidro i skolen",
                 "sitt arbeid med ...? [Elever med særskilte behov]"))
resp <- data.frame(id = as.integer(col("ID")), group = group,
                   base = q41 != "", y = as.numeric(q41 %in% c("I stor grad", "I svært stor grad")))
design <- svydesign(ids = ~1, weights = ~1, data = resp)
raked <- rake(design, list(~group), list(totals), control = list(maxit = 50, epsilon = 1))
write_fixture(data.frame(id = resp$id, weight = weights(raked)), "weighting_raked_weights.csv")

on_base <- subset(raked, base)
# svyciprop's logit fit diverges in R for the SFO-leder domain of this raked design (svyglm
# returns an intercept near 3.5e15, so the estimate is NaN); svymean gives the share and its
# linearised SE for every group, and the tests compare intervals where R has them.
by_group <- suppressWarnings(  # glm notes the zero weights outside each group
  svyby(~y, ~group, on_base, svyciprop, vartype = c("se", "ci"), method = "logit"))
means <- svyby(~y, ~group, on_base, svymean)
keep <- by_group$group != "Uoppgitt"
by_group <- by_group[keep, ]
means <- means[keep, ]
# Totalt is over the respondents with a group, as in the report's tables.
in_groups <- subset(raked, base & group != "Uoppgitt")
total <- svyciprop(~y, in_groups, method = "logit")
total_mean <- svymean(~y, in_groups)
ci <- attr(total, "ci")
shares <- rbind(
  data.frame(group = as.character(by_group$group), mean = means$y, mean_se = means$se,
             estimate = by_group$y, se = by_group$se, ci_low = by_group$ci_l,
             ci_high = by_group$ci_u),
  data.frame(group = "Totalt", mean = as.numeric(coef(total_mean)),
             mean_se = as.numeric(SE(total_mean)), estimate = as.numeric(total),
             se = as.numeric(SE(total)), ci_low = as.numeric(ci[1]), ci_high = as.numeric(ci[2])))
write_fixture(shares, "weighting_raked_q41.csv")

# ---- 3. group tests on the raked design --------------------------------------------------------
# svychisq on subset(raked, base): R keeps every row of a calibrated design in a subset (weight
# 0), so its statistic counts all rows. svyby(covmat = TRUE) fails on such subsets, so the pairs
# come from svyratio of each group's domain (y * in group / in group) on the raked design, with
# svycontrast-style differences and a t test on degf(subset(raked, base)).
answers <- update(raked, answer = ifelse(q41 == "", NA, q41),
                  group2 = ifelse(group == "Uoppgitt", NA, group))
chisq <- svychisq(~answer + group2, subset(answers, base & group != "Uoppgitt"),
                  statistic = "F")
ok <- resp$base & resp$group != "Uoppgitt"
groups <- c("Barne- og ungdomsarbeider", "Skoleassistent/miljøarbeider",
            "Lærer (uten godkjenning)", "Miljøterapeut/spesped/BSV", "SFO-leder/Base-leder",
            "Annet")
ratio_design <- raked
for (i in seq_along(groups)) {
  inside <- as.numeric(resp$group == groups[i] & ok)
  ratio_design$variables[[paste0("y", i)]] <- resp$y * inside
  ratio_design$variables[[paste0("d", i)]] <- inside
}
ratio <- svyratio(as.formula(paste("~", paste0("y", seq_along(groups), collapse = " + "))),
                  as.formula(paste("~", paste0("d", seq_along(groups), collapse = " + "))),
                  ratio_design, covmat = TRUE)
own <- paste0("y", seq_along(groups), "/d", seq_along(groups))
means <- coef(ratio)[own]
v <- vcov(ratio)[own, own]
pairs <- t(combn(length(groups), 2))
difference <- means[pairs[, 1]] - means[pairs[, 2]]
se <- sqrt(diag(v)[pairs[, 1]] + diag(v)[pairs[, 2]] - 2 * v[pairs])
df <- degf(subset(raked, ok))
p <- 2 * pt(-abs(difference / se), df)
write_fixture(rbind(
  data.frame(row = "test", first = "", second = "", f = unname(chisq$statistic),
             ndf = unname(chisq$parameter[["ndf"]]), ddf = unname(chisq$parameter[["ddf"]]),
             p_value = chisq$p.value, difference = NA_real_, se = NA_real_, p_adjusted = NA_real_),
  data.frame(row = "pair", first = groups[pairs[, 1]], second = groups[pairs[, 2]], f = NA_real_,
             ndf = NA_real_, ddf = NA_real_, p_value = unname(p), difference = unname(difference),
             se = unname(se), p_adjusted = p.adjust(unname(p), "holm"))),
  "weighting_raked_tests.csv")
