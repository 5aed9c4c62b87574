// NONMEM datasets read through a control stream's $INPUT and $DATA, as NM-TRAN reads them:
// positional items (aliases, DROP/SKIP), comma/blank/tab separators, IGNORE=# (default), IGNORE=@,
// IGNORE=c, IGNORE=(list) and ACCEPT=(list) with NM-TRAN's comparison rules, null fields, derived
// EVID, default compartments; errors name the line of the original file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { DosetwinError } from '../errors.ts';
import { parseControlStream } from '../nonmem/translate.ts';
import { REPO } from '../test-support/bench-data.ts';
import { parseDataset } from './dataset.ts';
import { nonmemDataToCsv, splitNonmemRecord } from './nonmem-data.ts';

function control(
  input: string,
  data: string,
  opts: { subr?: string; model?: string; pk?: string } = {},
): string {
  return [
    '$PROBLEM data reading',
    `$INPUT ${input}`,
    `$DATA ${data}`,
    `$SUBROUTINES ${opts.subr ?? 'ADVAN2 TRANS2'}`,
    ...(opts.model ? [`$MODEL ${opts.model}`] : []),
    '$PK',
    opts.pk ?? 'CL = THETA(1)\nV = THETA(2)\nKA = THETA(3)\nS2 = V',
    ...(opts.model ? ['$DES', 'DADT(1) = -KA*A(1)\nDADT(2) = KA*A(1) - CL/V*A(2)'] : []),
    '$ERROR',
    'Y = F + F*EPS(1)',
    '$THETA 2 20 1',
    '$SIGMA 0.04',
  ].join('\n');
}
const read = (src: string, text: string): ReturnType<typeof parseDataset> =>
  parseDataset(text, parseControlStream(src, 'c.mod').ir, 'd.csv');

