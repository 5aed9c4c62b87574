$PROBLEM ADVAN3 TRANS4: two compartments IV, age groups on CL (FICTITIOUS values, for tests)
; units dose mg | time h | conc mg/L        twin: advan3.dtm; data: iv.nm.csv (make-data.py)
$INPUT ID TIME AMT RATE CMT EVID MDV DV WT CRCL=DROP SEX=DROP EXCL AGE II ADDL SS
$DATA iv.nm.csv IGNORE=@ ACCEPT=(EXCL.NE.1)
$SUBROUTINES ADVAN3 TRANS4
$PK
  IF (AGE.LT.18) THEN
    AGEF = THETA(5)
  ELSE IF (AGE.LT.65) THEN
    AGEF = 1
  ELSE
    AGEF = THETA(6)
  ENDIF
  CL = THETA(1)*AGEF*EXP(ETA(1))
  V1 = THETA(2)*WT/70*EXP(ETA(2))
  Q  = THETA(3)*EXP(ETA(3))
  V2 = THETA(4)
  S1 = V1
$ERROR
  IPRED = F
  Y = IPRED + IPRED*EPS(1) + EPS(2)
$THETA (0,5) (0,20) (0,8) (0,40) (0,1.2) (0,0.8)  ; CL V1 Q V2 F_CHILD F_ELDERLY
$OMEGA BLOCK(3) SD CORRELATION   ; SDs on the diagonal, correlations below
  0.3
  0.4  0.2
  0.1  0.25 0.3
$SIGMA 0.0225   ; proportional
$SIGMA 0.25     ; additive
