$PROBLEM run004: one compartment, zero-order input of modelled duration (RATE = -2, D2)
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run004.dtm
; Doses and observations are on CMT 2; compartment 1 is unused, as in the benchmark dataset.
$INPUT ID TIME EVID AMT CMT II ADDL RATE MDV DV S2_SAMPLING=DROP
$DATA ../../../../../shared/reference/map-benchmark/run004/data.csv IGNORE=@
$SUBROUTINES ADVAN13 TOL=9
$MODEL COMP=(DEPOT) COMP=(CENTRAL, DEFDOSE, DEFOBS)
$PK
  CL = THETA(1)*EXP(ETA(1))
  V  = THETA(2)*EXP(ETA(2))
  D2 = THETA(3)*EXP(ETA(3))
$DES
  DADT(1) = 0
  DADT(2) = -CL/V*A(2)
$ERROR
  IPRED = A(2)/V
  W = IPRED
  IF (W.EQ.0) W = 1
  Y = IPRED + W*EPS(1)
$THETA (0, 4) (0, 70) (0, 4)   ; CL V D2
$OMEGA DIAGONAL(3) 0.2 0.2 0.2
$SIGMA 0.05
$ESTIMATION METHOD=1 INTER MAXEVAL=0
