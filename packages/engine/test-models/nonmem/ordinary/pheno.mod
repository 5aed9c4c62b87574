 $PROBLEM PHENOBARB  SIMPLE MODEL
; NONMEM distribution example PHENOBARB (Guide III, VI.2), as printed in the NONMEM help.
 $INPUT   ID TIME AMT WGT APGR DV
 $DATA    PHENO
 $SUBR   ADVAN1 TRANS2
 $PK
       TVCL=THETA(1)
       TVV=THETA(2)
       CL=TVCL*EXP(ETA(1))
       V=TVV*EXP(ETA(2))
       S1=V
 $THETA  (0,.0105)  (0,1.05)
 $OMEGA  .25   .25
 $ERROR
       W=F
       Y=F+W*EPS(1)

       IPRED=F         ;  individual-specific prediction
       IRES=DV-IPRED   ;  individual-specific residual
       IWRES=IRES/W    ;  individual-specific weighted residual
 $SIGMA  .04
 $ESTIMATION   SIGDIGITS=4 POSTHOC
 $COVARIANCE
 $TABLE      ID WGT APGR TIME AMT CL V ETA1 ETA2 IPRED IWRES
             NOPRINT ONEHEADER FILE=TABLE1
 $SCATTER    DV VS PRED UNIT
 $SCATTER    (RES,WRES) VS PRED
 $SCATTER    (CL,V) VS (WGT,APGR)
 $SCATTER    IWRES VS IPRED BY MDV ORDZERO
