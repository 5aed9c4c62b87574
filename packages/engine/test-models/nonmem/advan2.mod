$PROB ADVAN2 TRANS1: oral, formulation-dependent bioavailability and lag (FICTITIOUS values, for tests)
; units dose mg | time h | conc mg/L        twin: advan2.dtm; data: oral.dat (make-data.py)
; oral.dat is blank-separated with '#' comment lines (NM-TRAN's default IGNORE=#) and has no CMT
; item: doses go to the default dose compartment (depot), observations to central.
$INPUT ID TIME AMT EVID MDV DV WT FORM CYP=DROP OCC=DROP
$DATA oral.dat
$SUBROUTINES ADVAN2 TRANS1
$PK
  TVCL = THETA(1)*(WT/70)**0.75
  TVV  = THETA(2)*WT/70
  CL = TVCL*EXP(ETA(1))
  V  = TVV*EXP(ETA(2))
  K  = CL/V
  KA = THETA(3)*EXP(ETA(3))
  IF (FORM.EQ.2) THEN
    F1 = THETA(4)
    ALAG1 = THETA(5)
  ELSE
    F1 = 1
    ALAG1 = 0
  ENDIF
  S2 = V
$ERROR
  IPRED = F
  Y = F*EXP(EPS(1))       ; exponential error, linearised by NONMEM: var = F^2 * SIGMA
$THETA 5 50 1.2 0.8 0.5   ; CL V KA F_FORM2 LAG_FORM2
$OMEGA BLOCK(2) 0.1 0.02 0.05
$OMEGA 0.3
$SIGMA 0.04
$EST METHOD=1 INTER
