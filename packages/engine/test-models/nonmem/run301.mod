$PROBLEM run301: one compartment oral, time-varying body weight and sex on CL
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run301.dtm
$INPUT ID TIME EVID AMT CMT II ADDL MDV DV BW SEX S2_SAMPLING=DROP
$DATA ../../../../../shared/reference/map-benchmark/run301/data.csv IGNORE=@
$SUBROUTINES ADVAN2 TRANS2
$PK
  TVCL = THETA(1) * EXP(ETA(1)) * (BW/75)**THETA(4) * THETA(5)**SEX
  CL = TVCL
  V  = THETA(2) * EXP(ETA(2))
  KA = THETA(3) * EXP(ETA(3))
  S2 = V
$ERROR
  IPRED = F
  W = F
  IF (W.EQ.0) W = 1
  Y = IPRED + W*EPS(1)
$THETA
  (0, 4)      ; CL for 75 kg, male
  (0, 70)     ; V
  (0, 1)      ; KA
  1.5 FIX     ; BW exponent on CL
  0.75 FIX    ; female factor on CL
$OMEGA 0.2 0.2 0.2
$SIGMA 0.05
$EST METHOD=1 INTER MAXEVAL=0
