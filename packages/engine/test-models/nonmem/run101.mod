$PROBLEM run101: two compartments, first-order absorption (ADVAN4 TRANS4)
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run101.dtm
$INPUT ID TIME EVID AMT CMT II ADDL MDV DV DROP
$DATA ../../../../../shared/reference/map-benchmark/run101/data.csv IGNORE=@
$SUBROUTINES ADVAN4 TRANS4
$PK
TVCL = THETA(1)
TVV2 = THETA(2)
TVKA = THETA(3)
TVV3 = THETA(4)
CL = TVCL*EXP(ETA(1))
V2 = TVV2*EXP(ETA(2))
KA = TVKA*EXP(ETA(3))
V3 = TVV3*EXP(ETA(4))
Q  = THETA(5)
S2 = V2
$ERROR
IPRED = F
W = F
IF (W.EQ.0) W = 1
Y = IPRED + W*EPS(1)
$THETA
(0, 4)   ; CL
(0, 70)  ; V2 (central)
(0, 1)   ; KA
(0, 50)  ; V3 (peripheral)
4 FIX    ; Q
$OMEGA BLOCK(1) 0.2
$OMEGA BLOCK(1) 0.2
$OMEGA BLOCK(1) 0.2
$OMEGA BLOCK(1) 0.2
$SIGMA 0.05
$EST METHOD=1 INTER MAXEVAL=0 POSTHOC
