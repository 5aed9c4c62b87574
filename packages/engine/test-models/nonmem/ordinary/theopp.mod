 $PROBLEM  oral bronchodilator, population data (written for dosetwin's tests; values illustrative)
 $INPUT  ID DOSE=AMT TIME CP=DV WT
 $DATA  bronch.dat
 $SUBROUTINES  ADVAN2
 $PK
 CALLFL=1
 KA=THETA(1)+ETA(1)
 K=THETA(2)+ETA(2)
 SC=THETA(3)*WT+ETA(3)
 $ERROR
 Y=F+EPS(1)
 $THETA  (0,1.5)  (0,.09)  (0,0.5)
 $OMEGA BLOCK(3)  4 .004 .0003 .2 .005 .3
 $SIGMA  .5
 $ESTIMATION  MAXEVAL=500  PRINT=5
 $COVR
 $SCAT CP VS TIME
