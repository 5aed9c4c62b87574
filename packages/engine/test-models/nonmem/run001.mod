$PROBLEM run001: one compartment, first-order absorption (mapbayr validation study, Le Louedec et al. 2021)
; Written for dosetwin's tests from the study's description (../../../../../shared/reference/map-benchmark/README.md);
; the twin in the model language is ../map-benchmark/run001.dtm.  units dose mg | time h | conc mg/L
$INPUT ID TIME EVID AMT CMT II ADDL MDV DV S2_SAMPLING=DROP
$DATA ../../../../../shared/reference/map-benchmark/run001/data.csv IGNORE=@

$SUBROUTINES ADVAN2 TRANS2

$PK
  CL = THETA(1) * EXP(ETA(1))
  V  = THETA(2) * EXP(ETA(2))
  KA = THETA(3) * EXP(ETA(3))
  S2 = V

$ERROR
  IPRED = F
  W = F
  IF (W.EQ.0) W = 1
  IRES  = DV - IPRED
  IWRES = IRES / W
  Y = IPRED + W * EPS(1)

$THETA
  (0, 4)     ; CL [L/h]
  (0, 70)    ; V [L]
  (0, 1)     ; KA [1/h]

$OMEGA 0.2 0.2 0.2     ; IIV CL, V, KA
$SIGMA 0.05            ; proportional

$ESTIMATION METHOD=1 INTERACTION MAXEVAL=0 NOABORT SIGL=6 PRINT=1
$TABLE ID TIME EVID CMT DV PRED IPRED NOPRINT ONEHEADER FILE=sdtab001
