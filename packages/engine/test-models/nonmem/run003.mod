$PROB run003: as run001 with an absorption lag (ALAG1)
; units dose mg | time h | conc mg/L   -- twin: ../map-benchmark/run003.dtm
$INPUT ID TIME EVID AMT CMT II ADDL MDV DV S2=DROP
$DATA ../../../../../shared/reference/map-benchmark/run003/data.csv IGNORE=@
$SUBR ADVAN2 TRANS2
$PK
CL   = THETA(1)*EXP(ETA(1))
V    = THETA(2)*EXP(ETA(2))
KA   = THETA(3)*EXP(ETA(3))
ALAG1 = THETA(4)*EXP(ETA(4))
S2 = V
$ERROR
IPRED = F
W = F
IF(W.EQ.0) W=1
Y = IPRED + W*EPS(1)
$THETA (0,4) (0,70) (0,1) (0,1)   ; CL V KA LAG
$OMEGA 0.2
$OMEGA 0.2
$OMEGA 0.2
$OMEGA 0.2
$SIGMA 0.05
$EST METHOD=COND INTER MAXEVAL=0
$COV
