#!/usr/bin/env python3
"""Test datasets for the ADVAN example control streams (advan*.mod) and their twins (advan*.dtm).

Deterministic (no random numbers): DV values are arbitrary positive numbers, used only where a
test needs an observed value. Each dataset is written twice: in a NONMEM layout that exercises
$INPUT/$DATA (header row ignored with IGNORE=@ and an exclusion column; or blank-separated with
'#' comment lines, no CMT item) and as the plain CSV the twins read.
Run: python3 make-data.py   (writes iv.nm.csv, iv.csv, oral.dat, oral.csv)
"""
import math

IV_COLS = ["ID", "TIME", "AMT", "RATE", "CMT", "EVID", "MDV", "DV", "WT", "CRCL", "SEX", "EXCL", "AGE", "II", "ADDL", "SS"]


def dv(i):
    return round(8 + 6 * math.sin(1.7 * i) ** 2, 3)


def iv_rows():
    rows = []
    k = 0

    def obs(id_, t, wt, crcl, sex, age, excl=0):
        nonlocal k
        k += 1
        rows.append(dict(ID=id_, TIME=t, AMT=0, RATE=0, CMT=1, EVID=0, MDV=0, DV=dv(k), WT=wt, CRCL=crcl, SEX=sex, EXCL=excl, AGE=age, II=0, ADDL=0, SS=0))

    def dose(id_, t, amt, rate, wt, crcl, sex, age, ii=0, addl=0, ss=0, evid=1, excl=0):
        rows.append(dict(ID=id_, TIME=t, AMT=amt, RATE=rate, CMT=1, EVID=evid, MDV=1, DV=".", WT=wt, CRCL=crcl, SEX=sex, EXCL=excl, AGE=age, II=ii, ADDL=addl, SS=ss))

    # 1: 1 h infusions q12h, obs over three intervals
    dose(1, 0, 1000, 1000, 72, 95, 0, 45, ii=12, addl=5)
    for t in [0.5, 1, 2, 6, 11.9, 13, 24.5, 35, 48, 60, 71.5]:
        obs(1, t, 72, 95, 0, 45)
    # 2: steady state (SS=1) 2 h infusion q8h, female, high CrCL (capped), elderly
    dose(2, 0, 750, 375, 58, 170, 1, 70, ii=8, ss=1)
    for t in [1, 2, 3, 7.9]:
        obs(2, t, 58, 170, 1, 70)
    # 3: bolus then infusion; weight changes over time (time-varying covariate); child
    dose(3, 0, 200, 0, 30, 80, 0, 12)
    for t in [0.25, 1, 4]:
        obs(3, t, 30, 80, 0, 12)
    dose(3, 6, 400, 200, 31, 80, 0, 12)
    for t in [7, 8.5, 12]:
        obs(3, t, 32, 80, 0, 12)
    # an excluded record (a dose entered in error), dropped by IGNORE=(EXCL.EQ.1) / ACCEPT=(EXCL.NE.1)
    dose(3, 12.5, 5000, 0, 32, 80, 0, 12, excl=1)
    for t in [14, 24]:
        obs(3, t, 32, 80, 0, 12)
    # 4: EVID 4 (reset and dose) on a second course
    dose(4, 0, 1500, 750, 90, 60, 1, 55)
    for t in [1, 3, 12]:
        obs(4, t, 90, 60, 1, 55)
    dose(4, 48, 1000, 1000, 90, 60, 1, 55, evid=4)
    for t in [48.5, 50, 60]:
        obs(4, t, 90, 60, 1, 55)
    # 5: infusion with ADDL, observations only at troughs
    dose(5, 0, 500, 250, 110, 130, 0, 30, ii=24, addl=3)
    for t in [23.9, 47.9, 71.9, 95.9]:
        obs(5, t, 110, 130, 0, 30)
    return rows


ORAL_COLS = ["ID", "TIME", "AMT", "EVID", "MDV", "DV", "WT", "FORM", "CYP", "OCC"]


def oral_rows():
    rows = []
    k = 0

    def obs(id_, t, wt, form, cyp, occ):
        nonlocal k
        k += 1
        rows.append(dict(ID=id_, TIME=t, AMT=0, EVID=0, MDV=0, DV=dv(k), WT=wt, FORM=form, CYP=cyp, OCC=occ))

    def dose(id_, t, amt, wt, form, cyp, occ):
        rows.append(dict(ID=id_, TIME=t, AMT=amt, EVID=1, MDV=1, DV=".", WT=wt, FORM=form, CYP=cyp, OCC=occ))

    # 1: formulation 1, CYP 0, two occasions
    dose(1, 0, 100, 65, 1, 0, 1)
    for t in [0.5, 1, 2, 4, 8, 12]:
        obs(1, t, 65, 1, 0, 1)
    dose(1, 24, 100, 65, 1, 0, 2)
    for t in [24.5, 25, 27, 30, 36]:
        obs(1, t, 65, 1, 0, 2)
    # 2: formulation 2 (lag, lower F), CYP 2, heavy (weight capped in advan13)
    dose(2, 0, 200, 120, 2, 2, 1)
    for t in [0.25, 0.5, 1, 3, 6, 24]:
        obs(2, t, 120, 2, 2, 1)
    # 3: three occasions, CYP 1, formulation switch at the third
    for occ, t0, form in [(1, 0, 1), (2, 48, 1), (3, 96, 2)]:
        dose(3, t0, 150, 80, form, 1, occ)
        for dt in [0.5, 1.5, 4, 10]:
            obs(3, t0 + dt, 80, form, 1, occ)
    # 4: light patient, frequent doses
    for i in range(4):
        dose(4, 12 * i, 50, 45, 1, 1, 1)
        obs(4, 12 * i + 2, 45, 1, 1, 1)
    obs(4, 47, 45, 1, 1, 1)
    return rows


def fmt(v):
    return str(v)


with open("iv.nm.csv", "w") as f:
    f.write(",".join(IV_COLS) + "\n")
    for r in iv_rows():
        f.write(",".join(fmt(r[c]) for c in IV_COLS) + "\n")
with open("iv.csv", "w") as f:
    f.write(",".join(IV_COLS) + "\n")
    for r in iv_rows():
        if r["EXCL"] == 1:
            continue
        f.write(",".join(fmt(r[c]) for c in IV_COLS) + "\n")
with open("oral.dat", "w") as f:
    f.write("# ID TIME AMT EVID MDV DV WT FORM CYP OCC   (blank-separated; no CMT: doses go to the\n")
    f.write("# default dose compartment, observations to the default observation compartment)\n")
    prev = None
    for r in oral_rows():
        if r["ID"] != prev:
            f.write(f"# patient {r['ID']}\n")
            prev = r["ID"]
        f.write("  ".join(fmt(r[c]) for c in ORAL_COLS) + "\n")
with open("oral.csv", "w") as f:
    f.write(",".join(ORAL_COLS + ["CMT"]) + "\n")
    for r in oral_rows():
        f.write(",".join(fmt(r[c]) for c in ORAL_COLS) + ("," + ("1" if r["EVID"] == 1 else "2")) + "\n")
