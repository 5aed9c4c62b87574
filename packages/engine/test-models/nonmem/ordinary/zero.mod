$PROB Zero-order absorption into the depot, then first order (RATE=-2, D1), transit-free
$INPUT ID TIME AMT RATE DV MDV EVID CMT
$DATA x.csv IGNORE=@
$SUBROUTINE ADVAN2 TRANS2
$PK
 CL = THETA(1)*EXP(ETA(1))
 V  = THETA(2)*EXP(ETA(2))
 KA = THETA(3)
 D1 = THETA(4)*EXP(ETA(3))
 S2 = V/1000          ; dose mg, conc ug/L
$ERROR
 IPRED = F
 IF (IPRED.LT.0.0001) IPRED = 0.0001
 Y = LOG(IPRED) + EPS(1)
$THETA (0,10) (0,100) (0,1) (0,2)
$OMEGA 0.1 0.1 0.1
$SIGMA 0.04
