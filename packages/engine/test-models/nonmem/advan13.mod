$PROBLEM ADVAN13: oral, parallel linear and Michaelis-Menten elimination, log-transformed data (FICTITIOUS)
; units dose mg | time h | conc mg/L        twin: advan13.dtm; data: oral.dat (make-data.py)
$INPUT ID TIME AMT EVID MDV DV WT FORM CYP=DROP OCC=DROP
$DATA oral.dat
$SUBROUTINES ADVAN13 TOL=9
$MODEL COMP=(GUT DEFDOSE) COMP=(CENT DEFOBS)
$PK
  IF (WT.GT.100) THEN
    WTC = 100
  ELSE
    WTC = WT
  ENDIF
  CL = THETA(1)*(WTC/70)**0.75*EXP(ETA(1))
  V  = THETA(2)*EXP(ETA(2))
  VM = THETA(3)*EXP(ETA(3))
  KM = THETA(4)
  KA = THETA(5)
  F1 = 1
  IF (FORM.EQ.2) F1 = THETA(6)
$DES
  CP = A(2)/V
  DADT(1) = -KA*A(1)
  DADT(2) =  KA*A(1) - CL*CP - VM*CP/(KM + CP)
$ERROR
  IPRED = -5
  IF (A(2).GT.0) IPRED = LOG(A(2)/V)
  Y = IPRED + EPS(1)         ; DV = log(concentration)
$THETA (0, 2) (0, 40) (0, 20) (0, 3) (0, 1.5) (0, 0.7)
$OMEGA BLOCK(2) 0.1 0.05 0.1
$OMEGA 0.2
$SIGMA 0.04
