// The warfarin PK/PD model as a model file (.dtm text). It lives here, beside the warfarin
// dosing code, rather than in the concentration-target library (packages/models/<drug>/): its
// observed output is the INR, which the library's target metrics, products check and regimen
// search do not read.
export const HAMBERG2007_ID = 'warfarin/hamberg2007';

export const HAMBERG2007 = `model    warfarin/hamberg2007   version 1.0.0
drug     warfarin
cite     Hamberg AK, Dahl ML, Barban M, Scordo MG, Wadelius M, Pengo V, Padrini R, Jonsson EN. A PK-PD
  model for predicting the impact of age, CYP2C9, and VKORC1 genotype on individualization of
  warfarin therapy. Clin Pharmacol Ther 2007;81(4):529-538. doi:10.1038/sj.clpt.6100084
units    dose mg | time h | conc mg/L
measured S-warfarin, total, plasma; INR
population  150 Italian adults on long-term warfarin (Padova; Table 1 via nlmixr2lib): study I (57) a
  single 10 mg dose then steady state, INR and concentrations; study II (93) steady-state
  concentrations; age 22-87 y (median 71, the typical patient), weight 45-120 kg; the PD (INR) part
  from study I only
description S-warfarin: two-compartment, first-order absorption (ka 2 /h); the dose is racemic,
  S-warfarin half of it. INR: Emax inhibition of the clotting-factor activity by S-warfarin,
  E = 1 - (Cs/EC50)^gamma/(1 + (Cs/EC50)^gamma), carried by two parallel transit chains (6 compartments
  of rate ktr1 = 1/MTT1 each; 1 compartment of rate ktr2 = 1/MTT2; Appendix), each starting at 1 (no drug);
  INR = BASE + INRmax (1 - A6 A7)^lambda, BASE the patient's INR before warfarin (INR0). Observations: INR on CMT 10, S-warfarin on CMT 2

covariates   unit   valid    label                                                              handling
  AGE        y      18..95   "age (CL_S falls 0.91 % per year around 71 y)"                     required
  CYP2C9     -      0..5     "0 *1/*1, 1 *1/*2, 2 *1/*3, 3 *2/*2, 4 *2/*3, 5 *3/*3"            required
  VKORC1     -      0..2     "VKORC1 -1639 G>A: 0 G/G, 1 G/A, 2 A/A"                           required
  INR0       -      0.8..1.5 "baseline INR before the first dose (the paper's BASE)"            default 1

parameters   value    unit   label                                                  source
  TVCL       0.314    L/h    "CL_S of a 71-year-old CYP2C9 *1/*1"                   Table 2
  R12        0.315    -      "fractional decrease of CL_S, *1/*2"                   Table 2
  R13        0.453    -      "fractional decrease of CL_S, *1/*3"                   Table 2
  R22        0.722    -      "fractional decrease of CL_S, *2/*2"                   Table 2
  R23        0.690    -      "fractional decrease of CL_S, *2/*3"                   Table 2
  R33        0.852    -      "fractional decrease of CL_S, *3/*3"                   Table 2
  AGE_CL     0.0091   1/y    "fractional decrease of CL_S per year of age over 71"  Table 2
  TVV1       13.8     L      "central volume"                                       Table 2
  TVQ        0.131    L/h    "intercompartmental clearance"                         Table 2
  TVV2       6.59     L      "peripheral volume"                                    Table 2
  KA         2        1/h    "absorption rate constant (fixed)"                     Table 2
  FS         0.5      -      "S-warfarin fraction of the racemic dose"              Methods
  EMAX       1        -      "maximal inhibition (fixed)"                           Table 4
  GAMMA      0.424    -      "sigmoidicity"                                         Table 4
  EC50GG     4.61     mg/L   "EC50, VKORC1 G/G"                                     Table 4
  EC50GA     3.02     mg/L   "EC50, VKORC1 G/A"                                     Table 4
  EC50AA     2.20     mg/L   "EC50, VKORC1 A/A"                                     Table 4
  TVMTT1     11.6     h      "mean transit time of each of the 6 chain compartments"  Table 4
  TVMTT2     120      h      "mean transit time of the 1-compartment chain"        Table 4
  LAMBDA     3.61     -      "shape of the INR response"                            Table 4
  INRMAX     20       -      "maximal INR increase (fixed)"                         Methods

random       # omega^2 = ln(1 + CV^2) from the IIV CVs of Tables 2 and 4 (CL 31.0, V1 26.2, V2 99.1,
             # EC50 40.9, MTT1 14.1, MTT2 102 %); diagonal (the covariances are not tabulated)
  eta_CL ~ 0.0918   eta_V1 ~ 0.0664   eta_V2 ~ 0.6841
  eta_EC50 ~ 0.1547 eta_MTT1 ~ 0.0197 eta_MTT2 ~ 0.7131

compartments depot, central, periph, a1 (-), a2 (-), a3 (-), a4 (-), a5 (-), a6 (-), a7 (-)   # a: activity left, 1 = no drug

equations
  RG = ifelse(CYP2C9 == 1, R12, ifelse(CYP2C9 == 2, R13, ifelse(CYP2C9 == 3, R22, ifelse(CYP2C9 == 4, R23, ifelse(CYP2C9 == 5, R33, 0)))))
  CL = TVCL * (1 - AGE_CL * (AGE - 71)) * (1 - RG) * exp(eta_CL)
  V1 = TVV1 * exp(eta_V1)
  V2 = TVV2 * exp(eta_V2)
  EC50 = ifelse(VKORC1 == 2, EC50AA, ifelse(VKORC1 == 1, EC50GA, EC50GG)) * exp(eta_EC50)
  KTR1 = 1 / (TVMTT1 * exp(eta_MTT1))
  KTR2 = 1 / (TVMTT2 * exp(eta_MTT2))
  bioav(depot) = FS
  init(a1) = 1
  init(a2) = 1
  init(a3) = 1
  init(a4) = 1
  init(a5) = 1
  init(a6) = 1
  init(a7) = 1
  CS = central / V1
  RG50 = (max(CS, 0) / EC50)^GAMMA
  E = 1 - EMAX * RG50 / (1 + RG50)
  d/dt(depot) = -KA * depot
  d/dt(central) = KA * depot - CL / V1 * central - TVQ / V1 * central + TVQ / V2 * periph
  d/dt(periph) = TVQ / V1 * central - TVQ / V2 * periph
  transit(a1..a6, k = KTR1, input = E)
  transit(a7..a7, k = KTR2, input = E)
  INR = INR0 + INRMAX * max(1 - a6 * a7, 0)^LAMBDA

error        # INR: log-scale SD 0.0325; S-warfarin: log-scale SD 0.301 (steady state) (Tables 2, 4)
  INR ~ exp(0.0325)   cmt 10   unit -
  CS ~ exp(0.301)     cmt 2

verified
  status       partial
  check        CL = 0.314 L/h +- 0.0005 at AGE 71 y, CYP2C9 0, VKORC1 0 | Table 2 (reil and nlmixr2lib transcriptions) | 2026-12-06
  check        CL = 0.0465 L/h +- 0.0005 at AGE 71 y, CYP2C9 5, VKORC1 0 | 0.314 x (1 - 0.852), Table 2 | 2026-12-06
  check        EC50 = 2.20 mg/L +- 0.005 at AGE 71 y, CYP2C9 0, VKORC1 2 | Table 4 | 2026-12-06
  source       nlmixr2lib inst/modeldb/specificDrugs/Hamberg_2007_warfarin_s.R (commit 01483597b7d8): Tables 2 and 4 (thetas, IIV CVs, residuals) and the Appendix equations (ktr1 = 1/MTT1, ktr2 = 1/MTT2; INR = BASE + INRmax (1 - A6 A7)^lambda) | 2026-12-06
  source       nlmixr2lib vignettes/articles/Hamberg_2007_warfarin_pkpd_pgx.Rmd (commit 3f2048d7e37d): the paper's Table 5, daily racemic doses for a steady-state INR of 2.5 by age (50, 70, 90 y), CYP2C9 and VKORC1; reproduced in warfarin.test.ts (the model's dose within 4 % in all 54 cells, the INR on day 90 of the published dose within 3 % of 2.5) | 2026-12-06
  source       reil HambergPKPD (Anzabi Zadeh): the same thetas; its note reads the Appendix (p. 538) as ktr1 = 1/MTT1 too | 2026-12-06
  unconfirmed  the paper itself was not read: its tables come through two transcriptions that agree on every theta (reil, nlmixr2lib) and Table 5 through one (nlmixr2lib); the model's doses are 1-4 % above Table 5's for *1/*1, *1/*2, *2/*2 and *2/*3 (e.g. *1/*1 G/G 70 y: 7.96 mg here, 7.72 published) and from 3.5 % below to 2.2 % above for *1/*3 and *3/*3, a pattern no parameter read here explains (a *1/*3 reduction of 44 % rather than 45.3 % would fit the table better)
  unconfirmed  ktr1: reil and Ravvaz (whom reil follows) use 6/MTT1, reading Figure 2 as 11.6 h for the whole chain; this file follows the Appendix's 1/MTT1 (both transcriptions). Steady state, hence Table 5, does not depend on it; the INR's rise over the first days does: on 5 mg/day (71 y, *1/*1, G/A) the INR on day 3 is 1.09 here, 1.36 with 6/MTT1 and 1.56 in the 2010 update, so the early rise here is the slowest of the three
  unconfirmed  the IIV: Tables 2 and 4 give CVs (nlmixr2lib; reil reads the same numbers as variances) converted here as ln(1 + CV^2); the CL-V1 and MTT1-MTT2-EC50 covariances the paper estimated are not tabulated and are left out; INR0 taken as 1 when no INR before the first dose is known; the bioavailability of the racemic dose (reil, after Ravvaz, takes 0.9; here 1, with the S fraction 0.5)
`;
