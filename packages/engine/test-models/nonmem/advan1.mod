$PROBLEM ADVAN1 TRANS2: IV infusions, renal function and sex on CL (FICTITIOUS values, for tests)
; units dose mg | time h | conc mg/L        twin: advan1.dtm; data: iv.nm.csv (make-data.py)
$INPUT ID TIME AMT RATE CMT EVID MDV DV WT CRCL SEX EXCL AGE=DROP II ADDL SS
$DATA iv.nm.csv IGNORE=@ IGNORE=(EXCL.EQ.1)
$SUBROUTINES ADVAN1 TRANS2

$PK
; creatinine clearance capped at 150 mL/min
CRCLC = CRCL
IF (CRCL.GT.150) CRCLC = 150
IF (SEX.EQ.1) THEN
  FSEX = THETA(6)
ELSE
  FSEX = 1
ENDIF
TVCL = THETA(1) * (CRCLC/100)**THETA(3) * FSEX
CL = TVCL * EXP(ETA(1))
V  = THETA(2) * (WT/70) * EXP(ETA(2))
S1 = V

$ERROR
IPRED = F
W = SQRT(THETA(4)**2 + THETA(5)**2 * IPRED**2)     ; combined error, SDs as thetas
IRES = DV - IPRED
IWRES = IRES / W
Y = IPRED + W*EPS(1)

$THETA
(0, 3.1)     ; CL [L/h]
(0, 38)      ; V [L]
0.72         ; CRCL_CL exponent of CrCL/100
(0, 0.5)     ; additive SD [mg/L]
(0, 0.15)    ; proportional SD
0.9 FIX      ; female factor on CL
$OMEGA BLOCK(2)
  0.09            ; IIV CL
  0.018 0.04      ; IIV V
$SIGMA 1 FIX
$ESTIMATION METHOD=1 INTERACTION MAXEVAL=9999
$COVARIANCE
$TABLE ID TIME IPRED IWRES NOPRINT FILE=sdtab