describe('NONMEM dataset reading ($INPUT, $DATA)', () => {
  test('separators: commas, blanks, tabs, comma between blanks; consecutive commas are null fields', () => {
    assert.deepEqual(splitNonmemRecord('1, 2,,3\t4  5 ,6'), ['1', '2', '', '3', '4', '5', '6']);
    assert.deepEqual(splitNonmemRecord('  7 8 '), ['7', '8']);
  });

  test('positional items (the header is just a record), DROP/SKIP, aliases; IGNORE=@', () => {
    const src = control('ID TIME CONC=DV AMT SKIP WT=DROP EVID MDV', 'd.csv IGNORE=@');
    const ds = read(src, 'a,b,c,d,e,f,g,h\n1,0,.,100,x,70,1,1\n1,2,5.5,0,y,70,0,0\n');
    const p = ds.patients[0];
    assert.deepEqual([...p.time], [0, 2]);
    assert.deepEqual([...p.amt], [100, 0]);
    assert.deepEqual(
      [...p.dv].map((x) => (Number.isNaN(x) ? null : x)),
      [null, 5.5],
    );
    // No CMT item: doses go to the depot, observations to central (ADVAN2).
    assert.deepEqual([...p.cmt], [1, 2]);
  });

  test('IGNORE=# is the default; IGNORE=c; blank-separated records; derived EVID (AMT > 0 → 1, MDV = 1 → 2)', () => {
    const src = control('ID TIME AMT DV MDV', 'd.dat');
    const ds = read(src, '# ID TIME AMT DV MDV\n1 0 100 . 1\n#1 1 0 9 0\n1 1 0 4 0\n1 2 0 . 1\n');
    const p = ds.patients[0];
    assert.deepEqual([...p.time], [0, 1, 2]);
    assert.deepEqual([...p.evid], [1, 0, 2]);
    assert.deepEqual([...p.line], [2, 4, 5], 'records keep their line in the file');
    const src2 = control('C ID TIME AMT DV', 'd.csv IGNORE=C');
    const p2 = read(src2, 'C,ID,TIME,AMT,DV\n.,1,0,100,.\nC,1,0.5,0,3\n.,1,1,0,4\n').patients[0];
    assert.deepEqual([...p2.time], [0, 1]);
  });

  test("IGNORE=(list) drops records meeting any condition; EQ compares as text ('1.0' is not '1'), EQN as numbers", () => {
    const text =
      'ID,TIME,AMT,DV,FLAG\n1,0,100,.,0\n1,1,0,4,1\n1,2,0,3,1.0\n1,3,0,2,2\n2,0,50,.,0\n2,1,0,1,0\n';
    const ids = (opts: string): string[] =>
      read(control('ID TIME AMT DV FLAG', `d.csv IGNORE=@ ${opts}`), text).patients.map(
        (p) => `${p.id}:${[...p.time].join('/')}`,
      );
    assert.deepEqual(ids('IGNORE=(FLAG.EQ.1)'), ['1:0/2/3', '2:0/1']);
    assert.deepEqual(ids('IGNORE=(FLAG.EQN.1)'), ['1:0/3', '2:0/1']);
    assert.deepEqual(ids('IGNORE=(FLAG==1, ID.EQ.2)'), ['1:0/2/3']);
    assert.deepEqual(ids('IGNORE (TIME.GT.1) IGNORE=(ID.EQ.2)'), ['1:0/1']);
    assert.deepEqual(ids('ACCEPT=(FLAG.NEN.1)'), ['1:0/3', '2:0/1']);
    assert.deepEqual(ids("ACCEPT=(ID.EQ.'2')"), ['2:0/1']);
  });

  test('null fields are 0 (covariates, RATE…), DV stays missing; CMT 0 takes the default compartment', () => {
    const src = control('ID TIME AMT RATE CMT DV WT', 'd.csv IGNORE=@', {
      pk: 'CL = THETA(1)*WT\nV = THETA(2)\nKA = THETA(3)\nS2 = V',
    });
    const p = read(src, 'ID,TIME,AMT,RATE,CMT,DV,WT\n1,0,100,.,0,.,.\n1,1,0,,0,4,70\n').patients[0];
    assert.deepEqual([...p.cov], [0, 70]);
    assert.deepEqual([...p.rate], [0, 0]);
    assert.deepEqual([...p.cmt], [1, 2]);
  });

  test('$MODEL DEFDOSE / DEFOBS give the default compartments', () => {
    const src = control('ID TIME AMT DV', 'd.csv IGNORE=@', {
      subr: 'ADVAN13',
      model: 'COMP=(GUT) COMP=(CENT DEFDOSE DEFOBS)',
    });
    assert.deepEqual([...read(src, 'ID,TIME,AMT,DV\n1,0,100,.\n1,1,0,4\n').patients[0].cmt], [2, 2]);
    const src2 = control('ID TIME AMT DV', 'd.csv IGNORE=@', {
      subr: 'ADVAN13',
      model: 'COMP=(DEPOT) COMP=(CENTRAL)',
    });
    assert.deepEqual([...read(src2, 'ID,TIME,AMT,DV\n1,0,100,.\n1,1,0,4\n').patients[0].cmt], [1, 2]);
  });

  test('a covariate read under its synonym gets its column; RECORDS=n stops after n records', () => {
    const src = control('ID TIME AMT WEIGHT=DROP DV', 'd.csv IGNORE=@ RECORDS=2');
    const ds = read(src, 'ID,TIME,AMT,W,DV\n1,0,100,70,.\n1,1,0,70,4\n1,2,0,70,3\n');
    assert.equal(ds.patients[0].n, 2);
    const { csv } = nonmemDataToCsv(
      'ID,TIME,AMT,DV\n1,0,100,.\n',
      parseControlStream(control('ID TIME AMT CP=DV', 'd.csv IGNORE=@'), 'c.mod').ir,
      parseControlStream(control('ID TIME AMT CP=DV', 'd.csv IGNORE=@'), 'c.mod').data,
      'd.csv',
    );
    assert.equal(csv.split('\n')[0], 'ID,TIME,AMT,DV,EVID,CMT');
  });

  test('errors name the line of the original file: a header without IGNORE=@, a bad value, a clock time', () => {
    const fails = (src: string, text: string, re: RegExp, line: number): void => {
      try {
        read(src, text);
        assert.fail('expected an error');
      } catch (e) {
        assert.ok(e instanceof DosetwinError, String(e));
        const hit = e.issues.find((i) => re.test(i.message + ' ' + (i.hint ?? '')));
        assert.ok(hit, `no issue matches ${re}: ${e.message}`);
        assert.equal(hit.line, line);
        assert.equal(hit.file, 'd.csv');
      }
    };
    fails(
      control('ID TIME AMT DV', 'd.csv'),
      'ID,TIME,AMT,DV\n1,0,100,.\n',
      /ID '?ID'? is|TIME 'TIME' is not a number|IGNORE=@/,
      1,
    );
    fails(
      control('ID TIME AMT DV', 'd.csv IGNORE=@'),
      'ID,TIME,AMT,DV\nC comment\n1,0,100,.\n1,x,0,3\n',
      /TIME 'x' is not a number/,
      4,
    );
    fails(control('ID TIME AMT DV', 'd.csv IGNORE=@'), 'ID,TIME,AMT,DV\n1,08:30,100,.\n', /clock time/, 2);
    fails(
      control('ID TIME AMT DV', 'd.csv IGNORE=@'),
      'ID,TIME,AMT,DV\n1,0,100\n',
      /has 3 fields; \$INPUT lists 4/,
      2,
    );
  });

  test('fuzz: 2000 mutated datasets never crash the reader (seeded)', () => {
    const dir = resolve(REPO, 'packages/engine/test-models/nonmem');
    const cases = [
      ['advan1.mod', 'iv.nm.csv'],
      ['advan4.mod', 'oral.dat'],
    ].map(([m, d]) => ({
      ir: parseControlStream(readFileSync(resolve(dir, m), 'utf8'), m).ir,
      text: readFileSync(resolve(dir, d), 'utf8'),
    }));
    let seed = 4242;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const chars = '0123456789.,-: #@\tCx\n';
    for (let k = 0; k < 2000; k++) {
      const c = cases[k % 2];
      let t = c.text;
      if (k % 3 === 0) t = t.slice(0, Math.floor(rnd() * t.length));
      else {
        const pos = Math.floor(rnd() * t.length);
        t = t.slice(0, pos) + chars[Math.floor(rnd() * chars.length)] + t.slice(pos + (k % 3 === 1 ? 1 : 0));
      }
      try {
        parseDataset(t, c.ir, 'fuzz.csv');
      } catch (e) {
        assert.ok(e instanceof DosetwinError, `dataset #${k} crashed with ${String(e)}`);
        assert.ok(e.issues.every((i) => i.message.length > 0));
      }
    }
  });
});
