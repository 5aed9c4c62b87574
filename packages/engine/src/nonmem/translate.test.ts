// NONMEM control streams → model IR: what NM-TRAN accepts (records, abbreviations, $THETA/$OMEGA/
// $SIGMA forms, abbreviated code, TRANS1–6, ADVAN5/7/13), the residual variance NONMEM's
// linearisation gives, and one clear error with its line for every malformed stream; seeded
// fuzzing never crashes (issue 3, acceptance 2 and 3).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { parseDataset } from '../events/dataset.ts';
import { compileModel } from '../model/compile.ts';
import { printExpr, printModel } from '../model/print.ts';
import { Simulator } from '../simulate/simulator.ts';
import { REPO } from '../test-support/bench-data.ts';
import { parseControlStream } from './translate.ts';

/** A control stream from its parts (defaults: ADVAN1 TRANS2, one theta per parameter). */
function stream(p: {
  input?: string;
  subr?: string;
  model?: string;
  pk: string;
  des?: string;
  error?: string;
  theta?: string;
  omega?: string;
  sigma?: string;
  extra?: string;
}): string {
  return [
    '$PROBLEM test',
    `$INPUT ${p.input ?? 'ID TIME AMT RATE CMT EVID MDV DV WT'}`,
    '$DATA data.csv IGNORE=@',
    `$SUBROUTINES ${p.subr ?? 'ADVAN1 TRANS2'}`,
    ...(p.model ? [`$MODEL ${p.model}`] : []),
    '$PK',
    p.pk,
    ...(p.des ? ['$DES', p.des] : []),
    '$ERROR',
    p.error ?? 'IPRED = F\nY = IPRED + IPRED*EPS(1)',
    `$THETA ${p.theta ?? '(0, 2) (0, 20)'}`,
    ...(p.omega !== '' ? [`$OMEGA ${p.omega ?? '0.1 0.1'}`] : []),
    `$SIGMA ${p.sigma ?? '0.04'}`,
    ...(p.extra ? [p.extra] : []),
  ].join('\n');
}

/** Predictions (and residual variances) at the observation records of a small dataset. */
function run(src: string, data: string, eta: number[] | null = null): { pred: number[]; variance: number[] } {
  const cs = parseControlStream(src, 'test.mod');
  const m = compileModel(cs.ir);
  const variance: number[] = [];
  const k = m.varianceSlots[0];
  const sim = new Simulator({ ...m, outputs: (s) => (m.outputs(s), variance.push(s[k])) });
  const pred: number[] = [];
  for (const p of parseDataset(data, cs.ir, 'data.csv').patients) {
    const out = new Float64Array(p.n);
    sim.run(p, eta, out);
    for (let i = 0; i < p.n; i++) if (p.evid[i] === 0) pred.push(out[i]);
  }
  return { pred, variance };
}

const IV_DATA = `ID,TIME,AMT,RATE,CMT,EVID,MDV,DV,WT
1,0,100,0,1,1,1,.,70
1,1,0,0,1,0,0,4,70
1,5,0,0,1,0,0,2,70
1,12,0,0,1,0,0,1,70
2,0,250,50,1,1,1,.,50
2,2,0,0,1,0,0,3,50
2,8,0,0,1,0,0,2,50
`;
const ORAL_DATA = IV_DATA.replace(/,(\d+),(0|50),1,1,1,/g, ',$1,$2,1,1,1,').replace(
  /,0,0,1,0,0,/g,
  ',0,0,2,0,0,',
);

const closeRel = (a: number[], b: number[], tol: number): void => {
  assert.equal(a.length, b.length);
  a.forEach((x, i) =>
    assert.ok(Math.abs(x - b[i]) <= tol * Math.abs(b[i]), `value ${i}: ${x} vs ${b[i]} (rel ${tol})`),
  );
};

