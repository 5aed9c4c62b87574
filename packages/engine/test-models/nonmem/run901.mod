$PROBLEM run901: carboplatin in adults, two compartments, IV infusion (ADVAN3 TRANS4)
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run901.dtm
$INPUT ID TIME EVID AMT CMT RATE MDV DV BSA S2_SAMPLING=DROP
$DATA ../../../../../shared/reference/map-benchmark/run901/data.csv IGNORE=@
$SUBROUTINES ADVAN3 TRANS4
$PK
  CL = THETA(1)*EXP(ETA(1))
  V1 = THETA(2)*BSA*EXP(ETA(2))
  V2 = THETA(3)*EXP(ETA(3))
  Q  = THETA(4)
  S1 = V1
$ERROR
  IPRED = F
  Y = IPRED + IPRED*EPS(1)
$THETA (0, 6.38) ; CL [L/h]
$THETA (0, 9.50) ; V1 per m2 [L/m2]
$THETA (0, 9.56) ; V2 [L]
$THETA (0, 2.70) ; Q [L/h]
$OMEGA 0.1050 0.0378 0.0260
$SIGMA 0.0381
$EST METHOD=1 INTER MAXEVAL=0
