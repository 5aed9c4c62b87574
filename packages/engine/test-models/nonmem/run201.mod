$PROBLEM run201: one compartment, first-order absorption, Michaelis-Menten elimination
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run201.dtm
$INPUT ID TIME EVID AMT CMT II ADDL MDV DV S2_SAMPLING=DROP
$DATA ../../../../../shared/reference/map-benchmark/run201/data.csv IGNORE=@
$SUBROUTINES ADVAN13 TOL=10
$MODEL
  COMP = (DEPOT, DEFDOSE)
  COMP = (CENTRAL, DEFOBS)
$PK
  VMAX = THETA(1) * EXP(ETA(1))
  V    = THETA(2) * EXP(ETA(2))
  KA   = THETA(3) * EXP(ETA(3))
  KM   = THETA(4) * EXP(ETA(4))
$DES
  C = A(2)/V
  DADT(1) = -KA*A(1)
  DADT(2) = KA*A(1) - VMAX*C/(KM + C)
$ERROR
  IPRED = A(2)/V
  W = IPRED
  IF (W.EQ.0) W = 1
  Y = IPRED + W*EPS(1)
$THETA (0, 10000) (0, 70) (0, 1) (0, 2500)
$OMEGA 0.2 0.2 0.2 0.2
$SIGMA 0.05
$ESTIMATION METHOD=1 INTERACTION MAXEVAL=0
