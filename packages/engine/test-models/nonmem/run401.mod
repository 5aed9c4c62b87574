$PROBLEM run401: parent and metabolite, observed in CMT 2 and CMT 3
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run401.dtm
$INPUT ID TIME EVID AMT CMT II ADDL MDV DV S2_SAMPLING=DROP
$DATA ../../../../../shared/reference/map-benchmark/run401/data.csv IGNORE=@
$SUBROUTINES ADVAN13 TOL=9
$MODEL COMP=(DEPOT DEFDOSE) COMP=(CENTRAL DEFOBS) COMP=(METAB)
$PK
  CL  = THETA(1)*EXP(ETA(1))
  V   = THETA(2)*EXP(ETA(2))
  KA  = THETA(3)*EXP(ETA(3))
  CLM = THETA(4)*EXP(ETA(4))
  VM  = THETA(5)*EXP(ETA(5))
  S2 = V
  S3 = VM
$DES
  DADT(1) = -KA*A(1)
  DADT(2) =  KA*A(1) - CL/V*A(2)
  DADT(3) =  THETA(6)*CL/V*A(2) - CLM/VM*A(3)
$ERROR
  IPRED = F
  W = F
  IF (W.EQ.0) W = 1
  IF (CMT.EQ.2) Y = IPRED + W*EPS(1)
  IF (CMT.EQ.3) Y = IPRED + W*EPS(2)
$THETA (0,4) (0,70) (0,1) (0,2.5) (0,60) (0.7 FIX)
$OMEGA 0.2 0.2 0.2 0.2 0.2
$SIGMA 0.05 0.05
$ESTIMATION METHOD=1 INTER MAXEVAL=0
