$PROBLEM ADVAN4 TRANS4: two compartments oral, genotype on CL, inter-occasion variability on KA (FICTITIOUS)
; units dose mg | time h | conc mg/L        twin: advan4.dtm; data: oral.dat (make-data.py)
$INPUT ID TIME AMT EVID MDV DV WT FORM=DROP CYP OCC
$DATA oral.dat IGNORE=#
$SUBROUTINES ADVAN4 TRANS4
$PK
  IF (CYP.EQ.0) THEN          ; poor metaboliser
    FCYP = THETA(6)
  ELSE IF (CYP.EQ.1) THEN
    FCYP = 1
  ELSE                        ; ultrarapid
    FCYP = THETA(7)
  ENDIF
  IOVKA = 0
  IF (OCC.EQ.1) IOVKA = ETA(4)
  IF (OCC.EQ.2) IOVKA = ETA(5)
  IF (OCC.EQ.3) IOVKA = ETA(6)
  CL = THETA(1)*FCYP*(WT/70)**0.75*EXP(ETA(1))
  V2 = THETA(2)*(WT/70)*EXP(ETA(2))
  Q  = THETA(3)
  V3 = THETA(4)*EXP(ETA(3))
  KA = THETA(5)*EXP(IOVKA)
  S2 = V2
$ERROR
  IPRED = F
  W = SQRT(THETA(8)**2*IPRED**2 + THETA(9)**2)
  IF (W.EQ.0) W = 1
  Y = IPRED + W*EPS(1)
$THETA
  (0, 10)   ; CL [L/h]
  (0, 30)   ; V2 [L]
  (0, 5)    ; Q [L/h]
  (0, 60)   ; V3 [L]
  (0, 0.9)  ; KA [1/h]
  0.5 FIX   ; CYP 0 factor
  1.6 FIX   ; CYP 2 factor
  (0, 0.2)  ; proportional SD
  (0, 0.1)  ; additive SD [mg/L]
$OMEGA BLOCK(2) 0.1 0.03 0.08   ; CL, V2
$OMEGA 0.2                      ; V3
$OMEGA BLOCK(1) 0.05            ; IOV KA, occasion 1
$OMEGA BLOCK(1) SAME            ; occasion 2
$OMEGA BLOCK(1) SAME            ; occasion 3
$SIGMA 1 FIX