describe('records, abbreviations and abbreviated code as NM-TRAN reads them', () => {
  test('abbreviated record names, mixed case, comments, continuation (&), $ABBR/EXIT/CALLFL reported', () => {
    const src = `$PROB  mixed case
$inp ID TIME AMT RATE CMT EVID MDV DV WT   ; comment
$DATA data.csv IGNORE=@
$SUBR advan1 trans2
$pk
  callfl = -2
  tvcl = theta(1) * &
         (wt/70)**0.75     ; continued
  Cl = TVCL*Exp(Eta(1))
  v = theta(2)*dexp(eta(2))
  s1 = v
  IF (CL.LE.0) EXIT 1 100
$ERR
  ipred = f
  y = ipred*(1 + eps(1))
$THE (0, 2) (0, 20)
$OME 0.1 0.1
$SIG 0.04
$EST METHOD=1 INTER
$COV
$TAB ID TIME IPRED
$ABBR DERIV2=NO
`;
    const cs = parseControlStream(src, 'mixed.mod');
    const text = printModel(cs.ir);
    assert.match(text, /^ {2}TVCL = THETA1 \* \(WT \/ 70\)\^0\.75$/m);
    assert.match(text, /^ {2}CL = TVCL \* exp\(ETA1\)$/m);
    assert.match(text, /^ {2}Y ~ variance\(SIGMA1 \* IPRED\^2\)$/m);
    assert.deepEqual(
      cs.reported.map((r) => r.record),
      ['ESTIMATION', 'COVARIANCE', 'TABLE'],
    );
    const w = cs.warnings.map((x) => x.message).join('\n');
    assert.match(w, /EXIT 1 100' is ignored/);
    assert.match(w, /\$ABBR DERIV2=NO is ignored/);
    assert.doesNotMatch(w, /CALLFL/); // CALLFL = -2 is what dosetwin does anyway
    assert.match(
      cs.ir.description,
      /Not run: \$ESTIMATION METHOD=1 INTER; \$COVARIANCE; \$TABLE ID TIME IPRED/,
    );
    const ref = run(
      stream({
        pk: 'TVCL = THETA(1)*(WT/70)**0.75\nCL = TVCL*EXP(ETA(1))\nV = THETA(2)*EXP(ETA(2))\nS1 = V',
        error: 'IPRED = F\nY = IPRED*(1 + EPS(1))',
      }),
      IV_DATA,
    );
    assert.deepEqual(run(src, IV_DATA), ref);
  });

  test('operators and functions: .EQ. == /= .AND. .OR. .NOT. ** D-exponents INT MOD LOG10 one-line IF, IF/ELSE IF/ELSE', () => {
    const pk = `
A1 = INT(-2.7) + MOD(7, 3) + MOD(-7, 3) + LOG10(100) + 1.5D0 + 2.E-1
IF (WT.GT.60.AND..NOT.(WT.GE.80).OR.WT==20) A2 = 1
IF (WT /= 70) THEN
  A3 = 1
ELSE IF (WT.EQ.70) THEN
  A3 = 2
ELSE
  A3 = 3
ENDIF
IF (A1.LT.0) THEN
  A4 = 1
ELSEIF (A1 .GE. 0) THEN
  A4 = 2
END IF
CL = THETA(1) * (A1 + A3*A4 + A2)
V = THETA(2)
S1 = V`;
    const cs = parseControlStream(stream({ pk, omega: '' }), 't.mod');
    const stmts = printModel(cs.ir);
    assert.match(stmts, /A1 = int\(-2\.7\) \+ mod\(7, 3\) \+ mod\(-7, 3\) \+ log10\(100\) \+ 1\.5 \+ 0\.2/);
    assert.match(stmts, /if \(WT > 60 && !\(WT >= 80\) \|\| WT == 20\) \{/);
    // A1 = -2 + 1 - 1 + 2 + 1.5 + 0.2 = 1.7; at WT 70: A2 = 1, A3 = 2, A4 = 2: CL = 2·6.7
    const { pred } = run(stream({ pk, omega: '' }), IV_DATA);
    const k = (2 * (1.7 + 2 * 2 + 1)) / 20;
    assert.ok(Math.abs(pred[0] - (100 / 20) * Math.exp(-k * 1)) < 1e-12);
  });

  test('simulation-only code is dropped: IF (ICALL.EQ.4) … CALL SIMETA … DO WHILE … ENDIF', () => {
    const src = stream({
      pk: 'CL = THETA(1)*EXP(ETA(1))\nV = THETA(2)\nS1 = V\nIF (ICALL.EQ.4) THEN\n  DO WHILE (CL.GT.10)\n    CALL SIMETA(ETA)\n  ENDDO\nENDIF',
      error: 'IPRED = F\nIF (ICALL.EQ.4) THEN\n  DV = 1\nENDIF\nY = IPRED + IPRED*EPS(1)',
      omega: '0.1',
    });
    const cs = parseControlStream(src, 't.mod');
    assert.doesNotMatch(printModel(cs.ir), /ICALL|SIMETA|\bDV\b/);
  });

  test('diagnostic code (IRES, IWRES reading DV; TAD with NEWIND) is not translated and reported', () => {
    const src = stream({
      pk: 'IF (NEWIND.NE.2) TDOS = 0\nIF (AMT.GT.0) TDOS = TIME\nTAD = TIME - TDOS\nCL = THETA(1)\nV = THETA(2)\nS1 = V',
      error: 'IPRED = F\nW = IPRED\nIRES = DV - IPRED\nIWRES = IRES/W\nY = IPRED + W*EPS(1)',
      omega: '',
    });
    const cs = parseControlStream(src, 't.mod');
    assert.match(cs.warnings.map((w) => w.message).join('\n'), /not translated: IRES, IWRES, TAD, TDOS/);
    assert.equal(cs.ir.covariates.length, 0);
  });

  test('data items read by the code become covariates; one assigned in $PK is read first', () => {
    const src = stream({
      input: 'ID TIME AMT RATE CMT EVID MDV CP=DV WT SEX AGE=DROP',
      pk: 'IF (WT.LE.0) WT = 70\nCL = THETA(1)*(WT/70)*THETA(3)**SEX\nV = THETA(2)\nS1 = V',
      theta: '2 20 0.8',
      omega: '',
    });
    const cs = parseControlStream(src, 't.mod');
    assert.deepEqual(
      cs.ir.covariates.map((c) => [c.name, c.handling.kind]),
      [
        ['WT', 'required'],
        ['SEX', 'required'],
      ],
    );
    assert.match(printModel(cs.ir), /WT_ = WT\n {2}if \(WT_ <= 0\) \{\n {4}WT_ = 70/);
    assert.match(cs.warnings.map((w) => w.message).join('\n'), /data item WT is assigned/);
  });

  test('TIME in $PK is the record time (a data item); in $ERROR the observation time; T in $DES', () => {
    const cs = parseControlStream(
      stream({
        subr: 'ADVAN13',
        model: 'COMP=(CENTRAL)',
        pk: 'K = THETA(1)/THETA(2)\nIF (TIME.GT.100) K = 0\nV = THETA(2)',
        des: 'DADT(1) = -K*A(1)*EXP(-0*T)',
        error: 'IPRED = A(1)/V + TIME*0.5\nY = IPRED + IPRED*EPS(1)',
        omega: '',
      }),
      't.mod',
    );
    const text = printModel(cs.ir);
    assert.match(text, /if \(TIME > 100\)/);
    assert.match(text, /d\/dt\(central\) = -\(K \* central \* exp\(-\(0 \* t\)\)\)/); // Fortran: -a*b = -(a*b)
    assert.match(text, /IPRED = central \/ V \+ t \* 0\.5/);
    assert.deepEqual(
      cs.ir.covariates.map((c) => c.name),
      ['TIME'],
    );
  });

  test('symbolic labels (NONMEM 7.5): $THETA CL=(0,2), $OMEGA ECL=0.1, THETA(CL), ETA(ECL); A(CENTRAL)', () => {
    const src = stream({
      subr: 'ADVAN13',
      model: 'COMP=(CENTRAL DEFDOSE DEFOBS)',
      pk: 'CL = THETA(CL)*EXP(ETA(ECL))\nV = THETA(VC)',
      des: 'DADT(CENTRAL) = -CL/V*A(CENTRAL)',
      error: 'IPRED = A(CENTRAL)/V\nY = IPRED + IPRED*EPS(1)',
      theta: 'CL=(0, 2) VC=(0, 20)',
      omega: 'ECL=0.1',
    });
    const text = printModel(parseControlStream(src, 't.mod').ir);
    assert.match(text, /CL = THETA1 \* exp\(ETA1\)/);
    assert.match(text, /d\/dt\(central\) = -\(CL \/ V \* central\)/);
  });
});

describe('ordinary control streams (test-models/nonmem/ordinary: in the styles of NONMEM manual examples and published models)', () => {
  const dir = resolve(REPO, 'packages/engine/test-models/nonmem/ordinary');
  const cases: { file: string; lines: RegExp[]; variance: string }[] = [
    {
      file: 'pheno.mod',
      lines: [/^ {2}V = TVV \* exp\(ETA2\)$/m, /^ {2}TVCL = THETA1 \* WGT$/m],
      variance: 'SIGMA1 * W^2',
    },
    {
      file: 'theopp.mod',
      lines: [/pk one_cmt\(cl = K, v = 1, ka = KA\)/, /^ {2}S2 = THETA3 \* WT \+ ETA3$/m],
      variance: 'SIGMA1',
    },
    {
      file: 'vanco.mod',
      lines: [/^ {2}CRCL_ = CRCL$/m, /^ {2}TVCL = THETA1 \* \(CRCL_ \/ 120\)\^THETA8 \* THETA9\^DIAL$/m],
      variance: 'SIGMA1 * W^2',
    },
    {
      file: 'zero.mod',
      lines: [/^ {2}duration\(depot\) = THETA4 \* exp\(ETA3\)$/m, /^ {2}Y = log\(IPRED\)$/m],
      variance: 'SIGMA1',
    },
    {
      file: 'transit.mod',
      lines: [
        /^compartments {2}depot, trans1, trans2, trans3, central, periph$/m,
        /^ {2}bioav\(depot\) = THETA6$/m,
      ],
      variance: 'SIGMA1 * IPRED^2 + SIGMA2',
    },
  ];
  for (const c of cases)
    test(`${c.file} translates and compiles`, () => {
      const cs = parseControlStream(readFileSync(resolve(dir, c.file), 'utf8'), c.file);
      compileModel(cs.ir);
      const text = printModel(cs.ir);
      for (const l of c.lines) assert.match(text, l);
      assert.equal(printExpr(cs.ir.errors[0].variance!), c.variance);
    });
});

describe('$THETA, $OMEGA, $SIGMA', () => {
  test('$THETA: init, FIX, (low,init), (low,init,up), -INF/INF, (init FIXED), (…)xN; labels from comments', () => {
    const cs = parseControlStream(
      stream({
        pk: 'CL = THETA(1)\nV = THETA(2)\nS1 = V',
        theta: `(0,3) 2 FIXED (0,.6,1) 10 (-INF,-2.7,0) (37 FIXED) (1)x2
  (0, 4, INF) FIX   ; CL [L/h]
  1.5D0`,
        omega: '',
      }),
      't.mod',
    );
    const p = cs.ir.parameters.filter((x) => x.name.startsWith('THETA'));
    assert.deepEqual(
      p.map((x) => x.value),
      [3, 2, 0.6, 10, -2.7, 37, 1, 1, 4, 1.5],
    );
    assert.deepEqual(
      p.map((x) => x.source),
      [
        '$THETA (0, 3)',
        '$THETA 2 FIX',
        '$THETA (0, 0.6, 1)',
        '$THETA 10',
        '$THETA (-INF, -2.7, 0)',
        '$THETA (37) FIX',
        '$THETA (1)',
        '$THETA (1)',
        '$THETA (0, 4, INF) FIX',
        '$THETA 1.5',
      ],
    );
    assert.equal(p[8].label, 'CL [L/h]');
    assert.equal(p[8].unit, 'L/h');
  });

  const omegaOf = (omega: string): number[][] =>
    parseControlStream(stream({ pk: 'CL = THETA(1)\nV = THETA(2)\nS1 = V', omega }), 't.mod').ir.omega;
  const closeMatrix = (a: number[][], b: number[][]): void =>
    a.forEach((r, i) =>
      r.forEach((x, j) => assert.ok(Math.abs(x - b[i][j]) < 1e-15, `[${i}][${j}] ${x} vs ${b[i][j]}`)),
    );

  test('$OMEGA diagonal: values, FIX and SD per value, (value SD), DIAGONAL(n)', () => {
    closeMatrix(omegaOf('0.3 SD 0.04 (0.2 SD) (FIX 0.5)'), [
      [0.09, 0, 0, 0],
      [0, 0.04, 0, 0],
      [0, 0, 0.04, 0],
      [0, 0, 0, 0.5],
    ]);
    closeMatrix(omegaOf('DIAGONAL(2) 0.1 0.2'), [
      [0.1, 0],
      [0, 0.2],
    ]);
  });

  test('$OMEGA BLOCK: covariance, SD + CORRELATION, CHOLESKY, VALUES(diag, odiag), SAME(n)', () => {
    // NONMEM's own example: these five describe the same block.
    const same = [
      'BLOCK(2) 0.64 -0.24 0.58',
      'STANDARD BLOCK(2) 0.8 -0.24 0.761577310586391',
      'BLOCK(2) SD CORRELATION 0.8 -0.39391929857916763 0.761577310586391',
      'VARIANCE CORRELATION BLOCK(2) 0.64 -0.39391929857916763 0.58',
      'CHOLESKY BLOCK(2) 0.8 -0.3 0.7',
    ];
    for (const o of same)
      closeMatrix(omegaOf(o), [
        [0.64, -0.24],
        [-0.24, 0.58],
      ]);
    closeMatrix(omegaOf('BLOCK(3) VALUES(0.1, 0.01)'), [
      [0.1, 0.01, 0.01],
      [0.01, 0.1, 0.01],
      [0.01, 0.01, 0.1],
    ]);
    const m = parseControlStream(
      stream({
        pk: 'CL = THETA(1)\nV = THETA(2)\nS1 = V',
        omega: 'BLOCK(2) 0.1 0.01 0.2\n$OMEGA BLOCK(2) SAME(2)',
      }),
      't.mod',
    ).ir.omega;
    assert.equal(m.length, 6);
    assert.deepEqual(m[4].slice(4), [0.1, 0.01]);
    assert.deepEqual(m[5].slice(4), [0.01, 0.2]);
    assert.equal(m[4][0], 0);
  });
});

describe('residual error: NONMEM linearisation of Y in EPS', () => {
  const F = (src: string): { pred: number[]; variance: number[] } => run(src, IV_DATA);
  const base = { pk: 'CL = THETA(1)\nV = THETA(2)\nS1 = V', omega: '' };
  const ref = F(stream({ ...base, error: 'Y = F + EPS(1)', sigma: '1' })).pred;
  const cases: {
    error: string;
    sigma: string;
    pred: (f: number) => number;
    variance: (f: number) => number;
  }[] = [
    { error: 'Y = F + EPS(1)', sigma: '0.25', pred: (f) => f, variance: () => 0.25 },
    { error: 'Y = F*(1 + EPS(1))', sigma: '0.04', pred: (f) => f, variance: (f) => 0.04 * f * f },
    { error: 'Y = F*EXP(EPS(1))', sigma: '0.04', pred: (f) => f, variance: (f) => 0.04 * f * f },
    {
      error: 'IPRED = LOG(F)\nY = IPRED + EPS(1)',
      sigma: '0.09',
      pred: (f) => Math.log(f),
      variance: () => 0.09,
    },
    {
      error: 'Y = F + F*EPS(1) + EPS(2)',
      sigma: 'BLOCK(2) 0.04 0.01 0.25',
      pred: (f) => f,
      variance: (f) => 0.04 * f * f + 2 * 0.01 * f + 0.25,
    },
    {
      error: 'W = SQRT(THETA(3)**2 + (THETA(4)*F)**2)\nY = F + W*EPS(1)',
      sigma: '1 FIX',
      pred: (f) => f,
      variance: (f) => 0.5 * 0.5 + (0.1 * f) ** 2,
    },
    {
      error: 'E1 = EPS(1)\nERRP = F*E1\nY = F + ERRP + EPS(2)*THETA(3)',
      sigma: '0.04 1',
      pred: (f) => f,
      variance: (f) => 0.04 * f * f + 0.25,
    },
    {
      error: 'Y = F + EPS(1)\nIF (CMT.EQ.1) Y = F*EXP(EPS(2))',
      sigma: '0.25 0.04',
      pred: (f) => f,
      variance: (f) => 0.04 * f * f,
    },
    {
      error: 'Y = F*EXP(EPS(1)) + EPS(2)*EPS(1)',
      sigma: '0.04 0.25',
      pred: (f) => f,
      variance: (f) => 0.04 * f * f,
    },
  ];
  for (const c of cases)
    test(`${c.error.replace(/\n/g, '; ')}  with $SIGMA ${c.sigma}`, () => {
      const { pred, variance } = F(
        stream({ ...base, error: c.error, sigma: c.sigma, theta: '(0, 2) (0, 20) 0.5 0.1' }),
      );
      closeRel(pred, ref.map(c.pred), 1e-14);
      closeRel(variance, ref.map(c.variance), 1e-14);
    });

  test('readable: IPRED + W*EPS(1) gives prediction IPRED and variance SIGMA1 * W^2 (guards kept)', () => {
    const cs = parseControlStream(
      stream({ ...base, error: 'IPRED = F\nW = IPRED\nIF (W.EQ.0) W = 1\nY = IPRED + W*EPS(1)' }),
      't.mod',
    );
    assert.equal(printExpr(cs.ir.errors[0].variance!), 'SIGMA1 * W^2');
    assert.match(printModel(cs.ir), /if \(W == 0\) \{\n {4}W = 1\n {2}\}\n {2}Y = IPRED\n/);
  });

  test('Y free of EPS: a warning, variance 0', () => {
    const cs = parseControlStream(stream({ ...base, error: 'Y = F' }), 't.mod');
    assert.match(cs.warnings.map((w) => w.message).join('\n'), /Y does not depend on any EPS/);
  });
});

describe('structures: TRANS1–6 and general ADVANs give the same predictions as TRANS4 (closed forms, ODEs)', () => {
  // A 2-compartment model, as CL/V1/Q/V2 and the equivalent micro and hybrid constants.
  const [CL, V1, Q, V2] = [3, 20, 5, 40];
  const k = CL / V1;
  const k12 = Q / V1;
  const k21 = Q / V2;
  const s = k + k12 + k21;
  const alpha = (s + Math.sqrt(s * s - 4 * k * k21)) / 2;
  const beta = (s - Math.sqrt(s * s - 4 * k * k21)) / 2;
  const aob = (alpha - k21) / (k21 - beta);
  const theta = `${CL} ${V1} ${Q} ${V2} ${k} ${k12} ${k21} ${alpha} ${beta} ${aob} ${V1 + V2} 1.3`;
  const t = (i: number): string => `THETA(${i})`;
  const two = (depot: boolean): Record<string, string> => {
    const [a, b] = depot ? ['2', '3'] : ['1', '2'];
    const v = depot ? 'V2' : 'V1';
    const vp = depot ? 'V3' : 'V2';
    const ka = depot ? `\nKA = ${t(12)}` : '';
    const sc = `\nS${a} = ${t(2)}`;
    return {
      TRANS4: `CL = ${t(1)}\n${v} = ${t(2)}\nQ = ${t(3)}\n${vp} = ${t(4)}${ka}${sc}`,
      TRANS1: `K = ${t(5)}\nK${a}${b} = ${t(6)}\nK${b}${a} = ${t(7)}${ka}${sc}`,
      TRANS3: `CL = ${t(1)}\nV = ${t(2)}\nQ = ${t(3)}\nVSS = ${t(11)}${ka}${sc}`,
      TRANS5: `AOB = ${t(10)}\nALPHA = ${t(8)}\nBETA = ${t(9)}${ka}${sc}`,
      TRANS6: `ALPHA = ${t(8)}\nBETA = ${t(9)}\nK${b}${a} = ${t(7)}${ka}${sc}`,
    };
  };
  for (const [advan, depot, data] of [
    [3, false, IV_DATA],
    [4, true, ORAL_DATA],
  ] as const) {
    const pks = two(depot);
    const ref = run(stream({ subr: `ADVAN${advan} TRANS4`, pk: pks.TRANS4, theta, omega: '' }), data).pred;
    for (const tr of ['TRANS1', 'TRANS3', 'TRANS5', 'TRANS6'])
      test(`ADVAN${advan} ${tr} = ADVAN${advan} TRANS4 (1e-10)`, () => {
        closeRel(
          run(stream({ subr: `ADVAN${advan} ${tr}`, pk: pks[tr], theta, omega: '' }), data).pred,
          ref,
          1e-10,
        );
      });
    const a = depot ? 2 : 1;
    const des = depot
      ? `DADT(1) = -KA*A(1)\nDADT(2) = KA*A(1) - (K + K23)*A(2) + K32*A(3)\nDADT(3) = K23*A(2) - K32*A(3)`
      : `DADT(1) = -(K + K12)*A(1) + K21*A(2)\nDADT(2) = K12*A(1) - K21*A(2)`;
    const comps = depot
      ? 'COMP=(DEPOT DEFDOSE) COMP=(CENTRAL DEFOBS) COMP=(PERIPH)'
      : 'COMP=(CENTRAL) COMP=(PERIPH)';
    test(`ADVAN13 and ADVAN5 (rate constants) = ADVAN${advan} TRANS4 (1e-9)`, () => {
      closeRel(
        run(stream({ subr: 'ADVAN13 TOL=9', model: comps, pk: pks.TRANS1, des, theta, omega: '' }), data)
          .pred,
        ref,
        1e-9,
      );
      const rates = depot ? `K20 = ${t(5)}\nK12 = ${t(12)}` : `K10 = ${t(5)}`;
      closeRel(
        run(stream({ subr: 'ADVAN5', model: comps, pk: `${pks.TRANS1}\n${rates}`, theta, omega: '' }), data)
          .pred,
        ref,
        1e-9,
      );
      void a;
    });
  }

  test('ADVAN11/12 TRANS1 and TRANS6 = TRANS4; ADVAN1/2 TRANS1 = TRANS2 (1e-10)', () => {
    const th = '3 20 5 40 2 60 1.3';
    const ref11 = run(
      stream({
        subr: 'ADVAN11 TRANS4',
        pk: 'CL=THETA(1)\nV1=THETA(2)\nQ2=THETA(3)\nV2=THETA(4)\nQ3=THETA(5)\nV3=THETA(6)\nS1=V1',
        theta: th,
        omega: '',
      }),
      IV_DATA,
    ).pred;
    const micro11 = run(
      stream({
        subr: 'ADVAN11 TRANS1',
        pk: 'V1=THETA(2)\nK=THETA(1)/V1\nK12=THETA(3)/V1\nK21=THETA(3)/THETA(4)\nK13=THETA(5)/V1\nK31=THETA(5)/THETA(6)\nS1=V1',
        theta: th,
        omega: '',
      }),
      IV_DATA,
    ).pred;
    closeRel(micro11, ref11, 1e-10);
    // Eigenvalues of the 3-compartment system, for TRANS6.
    const [k10, k12, k21, k13, k31] = [3 / 20, 5 / 20, 5 / 40, 2 / 20, 2 / 60];
    const a2 = k10 + k12 + k13 + k21 + k31;
    const a1 = k10 * k21 + k10 * k31 + k12 * k31 + k13 * k21 + k21 * k31;
    const a0 = k10 * k21 * k31;
    const roots: number[] = [];
    const m = (a2 * a2) / 3 - a1;
    const n = (2 * a2 ** 3) / 27 - (a1 * a2) / 3 + a0;
    const q = Math.sqrt(m / 3);
    const phi = Math.acos(Math.max(-1, Math.min(1, n / (2 * q ** 3)))) / 3;
    for (let j = 0; j < 3; j++) roots.push(a2 / 3 + 2 * q * Math.cos(phi + (2 * Math.PI * j) / 3));
    const th6 = `${roots.join(' ')} ${k21} ${k31}`;
    closeRel(
      run(
        stream({
          subr: 'ADVAN11 TRANS6',
          pk: 'ALPHA=THETA(1)\nBETA=THETA(2)\nGAMMA=THETA(3)\nK21=THETA(4)\nK31=THETA(5)\nS1=20',
          theta: th6,
          omega: '',
        }),
        IV_DATA,
      ).pred,
      ref11,
      1e-9,
    );
    const ref12 = run(
      stream({
        subr: 'ADVAN12 TRANS4',
        pk: 'CL=THETA(1)\nV2=THETA(2)\nQ3=THETA(3)\nV3=THETA(4)\nQ4=THETA(5)\nV4=THETA(6)\nKA=THETA(7)\nS2=V2',
        theta: th,
        omega: '',
      }),
      ORAL_DATA,
    ).pred;
    closeRel(
      run(
        stream({
          subr: 'ADVAN12 TRANS1',
          pk: 'V2=THETA(2)\nK=THETA(1)/V2\nK23=THETA(3)/V2\nK32=THETA(3)/THETA(4)\nK24=THETA(5)/V2\nK42=THETA(5)/THETA(6)\nKA=THETA(7)\nS2=V2',
          theta: th,
          omega: '',
        }),
        ORAL_DATA,
      ).pred,
      ref12,
      1e-10,
    );
    const ref2 = run(
      stream({
        subr: 'ADVAN2 TRANS2',
        pk: 'CL=THETA(1)\nV=THETA(2)\nKA=THETA(3)\nS2=V',
        theta: '3 20 1.3',
        omega: '',
      }),
      ORAL_DATA,
    ).pred;
    closeRel(
      run(
        stream({
          subr: 'ADVAN2',
          pk: 'K=THETA(1)/THETA(2)\nKA=THETA(3)\nS2=THETA(2)',
          theta: '3 20 1.3',
          omega: '',
        }),
        ORAL_DATA,
      ).pred,
      ref2,
      1e-12,
    );
  });
});

test('$DES with DADT(2) unset runs as NONMEM: dA2/dt = 0 (warning DT_NONMEM_DADT_UNSET); hand-derived values (rel 1e-9)', () => {
  // DADT(1) = -K·A(1), DADT(2) unset: 100 mg into CENTRAL decays as 100·e^(−K t); 50 mg into PERIPH
  // stays. K = THETA(1)/THETA(2) = 2/20 = 0.1 /h, so A(1)/V at t = 5 is 100/20·e^(−0.5) and
  // A(2)/V at t = 8 is 50/20 — an ODE solved numerically (ADVAN13), hence 1e-9, the solver's scale.
  const src = stream({
    subr: 'ADVAN13 TOL=9',
    model: 'COMP=(CENTRAL DEFDOSE DEFOBS) COMP=(PERIPH)',
    pk: 'K = THETA(1)/THETA(2)\nV = THETA(2)',
    des: 'DADT(1) = -K*A(1)',
    error: 'IPRED = A(1)/V\nIF (CMT.EQ.2) IPRED = A(2)/V\nY = IPRED + IPRED*EPS(1)',
    omega: '',
  });
  const cs = parseControlStream(src, 'unset.mod');
  const w = cs.warnings.find((x) => x.code === 'DT_NONMEM_DADT_UNSET');
  assert.ok(w, 'warning reported');
  assert.equal(w.severity, 'warning');
  assert.match(w.message, /DADT\(2\) \(PERIPH\) is not set: taken as 0/);
  assert.equal(w.line, src.split('\n').indexOf('$DES') + 1);
  const data = `ID,TIME,AMT,RATE,CMT,EVID,MDV,DV,WT
1,0,100,0,1,1,1,.,70
1,0,50,0,2,1,1,.,70
1,5,0,0,1,0,0,4,70
1,8,0,0,2,0,0,2,70
`;
  closeRel(run(src, data).pred, [5 * Math.exp(-0.5), 2.5], 1e-9);
});

describe('malformed control streams: one clear error with its line (DT_NONMEM_*)', () => {
  const ok = stream({ pk: 'CL = THETA(1)*EXP(ETA(1))\nV = THETA(2)*EXP(ETA(2))\nS1 = V' });
  const lineOf = (src: string, text: string): number =>
    src.split('\n').findIndex((l) => l.includes(text)) + 1;
  const BAD: { name: string; src: string; at: string; message: RegExp; code?: string }[] = [
    {
      name: 'unknown record',
      src: ok.replace('$SIGMA', '$FOO 1\n$SIGMA'),
      at: '$FOO',
      message: /unknown record '\$FOO'/,
      code: 'DT_NONMEM_RECORD',
    },
    {
      name: 'truncated inside an IF block',
      src: stream({ pk: 'CL = THETA(1)\nIF (WT.GT.70) THEN\n  V = THETA(2)' }).split('$ERROR')[0],
      at: 'IF (WT.GT.70)',
      message: /IF \(…\) THEN at line \d+ has no ENDIF/,
      code: 'DT_NONMEM_SYNTAX',
    },
    {
      name: 'ENDIF without IF',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)\nENDIF' }),
      at: 'ENDIF',
      message: /ENDIF without a matching IF/,
    },
    {
      name: 'ELSE without IF',
      src: stream({ pk: 'CL = THETA(1)\nELSE\nV = THETA(2)' }),
      at: 'ELSE',
      message: /ELSE without a matching IF/,
    },
    {
      name: 'undefined variable',
      src: stream({ pk: 'CL = TVCL*EXP(ETA(1))\nV = THETA(2)\nS1 = V' }),
      at: 'CL = TVCL',
      message: /TVCL is not defined: it is never assigned and is not a data item in \$INPUT/,
      code: 'DT_NONMEM_UNDEFINED',
    },
    {
      name: 'bad $OMEGA BLOCK (count)',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', omega: 'BLOCK(2) 0.1 0.01' }),
      at: '$OMEGA',
      message: /BLOCK\(2\) needs 3 values .* found 2/,
      code: 'DT_NONMEM_OMEGA',
    },
    {
      name: 'bad $OMEGA BLOCK (not positive definite)',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', omega: 'BLOCK(2) 0.1 0.5 0.1' }),
      at: '$OMEGA',
      message: /not positive definite/,
      code: 'DT_NONMEM_OMEGA',
    },
    {
      name: 'SAME with nothing before',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', omega: 'BLOCK(1) SAME' }),
      at: '$OMEGA',
      message: /no previous block/,
    },
    {
      name: 'THETA out of range',
      src: stream({ pk: 'CL = THETA(3)\nV = THETA(2)' }),
      at: 'CL = THETA(3)',
      message: /THETA\(3\) does not exist: \$THETA defines 2/,
    },
    {
      name: 'ETA out of range',
      src: stream({ pk: 'CL = THETA(1)*EXP(ETA(3))\nV = THETA(2)' }),
      at: 'ETA(3)',
      message: /ETA\(3\) does not exist: \$OMEGA defines 2/,
    },
    {
      name: 'theta without an initial estimate',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', theta: '(0,,10) 2' }),
      at: '$THETA',
      message: /no initial estimate/,
    },
    {
      name: 'syntax error in an expression',
      src: stream({ pk: 'CL = THETA(1) *\nV = THETA(2)' }),
      at: 'CL = THETA(1) *',
      message: /expected a number, a name or '\('/,
    },
    {
      name: 'missing KA for ADVAN2',
      src: stream({ subr: 'ADVAN2 TRANS2', pk: 'CL = THETA(1)\nV = THETA(2)' }),
      at: '$PK',
      message: /needs CL, V, KA in \$PK; KA is not assigned/,
    },
    {
      name: 'no Y in $ERROR',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', error: 'IPRED = F' }),
      at: '$ERROR',
      message: /\$ERROR does not set Y/,
    },
    {
      name: 'EPS in $PK',
      src: stream({ pk: 'CL = THETA(1)+EPS(1)\nV = THETA(2)' }),
      at: 'CL = THETA(1)+EPS',
      message: /EPS\(…\) in \$PK/,
    },
    {
      name: 'EPS inside ABS',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', error: 'Y = F + ABS(EPS(1))' }),
      at: 'Y = F + ABS',
      message: /not differentiable in EPS\(1\)/,
      code: 'DT_NONMEM_ERROR',
    },
    {
      name: 'unsupported ADVAN',
      src: stream({ subr: 'ADVAN9', pk: 'CL = THETA(1)' }),
      at: '$SUBROUTINES',
      message: /ADVAN9 is not supported/,
    },
    {
      name: '$PRED',
      src: ok.replace('$SUBROUTINES ADVAN1 TRANS2', '$PRED\nY = THETA(1) + EPS(1)'),
      at: '$PRED',
      message: /\$PRED .* is not supported/,
    },
    {
      name: 'CALL to a Fortran routine',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)\nCALL PASS(MODE)' }),
      at: 'CALL PASS',
      message: /calls to Fortran routines are not supported/,
    },
    {
      name: 'DV read by the model',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)', error: 'Y = F + DV + EPS(1)' }),
      at: 'Y = F + DV',
      message: /the model reads DV/,
    },
    {
      name: 'dropped data item read',
      src: stream({
        input: 'ID TIME AMT RATE CMT EVID MDV DV WT=DROP',
        pk: 'CL = THETA(1)*WT\nV = THETA(2)',
      }),
      at: 'CL = THETA(1)*WT',
      message: /WT is read by the code but dropped in \$INPUT/,
    },
    {
      name: 'M3 (PHI): not translated, with the native way as hint',
      src: stream({
        input: 'ID TIME AMT RATE CMT EVID MDV DV WT BLQ',
        pk: 'CL = THETA(1)\nV = THETA(2)',
        error:
          'IF (BLQ.EQ.1) THEN\n  F_FLAG = 1\n  Y = PHI((1 - F)/F)\nELSE\n  F_FLAG = 0\n  Y = F + F*EPS(1)\nENDIF',
      }),
      at: 'Y = PHI',
      message: /PHI\(…\) is not supported/,
    },
    {
      name: 'unknown function',
      src: stream({ pk: 'CL = FOO(THETA(1))\nV = THETA(2)' }),
      at: 'CL = FOO',
      message: /unknown function or array 'FOO'/,
    },
    {
      name: 'A(n) in $PK',
      src: stream({ pk: 'CL = THETA(1)*A(1)\nV = THETA(2)' }),
      at: 'CL = THETA(1)*A(1)',
      message: /A\(n\) .* cannot be read in \$PK/,
    },
    {
      name: 'MTIME',
      src: stream({ pk: 'CL = THETA(1)\nV = THETA(2)\nMTIME(1) = 5' }),
      at: 'MTIME(1)',
      message: /model event times/,
    },
    {
      name: 'bad $INPUT alias',
      src: stream({ input: 'ID TIME AMT RATE CMT EVID MDV DV WT=KG', pk: 'CL = THETA(1)\nV = THETA(2)' }),
      at: '$INPUT',
      message: /one of the two labels must be a reserved label/,
    },
    {
      name: 'ambiguous record abbreviation',
      src: ok.replace('$PROBLEM test', '$PR test'),
      at: '$PR ',
      message: /unknown record '\$PR'/,
    },
    {
      name: 'no $SUBROUTINES',
      src: ok.replace('$SUBROUTINES ADVAN1 TRANS2\n', ''),
      at: '$PROBLEM',
      message: /no \$SUBROUTINES record/,
    },
    {
      name: 'TRANS the ADVAN does not have',
      src: stream({ subr: 'ADVAN1 TRANS4', pk: 'CL = THETA(1)' }),
      at: '$SUBROUTINES',
      message: /ADVAN1 has no TRANS4/,
    },
    {
      name: 'a value kept from an earlier record (time of last dose)',
      src: stream({
        pk: 'IF (AMT.GT.0) TDOS = TIME\nTAD = TIME - TDOS\nCL = THETA(1)*(1 + TAD/100)\nV = THETA(2)',
      }),
      at: 'IF (AMT.GT.0)',
      message:
        /TDOS is set only under a condition on AMT \(IF at line \d+\); on other records NONMEM keeps its value from an earlier record/,
    },
    { name: 'empty file', src: '; nothing here\n', at: '; nothing', message: /no records/ },
    {
      name: 'chained comparison',
      src: stream({ pk: 'CL = THETA(1)\nIF (1.LT.CL.LT.3) CL = 2\nV = THETA(2)' }),
      at: 'IF (1.LT',
      message: /comparisons cannot be chained/,
    },
  ];
  for (const c of BAD)
    test(c.name, () => {
      let caught: unknown;
      try {
        compileModel(parseControlStream(c.src, 'bad.mod').ir);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof DosetwinError, `expected a DosetwinError, got ${String(caught)}`);
      const hit = caught.issues.find((i) => c.message.test(i.message));
      assert.ok(hit, `no issue matches ${c.message}; got: ${caught.message}`);
      assert.equal(hit.file, 'bad.mod');
      assert.equal(hit.line, lineOf(c.src, c.at), `line of: ${hit.message}`);
      assert.ok(hit.code.startsWith(c.code ?? 'DT_NONMEM_'), hit.code);
      assert.equal(caught.issues.length, 1, `one clear error, got: ${caught.message}`);
    });

  test('fuzz: 3000 truncations, character flips and line edits of real control streams never crash (seeded)', () => {
    const dir = resolve(REPO, 'packages/engine/test-models/nonmem');
    const sources = ['advan4.mod', 'advan13.mod', 'run401.mod', 'advan1.mod'].map((f) =>
      readFileSync(resolve(dir, f), 'utf8'),
    );
    let seed = 20260301;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const chars = '()=+-*/.,;&$\n \'"ABCEFIKTXY019';
    let ok = 0;
    for (let k = 0; k < 3000; k++) {
      let src = sources[k % sources.length];
      const op = k % 4;
      if (op === 0) src = src.slice(0, Math.floor(rnd() * src.length));
      else if (op === 1) {
        const pos = Math.floor(rnd() * src.length);
        src = src.slice(0, pos) + chars[Math.floor(rnd() * chars.length)] + src.slice(pos + 1);
      } else {
        const lines = src.split('\n');
        const i = Math.floor(rnd() * lines.length);
        if (op === 2) lines.splice(i, 1);
        else lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)]);
        src = lines.join('\n');
      }
      try {
        compileModel(parseControlStream(src, 'fuzz.mod').ir);
        ok++;
      } catch (e) {
        assert.ok(e instanceof DosetwinError, `input #${k} crashed with ${String(e)}\n${src}`);
        assert.ok(
          e.issues.length >= 1 && e.issues.every((i) => i.message.length > 0 && i.file === 'fuzz.mod'),
        );
      }
    }
    assert.ok(ok > 100, `only ${ok} of 3000 mutated streams were still valid`);
  });
});
