// The 2010 update of the Hamberg warfarin model, as a model file (.dtm text). The twin doses with
// the 2007 model (hamberg2007.ts); this one is the virtual trial's source of patients, so that the
// twin is tested on patients whose model it does not share (structure, thetas and Ω all differ).
export const HAMBERG2010_ID = 'warfarin/hamberg2010';

/** CMT of the INR observations (the last activity compartment of the slow chain). */
export const HAMBERG2010_INR_CMT = 8;

export const HAMBERG2010 = `model    warfarin/hamberg2010   version 1.0.0
drug     warfarin
cite     Hamberg AK, Wadelius M, Lindh JD, Dahl ML, Padrini R, Deloukas P, Rane A, Jonsson EN. A
  pharmacometric model describing the relationship between warfarin dose and INR response with
  respect to variations in CYP2C9, VKORC1, and age. Clin Pharmacol Ther 2010;87(6):727-734.
  doi:10.1038/clpt.2010.37
units    dose mg | time h | conc mg/L
measured S-warfarin, total, plasma; INR
population  patients starting warfarin (Sweden, Italy, UK); the final PD estimates from the paper's
  dataset C; typical patient 71 years old
description S-warfarin: one compartment, first-order absorption (ka 2 /h), S-warfarin half of the
  racemic dose; CL_S the sum of the two CYP2C9 alleles' contributions, falling with age; EC50 the
  sum of the two VKORC1 alleles'. Emax inhibition E = 1 - Cs^gamma/(EC50^gamma + Cs^gamma) carried by
  two parallel chains of three transit compartments (mean transit times MTT1, MTT2), each at 1
  without drug; INR = BASE + INRmax (1 - (A3 + B3)/2). Observations: INR on CMT 8, S-warfarin on CMT 2

covariates   unit   valid    label                                                              handling
  AGE        y      18..95   "age (CL_S falls 0.571 % per year around 71 y)"                    required
  CYP2C9     -      0..5     "0 *1/*1, 1 *1/*2, 2 *1/*3, 3 *2/*2, 4 *2/*3, 5 *3/*3"            required
  VKORC1     -      0..2     "VKORC1 -1639 G>A: 0 G/G, 1 G/A, 2 A/A"                           required
  INR0       -      0.8..1.5 "baseline INR before the first dose (BASE)"                        default 1

parameters   value    unit   label                                                  source
  CL1        0.174    L/h    "CL_S contributed by one CYP2C9 *1 allele"             Table 2
  CL2        0.0879   L/h    "CL_S contributed by one CYP2C9 *2 allele"             Table 2
  CL3        0.0422   L/h    "CL_S contributed by one CYP2C9 *3 allele"             Table 2
  AGE_CL     0.00571  1/y    "fractional decrease of CL_S per year of age over 71"  Table 2
  TVV        14.3     L      "volume of distribution"                               Table 2
  KA         2        1/h    "absorption rate constant (fixed)"                     Table 2
  FS         0.5      -      "S-warfarin fraction of the racemic dose"              Methods
  EMAX       1        -      "maximal inhibition (fixed)"                           Table 4
  GAMMA      1.15     -      "sigmoidicity"                                         Table 4
  EC50G      2.05     mg/L   "EC50 contributed by one VKORC1 G allele"              Table 4
  EC50A      0.96     mg/L   "EC50 contributed by one VKORC1 A allele"              Table 4
  MTT1       28.6     h      "mean transit time, chain 1 (three compartments)"     Table 4
  MTT2       118.3    h      "mean transit time, chain 2 (three compartments)"     Table 4
  INRMAX     20       -      "maximal INR increase (fixed)"                         Methods

random       # variances (omega^2), as read by the reil transcription
  eta_CL ~ 0.089    eta_V ~ 0.054    eta_EC50 ~ 0.34

compartments depot, central, a1 (-), a2 (-), a3 (-), b1 (-), b2 (-), b3 (-)   # a, b: activity left, 1 = no drug

equations
  CLG = ifelse(CYP2C9 == 1, CL1 + CL2, ifelse(CYP2C9 == 2, CL1 + CL3, ifelse(CYP2C9 == 3, 2 * CL2, ifelse(CYP2C9 == 4, CL2 + CL3, ifelse(CYP2C9 == 5, 2 * CL3, 2 * CL1)))))
  CL = CLG * (1 - AGE_CL * (AGE - 71)) * exp(eta_CL)
  V = TVV * exp(eta_V)
  EC50 = ifelse(VKORC1 == 2, 2 * EC50A, ifelse(VKORC1 == 1, EC50G + EC50A, 2 * EC50G)) * exp(eta_EC50)
  KTR1 = 3 / MTT1
  KTR2 = 3 / MTT2
  bioav(depot) = FS
  init(a1) = 1
  init(a2) = 1
  init(a3) = 1
  init(b1) = 1
  init(b2) = 1
  init(b3) = 1
  CS = central / V
  RG = (max(CS, 0) / EC50)^GAMMA
  E = 1 - EMAX * RG / (1 + RG)
  d/dt(depot) = -KA * depot
  d/dt(central) = KA * depot - CL / V * central
  transit(a1..a3, k = KTR1, input = E)
  transit(b1..b3, k = KTR2, input = E)
  INR = INR0 + INRMAX * (1 - (a3 + b3) / 2)

error        # INR: additive SD 0.20 (reil) or log-scale 0.190 (DavAug); read here on the log scale
  INR ~ exp(0.2)      cmt 8   unit -
  CS ~ exp(0.099)     cmt 2

verified
  status       unconfirmed
  check        CL = 0.348 L/h +- 0.0005 at AGE 71 y, CYP2C9 0, VKORC1 0 | 2 x 0.174, Table 2 | 2026-12-06
  check        CL = 0.2162 L/h +- 0.0005 at AGE 71 y, CYP2C9 2, VKORC1 0 | 0.174 + 0.0422, Table 2 | 2026-12-06
  check        EC50 = 3.01 mg/L +- 0.005 at AGE 71 y, CYP2C9 0, VKORC1 1 | 2.05 + 0.96, Table 4 | 2026-12-06
  source       thetas as transcribed by two independent implementations that agree on every one: reil (HambergPKPD2010, Tables 2 and 4, dataset C) and DavAug mipd-warfarin (elimination rate 0.0243 /h = 0.348/14.3, shifts *2/*2 0.495 and *3/*3 0.757, EC50 4.1 mg/L with A/A shift 0.532, transition rates 0.105 and 0.0254 /h = 3/28.6 and 3/118.3, gamma 1.15) | 2026-12-06
  unconfirmed  the paper's tables were not read here; the IIV magnitudes differ between the transcriptions (EC50 0.34 in reil, 0.240 in DavAug) and whether they are variances or SDs is not known; reil also draws an IIV of 0.589 on the K-PD elimination rate KDE, left out (this file is driven by the S-warfarin concentration, as DavAug's is); the age term is a decrease (DavAug) where reil's sign makes CL rise with age; the INR residual is 0.20 additive in reil, 0.190 log-scale in DavAug
`;
