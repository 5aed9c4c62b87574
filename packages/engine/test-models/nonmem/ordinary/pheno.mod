 $PROBLEM  neonatal anticonvulsant, one compartment IV (written for dosetwin's tests; values illustrative)
 $INPUT    ID TIME AMT WGT APGR DV
 $DATA     neo.dat
 $SUBR     ADVAN1 TRANS2
 $PK
      TVCL = THETA(1)*WGT
      TVV  = THETA(2)*WGT
      CL = TVCL*EXP(ETA(1))
      V  = TVV*EXP(ETA(2))
      S1 = V
 $THETA  (0, .005)  (0, 0.9)
 $OMEGA  .2   .15
 $ERROR
      W = F
      Y = F + W*EPS(1)
      IPRED = F        ;  not needed by the model
      IRES  = DV-IPRED
      IWRES = IRES/W
 $SIGMA  .02
 $ESTIMATION   SIGDIGITS=3 POSTHOC
 $COVARIANCE
 $TABLE   ID TIME WGT IPRED IWRES
          NOPRINT ONEHEADER FILE=tab1
 $SCATTER IWRES VS IPRED
