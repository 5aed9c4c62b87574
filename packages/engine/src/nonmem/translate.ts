import { DosetwinError, type Issue } from '../errors.ts';
import { setDatasetReader } from '../events/dataset.ts';
import {
  type DataCondition,
  type InputItem,
  type NonmemDataSpec,
  RESERVED_ITEMS,
  readNonmemDataset,
} from '../events/nonmem-data.ts';
import { FUNCTIONS } from '../model/compile.ts';
import type {
  CmtProperty,
  CovariateDef,
  EtaDef,
  Expr,
  ModelIR,
  ParameterDef,
  PkStructure,
  PkStructureName,
  Pos,
  Stmt,
  Units,
} from '../model/ir.ts';
import { structureCompartments } from '../model/parse.ts';
import { type NmStmt, parseAbbreviated } from './abbreviated.ts';
import { parseThetas, parseVariances, type ThetaDef, type VarianceDef } from './estimates.ts';
import { type NmRecord, type NmToken, splitRecords, tokenizeRecord } from './records.ts';
import { epsName, linearise } from './residual.ts';
import { constValue, forEachAssign, forEachExpr, num, ref, refsOf } from './simplify.ts';

export interface ControlStreamOptions {
  /** Units of doses, time and concentrations: NONMEM control streams do not state them. */
  units?: Units;
  /** Model id (default `nonmem/<file name without extension>`). */
  id?: string;
}

export interface ControlStream {
  ir: ModelIR;
  /** How the dataset is read ($INPUT, $DATA); also attached to `ir` for `parseDataset`. */
  data: NonmemDataSpec;
  /** What was read but is not run, ignored, or translated with a caveat. */
  warnings: Issue[];
  problem: string;
  /** Records read and reported, not run ($ESTIMATION, $COVARIANCE, $TABLE, …), as written. */
  reported: { record: string; text: string; line: number }[];
}

type Section = 'PK' | 'DES' | 'ERROR';

interface ClosedSpec {
  structure: PkStructureName;
  depot: boolean;
  /** NONMEM names of the compartments, in order. */
  names: string[];
  trans: Record<number, string[]>;
}

/** ADVANs with closed forms; basic PK parameters per TRANS (NONMEM Guide VI / PREDPP). */
const CLOSED: Record<number, ClosedSpec> = {
  1: { structure: 'one_cmt', depot: false, names: ['CENTRAL'], trans: { 1: ['K'], 2: ['CL', 'V'] } },
  2: {
    structure: 'one_cmt',
    depot: true,
    names: ['DEPOT', 'CENTRAL'],
    trans: { 1: ['K', 'KA'], 2: ['CL', 'V', 'KA'] },
  },
  3: {
    structure: 'two_cmt',
    depot: false,
    names: ['CENTRAL', 'PERIPH'],
    trans: {
      1: ['K', 'K12', 'K21'],
      3: ['CL', 'V', 'Q', 'VSS'],
      4: ['CL', 'V1', 'Q', 'V2'],
      5: ['AOB', 'ALPHA', 'BETA'],
      6: ['ALPHA', 'BETA', 'K21'],
    },
  },
  4: {
    structure: 'two_cmt',
    depot: true,
    names: ['DEPOT', 'CENTRAL', 'PERIPH'],
    trans: {
      1: ['K', 'K23', 'K32', 'KA'],
      3: ['CL', 'V', 'Q', 'VSS', 'KA'],
      4: ['CL', 'V2', 'Q', 'V3', 'KA'],
      5: ['AOB', 'ALPHA', 'BETA', 'KA'],
      6: ['ALPHA', 'BETA', 'K32', 'KA'],
    },
  },
  11: {
    structure: 'three_cmt',
    depot: false,
    names: ['CENTRAL', 'PERIPH1', 'PERIPH2'],
    trans: {
      1: ['K', 'K12', 'K21', 'K13', 'K31'],
      4: ['CL', 'V1', 'Q2', 'V2', 'Q3', 'V3'],
      6: ['ALPHA', 'BETA', 'GAMMA', 'K21', 'K31'],
    },
  },
  12: {
    structure: 'three_cmt',
    depot: true,
    names: ['DEPOT', 'CENTRAL', 'PERIPH1', 'PERIPH2'],
    trans: {
      1: ['K', 'K23', 'K32', 'K24', 'K42', 'KA'],
      4: ['CL', 'V2', 'Q3', 'V3', 'Q4', 'V4', 'KA'],
      6: ['ALPHA', 'BETA', 'GAMMA', 'K32', 'K42', 'KA'],
    },
  },
};
const GENERAL_ODE = new Set([6, 8, 13, 14]);
const GENERAL_LINEAR = new Set([5, 7]);

/** NONMEM names that exist but are not translated (reported if the model needs them). */
const UNSUPPORTED_NAMES = new Set([
  'NEWIND',
  'IREP',
  'IRS',
  'NDREC',
  'NIREC',
  'MIXNUM',
  'MIXEST',
  'COMACT',
  'COMSAV',
  'PRED_',
  'RES_',
  'WRES_',
  'MDVRES',
  'MTIME',
  'MNEXT',
  'MPAST',
  'MNOW',
  'MTDIFF',
  'PHI',
  'GAMLN',
  'ISFINALPASS',
  'IPRED_',
  'TEMPLT',
  'OBJI',
  'OBJECT',
]);

const PROP_OF: Record<string, CmtProperty> = { ALAG: 'lag', F: 'bioav', R: 'rate', D: 'duration' };
const PROP_DEFAULT: Record<string, number> = { ALAG: 0, F: 1, R: 0, D: 0, S: 1, A_0: 0 };

/**
 * Translate a NONMEM control stream into dosetwin's model IR — the same IR a `.dtm` file gives,
 * compiled and simulated by the same code. $PK → statements and a closed-form structure
 * (ADVAN1/2/3/4/11/12, TRANS1–6) or $DES ODEs (ADVAN6/8/13/14, $MODEL) or linear rate constants
 * (ADVAN5/7); ALAGn/Fn/Rn/Dn/A_0(n) → dose modifiers; Sn → the scaling of F = A(CMT)/S(CMT);
 * $ERROR → an output Y at EPS = 0 whose residual variance is NONMEM's linearisation in EPS (see
 * `residual.ts`); $THETA → parameters THETA1…, $OMEGA → etas ETA1… and Ω, $SIGMA → parameters
 * SIGMAk (variances) and SIGMAk_l (covariances); data items the code reads → covariates.
 * Unsupported constructs are errors with file, line and column (codes DT_NONMEM_*), never a
 * silent change of the model.
 */
export function parseControlStream(
  source: string,
  file = 'run.mod',
  options: ControlStreamOptions = {},
): ControlStream {
  const issues: Issue[] = [];
  const warnings: Issue[] = [];
  const fail = (): never => {
    throw new DosetwinError(
      issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)),
    );
  };
  const error = (code: Issue['code'], pos: Pos, field: string, message: string, hint?: string): void => {
    issues.push({
      code,
      severity: 'error',
      field,
      message,
      file,
      line: pos.line,
      column: pos.column,
      ...(hint ? { hint } : {}),
    });
  };
  const warn = (pos: Pos | null, field: string, message: string, hint?: string): void => {
    warnings.push({
      code: 'DT_NONMEM_IGNORED',
      severity: 'warning',
      field,
      message,
      file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      ...(hint ? { hint } : {}),
    });
  };
  const origin: Pos = { line: 1, column: 1 };
  /** Records missing or incomplete: reported only when nothing else is wrong (a truncated or
   * unsupported stream would otherwise list every record after the problem as missing). */
  const structural: Issue[] = [];
  const missing = (code: Issue['code'], pos: Pos, field: string, message: string, hint?: string): void => {
    structural.push({
      code,
      severity: 'error',
      field,
      message,
      file,
      line: pos.line,
      column: pos.column,
      ...(hint ? { hint } : {}),
    });
  };

  // ---- records ----
  const records = splitRecords(source, file, issues, warnings);
  if (!records.length && !issues.length)
    error(
      'DT_NONMEM_SYNTAX',
      origin,
      'records',
      'the control stream has no records',
      'is this a NONMEM control stream? it starts with $PROBLEM',
    );
  if (issues.length) fail();
  const byName = (name: string): NmRecord[] => records.filter((r) => r.name === name);
  const first = (name: string): NmRecord | null => byName(name)[0] ?? null;
  const recordText = (r: NmRecord): string =>
    r.lines
      .map((l) => l.code.trim())
      .filter(Boolean)
      .join(' ');
  const reported: ControlStream['reported'] = [];

  for (const r of records) {
    switch (r.name) {
      case 'PROBLEM':
      case 'INPUT':
      case 'DATA':
      case 'SUBROUTINES':
      case 'MODEL':
      case 'PK':
      case 'DES':
      case 'ERROR':
      case 'THETA':
      case 'OMEGA':
      case 'SIGMA':
      case 'ABBREVIATED':
        break;
      case 'ESTIMATION':
      case 'COVARIANCE':
      case 'TABLE':
      case 'SCATTERPLOT':
      case 'SIMULATION':
      case 'NONPARAMETRIC':
        reported.push({ record: r.name, text: recordText(r), line: r.pos.line });
        break;
      case 'SIZES':
      case 'TOL':
      case 'WARNINGS':
      case 'FORMAT':
      case 'DEFAULT':
      case 'INDEX':
        break;
      case 'PRIOR':
      case 'THETAP':
      case 'THETAPV':
      case 'OMEGAP':
      case 'OMEGAPD':
      case 'SIGMAP':
      case 'SIGMAPD':
      case 'OLKJDF':
      case 'OVARF':
      case 'SLKJDF':
      case 'SVARF':
        warn(
          r.pos,
          r.written,
          `${r.written} (priors on the population parameters) is ignored: they do not change the individual estimates with fixed population parameters`,
        );
        break;
      case 'ETAS':
      case 'PHIS':
      case 'RCOV':
      case 'RCOVI':
      case 'DESIGN':
      case 'ANNEAL':
      case 'CHAIN':
      case 'OMIT':
      case 'BIND':
      case 'SUPER':
      case 'INFN':
        warn(r.pos, r.written, `${r.written} is ignored (it does not define the model)`);
        break;
      case 'PRED':
        error(
          'DT_NONMEM_UNSUPPORTED',
          r.pos,
          r.written,
          '$PRED (a model without PREDPP) is not supported',
          'write the model with $SUBROUTINES ADVANn, $PK and $ERROR',
        );
        break;
      case 'MSFI':
        error(
          'DT_NONMEM_UNSUPPORTED',
          r.pos,
          r.written,
          '$MSFI is not supported: the parameter values would come from a model specification file',
          'copy the final estimates into $THETA, $OMEGA and $SIGMA',
        );
        break;
      case '?':
        break;
      default:
        error('DT_NONMEM_UNSUPPORTED', r.pos, r.written, `${r.written} is not supported`);
    }
  }
  const problemRec = first('PROBLEM');
  const problem = problemRec ? recordText(problemRec) : '';

  // ---- $INPUT ----
  const items: InputItem[] = [];
  for (const r of byName('INPUT')) {
    const toks = tokenizeRecord(r, file, issues).filter((t) => t.kind !== 'nl' && t.kind !== 'eof');
    for (let i = 0; i < toks.length; i++) {
      const a = toks[i];
      if (a.kind !== 'ident') {
        error('DT_NONMEM_INPUT', a.pos, '$INPUT', `expected a data item label, found '${a.raw}'`);
        break;
      }
      let b: NmToken | null = null;
      if (toks[i + 1]?.kind === 'op' && toks[i + 1].text === '=') {
        b = toks[i + 2] ?? null;
        if (!b || b.kind !== 'ident') {
          error('DT_NONMEM_INPUT', a.pos, '$INPUT', `expected a label after '${a.raw}='`);
          break;
        }
        i += 2;
      }
      const isDrop = (t: NmToken | null): boolean => !!t && (t.text === 'DROP' || t.text === 'SKIP');
      if (!b) items.push({ label: a.text, synonym: null, drop: isDrop(a), pos: a.pos });
      else if (isDrop(b)) items.push({ label: a.text, synonym: null, drop: true, pos: a.pos });
      else if (isDrop(a)) items.push({ label: b.text, synonym: null, drop: true, pos: a.pos });
      else if (RESERVED_ITEMS.has(b.text))
        items.push({ label: b.text, synonym: a.text, drop: false, pos: a.pos });
      else if (RESERVED_ITEMS.has(a.text))
        items.push({ label: a.text, synonym: b.text, drop: false, pos: a.pos });
      else
        error(
          'DT_NONMEM_INPUT',
          a.pos,
          '$INPUT',
          `${a.raw}=${b.raw}: one of the two labels must be a reserved label (ID, TIME, DV, AMT, …) or DROP`,
        );
    }
  }
  if (!first('INPUT'))
    missing(
      'DT_NONMEM_INPUT',
      origin,
      '$INPUT',
      'the control stream has no $INPUT record',
      'list the data items, e.g. $INPUT ID TIME AMT DV MDV EVID CMT',
    );
  for (const it of items) {
    if (it.drop) continue;
    if (['DATE', 'DAT1', 'DAT2', 'DAT3'].includes(it.label))
      error(
        'DT_NONMEM_UNSUPPORTED',
        it.pos,
        '$INPUT',
        `${it.label}: calendar dates are not supported`,
        'give TIME in hours from a reference and drop the date (DATE=DROP)',
      );
    else if (
      [
        'L2',
        'CONT',
        'CALL',
        'RAW_',
        'MRG_',
        'RPT_',
        'REPL_',
        'XVID1',
        'XVID2',
        'XVID3',
        'XVID4',
        'XVID5',
      ].includes(it.label)
    )
      error(
        'DT_NONMEM_UNSUPPORTED',
        it.pos,
        '$INPUT',
        `data item ${it.label} is not supported`,
        `drop it (${it.label}=DROP)`,
      );
    else if (it.label === 'PCMT')
      warn(it.pos, '$INPUT', 'PCMT (the compartment predicted at dose records) is ignored');
  }
  const seenLabels = new Map<string, Pos>();
  for (const it of items)
    for (const n of [it.label, it.synonym])
      if (n && !(it.drop && n === it.label && (n === 'DROP' || n === 'SKIP'))) {
        if (seenLabels.has(n) && !(it.drop && items.find((x) => x.label === n)?.drop))
          error('DT_NONMEM_INPUT', it.pos, '$INPUT', `data item ${n} is listed twice`);
        seenLabels.set(n, it.pos);
      }
  /** Data items usable in code: label or synonym → item. */
  const dataItem = new Map<string, InputItem>();
  for (const it of items)
    if (!it.drop) {
      dataItem.set(it.label, it);
      if (it.synonym) dataItem.set(it.synonym, it);
    }

  // ---- $DATA ----
  const dataRec = first('DATA');
  let dataFile: string | null = null;
  let ignoreChar = '#';
  const conditions: DataCondition[] = [];
  let recordsLimit: number | null = null;
  if (dataRec) {
    const text = dataRec.lines.map((l) => l.code).join(' ');
    const p = parseDataRecord(text, dataRec.pos);
    dataFile = p.file;
    if (p.ignoreChar) ignoreChar = p.ignoreChar;
    conditions.push(...p.conditions);
    recordsLimit = p.records;
    for (const e of p.errors) error('DT_NONMEM_DATA', dataRec.pos, '$DATA', e.message, e.hint);
    for (const w of p.warnings) warn(dataRec.pos, '$DATA', w);
    if (conditions.some((c) => c.accept) && conditions.some((c) => !c.accept))
      error('DT_NONMEM_DATA', dataRec.pos, '$DATA', 'ACCEPT=(list) cannot be combined with IGNORE=(list)');
    for (const c of conditions)
      if (!items.some((it) => it.label === c.label || it.synonym === c.label))
        error(
          'DT_NONMEM_DATA',
          dataRec.pos,
          '$DATA',
          `${c.accept ? 'ACCEPT' : 'IGNORE'} condition on ${c.label}, which is not in $INPUT`,
        );
  } else warn(origin, '$DATA', 'no $DATA record: the dataset will be read with the default IGNORE=#');

  // ---- $SUBROUTINES ----
  let advan = 0;
  let trans = 1;
  const subr = first('SUBROUTINES');
  if (!subr)
    missing(
      'DT_NONMEM_SUBROUTINES',
      origin,
      '$SUBROUTINES',
      'the control stream has no $SUBROUTINES record',
      'e.g. $SUBROUTINES ADVAN2 TRANS2',
    );
  for (const r of byName('SUBROUTINES')) {
    const toks = tokenizeRecord(r, file, issues).filter((t) => t.kind !== 'nl' && t.kind !== 'eof');
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind !== 'ident') continue;
      let key = t.text;
      let val: string | null = null;
      if (toks[i + 1]?.text === '=') {
        val = toks[i + 2]?.raw.toUpperCase() ?? null;
        i += 2;
      }
      let m = /^ADVAN(\d+)$/.exec(key);
      if (key === 'ADVAN' && val) m = /^(?:ADVAN)?(\d+)$/.exec(val);
      if (m) {
        advan = Number(m[1]);
        continue;
      }
      m = /^TRANS(\d+)$/.exec(key);
      if (key === 'TRANS' && val) m = /^(?:TRANS)?(\d+)$/.exec(val);
      if (m) {
        trans = Number(m[1]);
        continue;
      }
      key = key.replace(/\d+$/, '');
      if (['TOL', 'ATOL', 'SSTOL', 'SSATOL', 'SS', 'NOTITLE', 'NOLABEL'].includes(key)) continue;
      if (key === 'PRIOR') {
        warn(t.pos, '$SUBROUTINES', 'PRIOR (priors on the population parameters) is ignored');
        continue;
      }
      if (['INFN', 'OTHER'].includes(key)) {
        warn(t.pos, '$SUBROUTINES', `${key}=${val ?? ''} (user-supplied code) is ignored`);
        continue;
      }
      error(
        'DT_NONMEM_UNSUPPORTED',
        t.pos,
        '$SUBROUTINES',
        `${t.raw}${val ? '=' + val : ''} is not supported`,
        'user-supplied Fortran routines cannot be translated',
      );
    }
  }
  if (subr && !advan)
    missing(
      'DT_NONMEM_SUBROUTINES',
      subr.pos,
      '$SUBROUTINES',
      '$SUBROUTINES names no ADVAN',
      'e.g. $SUBROUTINES ADVAN2 TRANS2',
    );
  const closed = CLOSED[advan];
  if (advan && !closed && !GENERAL_ODE.has(advan) && !GENERAL_LINEAR.has(advan))
    error(
      'DT_NONMEM_UNSUPPORTED',
      subr!.pos,
      '$SUBROUTINES',
      `ADVAN${advan} is not supported`,
      'supported: ADVAN1, 2, 3, 4, 11, 12 (closed forms, TRANS1–6), ADVAN5, 7 (linear), ADVAN6, 8, 13, 14 ($DES)',
    );
  if (closed && !closed.trans[trans])
    error(
      'DT_NONMEM_SUBROUTINES',
      subr!.pos,
      '$SUBROUTINES',
      `ADVAN${advan} has no TRANS${trans}`,
      `ADVAN${advan} takes ${Object.keys(closed.trans)
        .map((k) => 'TRANS' + k)
        .join(', ')}`,
    );
  if (!closed && trans !== 1 && advan)
    warn(subr!.pos, '$SUBROUTINES', `TRANS${trans} has no effect with ADVAN${advan}`);

  // ---- compartments ----
  /** NONMEM compartment names (upper case), in order. */
  let nmCmts: string[] = [];
  const cmtAttrs: { defdose: boolean; defobs: boolean; nodose: boolean }[] = [];
  if (closed) {
    nmCmts = closed.names;
    if (first('MODEL')) warn(first('MODEL')!.pos, '$MODEL', `$MODEL is ignored with ADVAN${advan}`);
  } else if (advan) {
    const mod = first('MODEL');
    if (!mod)
      missing(
        'DT_NONMEM_MODEL',
        subr?.pos ?? origin,
        '$MODEL',
        `ADVAN${advan} needs a $MODEL record`,
        'e.g. $MODEL COMP=(DEPOT DEFDOSE) COMP=(CENTRAL DEFOBS)',
      );
    for (const r of byName('MODEL')) parseModelRecord(r);
  }
  function parseModelRecord(r: NmRecord): void {
    const toks = tokenizeRecord(r, file, issues).filter((t) => t.kind !== 'nl' && t.kind !== 'eof');
    let nComp = 0;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind !== 'ident') {
        error('DT_NONMEM_MODEL', t.pos, '$MODEL', `unexpected '${t.raw}' in $MODEL`);
        return;
      }
      const key = t.text;
      if (/^(COMP|COMPARTMENT)$/.test(key)) {
        if (toks[i + 1]?.text === '=') i++;
        const words: NmToken[] = [];
        if (toks[i + 1]?.text === '(') {
          i += 2;
          while (i < toks.length && toks[i].text !== ')') {
            if (toks[i].text !== ',') words.push(toks[i]);
            i++;
          }
        } else if (toks[i + 1]) words.push(toks[++i]);
        const attrs = { defdose: false, defobs: false, nodose: false };
        let name: string | null = null;
        for (const w of words) {
          const u = w.kind === 'str' ? null : w.text;
          if (u && /^DEFDOS/.test(u)) attrs.defdose = true;
          else if (u && /^DEFOBS/.test(u)) attrs.defobs = true;
          else if (u === 'NODOSE') attrs.nodose = true;
          else if (u && ['INITIALOFF', 'NOOFF', 'EXCLUDE', 'NOOFFON'].includes(u)) continue;
          else if (u === 'EQUILIBRIUM')
            error('DT_NONMEM_UNSUPPORTED', w.pos, '$MODEL', 'equilibrium compartments are not supported');
          else if (name === null) name = w.kind === 'str' ? w.text.toUpperCase() : w.text;
          else error('DT_NONMEM_MODEL', w.pos, '$MODEL', `unexpected '${w.raw}' in COMP=(…)`);
        }
        nmCmts.push(name ?? `COMP${nmCmts.length + 1}`);
        cmtAttrs.push(attrs);
        continue;
      }
      if (/^(NCOMPARTMENTS|NCOMPS|NCM|NCOMP)$/.test(key) && toks[i + 1]?.text === '=') {
        nComp = toks[i + 2]?.value ?? 0;
        i += 2;
        continue;
      }
      if (/^(NPARAMETERS|NPARAMS)$/.test(key) && toks[i + 1]?.text === '=') {
        i += 2;
        continue;
      }
      if (/^(NEQUILIBRIUM|NEQ)$/.test(key) && toks[i + 1]?.text === '=') {
        if ((toks[i + 2]?.value ?? 0) > 0)
          error('DT_NONMEM_UNSUPPORTED', t.pos, '$MODEL', 'equilibrium compartments are not supported');
        i += 2;
        continue;
      }
      error(
        'DT_NONMEM_UNSUPPORTED',
        t.pos,
        '$MODEL',
        `${t.raw} in $MODEL is not supported`,
        'write COMP=(NAME [DEFDOSE] [DEFOBS]) for each compartment',
      );
      return;
    }
    for (let k = nmCmts.length; k < nComp; k++) {
      nmCmts.push(`COMP${k + 1}`);
      cmtAttrs.push({ defdose: false, defobs: false, nodose: false });
    }
  }
  const nCmt = nmCmts.length;
  const cmtNumber = new Map<string, number>(nmCmts.map((n, i) => [n, i + 1]));
  let irCmts: string[];
  if (closed) {
    irCmts = structureCompartments({
      name: closed.structure,
      args: closed.depot ? { ka: num(0, origin) } : {},
      transit: 0,
      pos: origin,
    });
  } else {
    const used = new Set<string>();
    irCmts = nmCmts.map((n, i) => {
      let name = n.toLowerCase();
      if (!/^[a-z_][a-z0-9_]*$/.test(name) || name === 't' || name in FUNCTIONS || used.has(name))
        name = `cmt${i + 1}`;
      used.add(name);
      return name;
    });
  }
  const firstNamed = (n: string): number => nmCmts.indexOf(n) + 1;
  let defaultDose = 1;
  let defaultObs = 1;
  if (closed) {
    defaultDose = 1;
    defaultObs = closed.depot ? 2 : 1;
  } else if (nCmt) {
    const dd = cmtAttrs.findIndex((a) => a.defdose);
    const dob = cmtAttrs.findIndex((a) => a.defobs);
    const dosable = cmtAttrs.findIndex((a) => !a.nodose);
    const depot = nmCmts.findIndex((n, i) => n === 'DEPOT' && !cmtAttrs[i].nodose);
    defaultDose = dd >= 0 ? dd + 1 : depot >= 0 ? depot + 1 : dosable >= 0 ? dosable + 1 : 1;
    defaultObs = dob >= 0 ? dob + 1 : firstNamed('CENTRAL') || 1;
  }

  // ---- $THETA, $OMEGA, $SIGMA ----
  const thetas: ThetaDef[] = parseThetas(byName('THETA'), file, issues);
  const omega: VarianceDef = parseVariances(byName('OMEGA'), 'OMEGA', file, issues);
  const sigma: VarianceDef = parseVariances(byName('SIGMA'), 'SIGMA', file, issues);

  // ---- $ABBREVIATED ----
  for (const r of byName('ABBREVIATED')) {
    const text = recordText(r);
    if (/\bREPLACE\b/i.test(text))
      error(
        'DT_NONMEM_UNSUPPORTED',
        r.pos,
        '$ABBR',
        '$ABBR REPLACE is not supported',
        'write THETA(n), ETA(n) and A(n) with their numbers',
      );
    else if (text) warn(r.pos, '$ABBR', `$ABBR ${text} is ignored`);
  }

  // ---- abbreviated code ----
  const code: Record<Section, NmStmt[]> = { PK: [], DES: [], ERROR: [] };
  const sectionPos: Record<Section, Pos> = { PK: origin, DES: origin, ERROR: origin };
  for (const sec of ['PK', 'DES', 'ERROR'] as const) {
    const recs = byName(sec);
    if (recs.length > 1) error('DT_NONMEM_SYNTAX', recs[1].pos, '$' + sec, `$${sec} appears twice`);
    const r = recs[0];
    if (!r) continue;
    sectionPos[sec] = r.pos;
    let toks = tokenizeRecord(r, file, issues);
    // `$ERROR (ONLY OBSERVATIONS)`, `$PK (ONLY OBS)`: options on the header line.
    if (toks[0]?.text === '(' && toks[0].pos.line === r.pos.line) {
      const close = toks.findIndex((t) => t.text === ')');
      if (close > 0 && toks.slice(1, close).every((t) => t.kind === 'ident')) {
        // (ONLY OBSERVATIONS) is what dosetwin does anyway: $ERROR runs at observations.
        const words = toks.slice(1, close).map((t) => t.text);
        if (!words.every((w) => /^(ONLY|OBS|OBSERVATION|OBSERVATIONS)$/.test(w)))
          warn(
            r.pos,
            '$' + sec,
            `$${sec} ${toks
              .slice(0, close + 1)
              .map((t) => t.raw)
              .join(' ')}: the option is ignored`,
          );
        toks = toks.slice(close + 1);
      }
    }
    code[sec] = parseAbbreviated(toks, file, issues);
  }
  if (!first('PK') && advan) missing('DT_NONMEM_PK', origin, '$PK', 'the control stream has no $PK record');
  if (!first('ERROR') && advan)
    missing(
      'DT_NONMEM_ERROR',
      origin,
      '$ERROR',
      'the control stream has no $ERROR record',
      'write the observation model, e.g. $ERROR IPRED = F  Y = IPRED + IPRED*EPS(1)',
    );
  if (GENERAL_ODE.has(advan) && !first('DES'))
    missing(
      'DT_NONMEM_DES',
      subr?.pos ?? origin,
      '$DES',
      `ADVAN${advan} needs a $DES record with DADT(1) … DADT(${nCmt})`,
    );
  if (first('DES') && !GENERAL_ODE.has(advan) && advan)
    error(
      'DT_NONMEM_DES',
      first('DES')!.pos,
      '$DES',
      `$DES is not used with ADVAN${advan}`,
      'use ADVAN13 (or 6) for differential equations',
    );
  if (!issues.length) issues.push(...structural);
  if (issues.length) fail();

  // ================= semantics =================
  const thetaSymbol = new Map<string, number>();
  thetas.forEach((t, i) => t.symbol && thetaSymbol.set(t.symbol, i + 1));
  const etaSymbol = new Map<string, number>();
  omega.symbols.forEach((s, i) => s && etaSymbol.set(s, i + 1));
  const epsSymbol = new Map<string, number>();
  sigma.symbols.forEach((s, i) => s && epsSymbol.set(s, i + 1));
  const nEta = omega.matrix.length;
  const nEps = sigma.matrix.length;

  // Assigned names per section (for renames and liveness).
  const assignedNm = new Set<string>();
  const visitNm = (list: NmStmt[], f: (st: NmStmt) => void): void => {
    for (const st of list) {
      f(st);
      if (st.k === 'if') {
        st.branches.forEach((b) => visitNm(b.body, f));
        if (st.otherwise) visitNm(st.otherwise, f);
      } else if (st.k === 'do') visitNm(st.body, f);
    }
  };
  for (const sec of ['PK', 'DES', 'ERROR'] as const)
    visitNm(code[sec], (st) => {
      if (st.k === 'assign' && !st.index) assignedNm.add(st.name);
    });

  // SC is the central compartment's scale; data items assigned in code are copied first.
  const centralNo = closed ? (closed.depot ? 2 : 1) : 0;
  const rename = new Map<string, string>();
  if (closed) rename.set('SC', `S${centralNo}`);
  const shadowed: { item: string; variable: string; pos: Pos }[] = [];
  for (const name of assignedNm) {
    if (
      dataItem.has(name) &&
      !['DV', 'MDV', 'EVID', 'AMT', 'RATE', 'II', 'ADDL', 'SS', 'CMT', 'ID', 'TIME'].includes(name)
    ) {
      let v = `${name}_`;
      while (assignedNm.has(v) || dataItem.has(v)) v += '_';
      rename.set(name, v);
      shadowed.push({ item: name, variable: v, pos: sectionPos.PK });
    }
  }
  const renamed = (n: string): string => rename.get(n) ?? n;

  // ---- expressions ----
  const cmtIndexOf = (e: Expr, what: string): number | null => {
    const c = constValue(e);
    if (c !== null && Number.isInteger(c) && c >= 1 && c <= nCmt) return c;
    if (e.k === 'ref' && cmtNumber.has(e.name)) return cmtNumber.get(e.name)!;
    error(
      'DT_NONMEM_SYNTAX',
      e.pos,
      'code',
      `${what}: the compartment must be a number 1..${nCmt}${nCmt ? ` or a $MODEL name (${nmCmts.join(', ')})` : ''}`,
    );
    return null;
  };
  const indexOf = (e: Expr, what: string, n: number, symbols: Map<string, number>): number | null => {
    const c = constValue(e);
    if (c !== null && Number.isInteger(c) && c >= 1 && c <= n) return c;
    if (e.k === 'ref' && symbols.has(e.name)) return symbols.get(e.name)!;
    const rec = what === 'THETA' ? '$THETA' : what === 'ETA' ? '$OMEGA' : '$SIGMA';
    error(
      'DT_NONMEM_UNDEFINED',
      e.pos,
      'code',
      c !== null ? `${what}(${c}) does not exist: ${rec} defines ${n}` : `${what}(…) needs a number 1..${n}`,
    );
    return null;
  };
  const resolve = (e: Expr, sec: Section): Expr => {
    switch (e.k) {
      case 'num':
        return e;
      case 'ref': {
        if (e.name === 'ICALL') return num(2, e.pos);
        if (sec === 'DES' && e.name === 'T') return ref('t', e.pos);
        if (e.name === 'TIME' && sec === 'ERROR') return ref('t', e.pos);
        return ref(renamed(e.name), e.pos);
      }
      case 'neg':
      case 'not':
        return { ...e, a: resolve(e.a, sec) };
      case 'bin':
        return { ...e, a: resolve(e.a, sec), b: resolve(e.b, sec) };
      case 'call': {
        if (e.fn === e.fn.toLowerCase()) return { ...e, args: e.args.map((a) => resolve(a, sec)) };
        const arg = e.args[0];
        const one = (): boolean => {
          if (e.args.length !== 1) {
            error('DT_NONMEM_SYNTAX', e.pos, 'code', `${e.fn}(…) takes one index`);
            return false;
          }
          return true;
        };
        switch (e.fn) {
          case 'THETA': {
            if (!one()) return num(0, e.pos);
            const k = indexOf(arg, 'THETA', thetas.length, thetaSymbol);
            return k ? ref(`THETA${k}`, e.pos) : num(0, e.pos);
          }
          case 'ETA': {
            if (!one()) return num(0, e.pos);
            const k = indexOf(arg, 'ETA', nEta, etaSymbol);
            return k ? ref(`ETA${k}`, e.pos) : num(0, e.pos);
          }
          case 'EPS':
          case 'ERR': {
            if (!one()) return num(0, e.pos);
            if (sec !== 'ERROR') {
              error(
                'DT_NONMEM_UNSUPPORTED',
                e.pos,
                '$' + sec,
                `${e.fn}(…) in $${sec}: residual random effects belong in $ERROR`,
              );
              return num(0, e.pos);
            }
            const k = indexOf(arg, 'EPS', nEps, epsSymbol);
            return k ? ref(epsName(k), e.pos) : num(0, e.pos);
          }
          case 'A': {
            if (!one()) return num(0, e.pos);
            if (sec === 'PK') {
              error(
                'DT_NONMEM_SYNTAX',
                e.pos,
                '$PK',
                'A(n) (compartment amounts) cannot be read in $PK',
                'use A_0(n) = … to set initial amounts',
              );
              return num(0, e.pos);
            }
            const k = cmtIndexOf(arg, 'A(…)');
            return k ? ref(irCmts[k - 1], e.pos) : num(0, e.pos);
          }
        }
        // Unknown array or function: reported only if the model needs it (it may sit in code
        // that only feeds $TABLE).
        return ref(`@?${e.fn}`, e.pos);
      }
    }
  };

  // ---- statements ----
  /** Assignments to reserved PK variables: prop → cmt → count, and whether all are simple. */
  const propAssigns = new Map<
    string,
    { prop: string; cmt: number; name: string; count: number; nested: boolean; pos: Pos }
  >();
  const referenced = new Set<string>();
  for (const sec of ['PK', 'DES', 'ERROR'] as const)
    visitNm(code[sec], (st) => {
      const add = (e: Expr): void => {
        refsOf(e, referenced);
      };
      if (st.k === 'assign') add(st.expr);
      else if (st.k === 'if') st.branches.forEach((b) => add(b.cond));
      else if (st.k === 'do') add(st.cond);
    });
  const reservedProp = (name: string): { prop: string; cmt: number } | null => {
    const m = /^(ALAG|F|R|D|S)(\d+)$/.exec(name);
    if (!m) return null;
    const n = Number(m[2]);
    if (n >= 1 && n <= nCmt) return { prop: m[1], cmt: n };
    return null;
  };
  let exitWarned = false;
  const toIr = (list: NmStmt[], sec: Section, depth: number): Stmt[] => {
    const out: Stmt[] = [];
    for (const st of list) {
      switch (st.k) {
        case 'assign': {
          const s = assignToIr(st, sec, depth);
          if (s) out.push(s);
          break;
        }
        case 'if': {
          const branches: { cond: Expr; body: Stmt[] }[] = [];
          let otherwise: Stmt[] | null = null;
          let decided = false;
          for (const b of st.branches) {
            const cond = resolve(b.cond, sec);
            const c = constValue(cond);
            if (c === 0) continue;
            if (c !== null) {
              otherwise = toIr(b.body, sec, depth + (branches.length ? 1 : 0));
              decided = true;
              break;
            }
            branches.push({ cond, body: toIr(b.body, sec, depth + 1) });
          }
          if (!decided && st.otherwise)
            otherwise = toIr(st.otherwise, sec, depth + (branches.length ? 1 : 0));
          if (!branches.length) out.push(...(otherwise ?? []));
          else
            out.push({
              k: 'if',
              branches,
              otherwise: otherwise && otherwise.length ? otherwise : null,
              pos: st.pos,
            });
          break;
        }
        case 'do':
          if (constValue(resolve(st.cond, sec)) === 0) break;
          error('DT_NONMEM_UNSUPPORTED', st.pos, '$' + sec, 'DO WHILE loops are not supported');
          break;
        case 'other':
          if (st.what === 'EXIT') {
            if (!exitWarned)
              warn(
                st.pos,
                '$' + sec,
                `'${st.text}' is ignored: dosetwin reports parameter values outside their domain itself`,
              );
            exitWarned = true;
          } else if (st.what === 'WRITE') warn(st.pos, '$' + sec, `'${st.text}' (output) is ignored`);
          else if (st.what === 'RETURN')
            error(
              'DT_NONMEM_UNSUPPORTED',
              st.pos,
              '$' + sec,
              'RETURN is not supported',
              'write the rest of the block inside IF … ENDIF',
            );
          else
            error(
              'DT_NONMEM_UNSUPPORTED',
              st.pos,
              '$' + sec,
              `${st.text}: calls to Fortran routines are not supported`,
            );
          break;
      }
    }
    return out;
  };
  const assignToIr = (st: Extract<NmStmt, { k: 'assign' }>, sec: Section, depth: number): Stmt | null => {
    const expr = resolve(st.expr, sec);
    const pos = st.pos;
    if (st.index) {
      if (st.name === 'A_0' && sec === 'PK') {
        const c = cmtIndexOf(st.index, 'A_0(…)');
        if (!c) return null;
        const key = `A_0|${c}`;
        const prev = propAssigns.get(key);
        propAssigns.set(key, {
          prop: 'A_0',
          cmt: c,
          name: `A_0_${c}`,
          count: (prev?.count ?? 0) + 1,
          nested: (prev?.nested ?? false) || depth > 0,
          pos,
        });
        return { k: 'assign', name: `A_0_${c}`, expr, pos };
      }
      if (st.name === 'DADT' && sec === 'DES') {
        const c = cmtIndexOf(st.index, 'DADT(…)');
        return c ? { k: 'ddt', cmt: irCmts[c - 1], expr, pos } : null;
      }
      if (['MTIME', 'MTDIFF', 'MNEXT', 'MPAST'].includes(st.name))
        error('DT_NONMEM_UNSUPPORTED', pos, '$' + sec, `${st.name}(…) (model event times) is not supported`);
      else if (st.name === 'DADT')
        error('DT_NONMEM_SYNTAX', pos, '$' + sec, 'DADT(n) can only be set in $DES');
      else if (st.name === 'A_0') error('DT_NONMEM_SYNTAX', pos, '$' + sec, 'A_0(n) can only be set in $PK');
      else error('DT_NONMEM_UNSUPPORTED', pos, '$' + sec, `${st.name}(…) = …: arrays are not supported`);
      return null;
    }
    const name = renamed(st.name);
    if (name === 'CALLFL') {
      const v = constValue(expr);
      if (v !== -2)
        warn(
          pos,
          '$' + sec,
          `CALLFL = ${v ?? '…'} is ignored: dosetwin evaluates $PK at every record whose covariates change (as CALLFL = -2)`,
        );
      return null;
    }
    if (sec === 'PK' && /^(F0|FO|S0|SO|XSCALE|TSCALE|ALAG0)$/.test(name)) {
      error('DT_NONMEM_UNSUPPORTED', pos, '$PK', `${name} (output compartment) is not supported`);
      return null;
    }
    if (sec === 'PK' && /^(MTIME|MTDIFF|MNEXT|MPAST)$/.test(name)) {
      error('DT_NONMEM_UNSUPPORTED', pos, '$PK', `${name} (model event times) is not supported`);
      return null;
    }
    if (dataItem.has(name) || name === 'DV') {
      error('DT_NONMEM_UNSUPPORTED', pos, '$' + sec, `assigning the data item ${name} is not supported`);
      return null;
    }
    if (sec === 'PK') {
      const rp = reservedProp(name);
      if (rp) {
        const key = `${rp.prop}|${rp.cmt}`;
        const prev = propAssigns.get(key);
        propAssigns.set(key, {
          prop: rp.prop,
          cmt: rp.cmt,
          name,
          count: (prev?.count ?? 0) + 1,
          nested: (prev?.nested ?? false) || depth > 0,
          pos,
        });
      }
    }
    return { k: 'assign', name, expr, pos };
  };

  const pk: Stmt[] = toIr(code.PK, 'PK', 0);
  const des: Stmt[] = toIr(code.DES, 'DES', 0);
  let err: Stmt[] = toIr(code.ERROR, 'ERROR', 0);
  if (issues.length) fail();

  // Data items that the code reassigns: the data value is copied first.
  for (const s of shadowed) {
    pk.unshift({ k: 'assign', name: s.variable, expr: ref(s.item, s.pos), pos: s.pos });
    warn(
      s.pos,
      '$PK',
      `the data item ${s.item} is assigned in the code; the model reads its data value into ${s.variable} first`,
    );
  }

  // ---- dose modifiers: ALAGn, Fn, Rn, Dn, A_0(n) → lag/bioav/rate/duration/init ----
  const pkReads = new Set<string>();
  forEachExpr([...pk, ...des, ...err], (e) => refsOf(e, pkReads));
  const propStmts: Stmt[] = [];
  for (const a of propAssigns.values()) {
    if (a.prop === 'S') continue;
    const prop: CmtProperty = a.prop === 'A_0' ? 'init' : PROP_OF[a.prop];
    const cmt = irCmts[a.cmt - 1];
    // A single top-level assignment nobody reads becomes the modifier itself.
    if (a.count === 1 && !a.nested && !pkReads.has(a.name)) {
      const i = pk.findIndex((s) => s.k === 'assign' && s.name === a.name);
      const s = pk[i] as Extract<Stmt, { k: 'assign' }>;
      pk[i] = { k: 'cmtprop', prop, cmt, expr: s.expr, pos: s.pos };
    } else propStmts.push({ k: 'cmtprop', prop, cmt, expr: ref(a.name, a.pos), pos: a.pos });
  }
  pk.push(...propStmts);

  // ---- structure ----
  const assignedIr = new Set<string>();
  forEachAssign([...pk, ...des, ...err], (st) => assignedIr.add(st.name));
  const helper: Stmt[] = [];
  const taken = new Set<string>([...assignedIr, ...dataItem.keys()]);
  const fresh = (base: string): string => {
    let n = base;
    while (taken.has(n)) n += '_';
    taken.add(n);
    return n;
  };
  let pkStructure: PkStructure | null = null;
  const subrPos = subr?.pos ?? origin;
  if (closed) {
    const needed = closed.trans[trans];
    const missing = needed.filter((n) => !assignedIr.has(n));
    if (missing.length)
      error(
        'DT_NONMEM_PK',
        sectionPos.PK,
        '$PK',
        `ADVAN${advan} TRANS${trans} needs ${needed.join(', ')} in $PK; ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not assigned`,
      );
    else pkStructure = closedStructure(closed, advan, trans, subrPos);
  } else if (GENERAL_LINEAR.has(advan)) des.push(...linearRates());

  function closedStructure(spec: ClosedSpec, adv: number, tr: number, pos: Pos): PkStructure {
    const r = (n: string): Expr => ref(n, pos);
    const b = (op: '+' | '-' | '*' | '/', x: Expr, y: Expr): Expr => ({ k: 'bin', op, a: x, b: y, pos });
    const args: Record<string, Expr> = {};
    const depotShift = spec.depot ? 1 : 0;
    if (spec.depot) args.ka = r('KA');
    // Central volume for micro-constant parameterisations: the central scale if it is a plain
    // variable (S2 = V), else 1 (amounts do not depend on it).
    const volume = (): Expr => {
      const sName = `S${centralNo}`;
      let found: Expr | null = null;
      let count = 0;
      forEachAssign(pk, (st, depth) => {
        if (st.name === sName) {
          count++;
          if (depth === 0 && st.expr.k === 'ref') found = st.expr;
        }
      });
      return count === 1 && found ? ref((found as Expr & { name: string }).name, pos) : num(1, pos);
    };
    const micro = (k: Expr, peri: { kout: Expr; kin: Expr }[]): void => {
      const vc = volume();
      const times = (x: Expr): Expr => (vc.k === 'num' && vc.v === 1 ? x : b('*', x, vc));
      const vName = spec.structure === 'one_cmt' ? 'v' : 'v1';
      args.cl = times(k);
      args[vName] = vc;
      const qn = spec.structure === 'two_cmt' ? ['q'] : ['q2', 'q3'];
      const vn = ['v2', 'v3'];
      peri.forEach((p, i) => {
        args[qn[i]] = times(p.kout);
        args[vn[i]] = b('/', times(p.kout), p.kin);
      });
    };
    const c = (i: number): string => String(i + depotShift);
    const hv = (name: string, expr: Expr): Expr => {
      const n = fresh(name);
      helper.push({ k: 'assign', name: n, expr, pos });
      return r(n);
    };
    if (tr === 2) {
      args.cl = r('CL');
      args.v = r('V');
    } else if (tr === 4) {
      const names = CLOSED[adv].trans[4];
      if (spec.structure === 'two_cmt') {
        [args.cl, args.v1, args.q, args.v2] = names.slice(0, 4).map(r);
      } else {
        [args.cl, args.v1, args.q2, args.v2, args.q3, args.v3] = names.slice(0, 6).map(r);
      }
    } else if (tr === 3) {
      args.cl = r('CL');
      args.v1 = r('V');
      args.q = r('Q');
      args.v2 = b('-', r('VSS'), r('V'));
    } else if (tr === 1) {
      if (spec.structure === 'one_cmt') micro(r('K'), []);
      else if (spec.structure === 'two_cmt')
        micro(r('K'), [{ kout: r(`K${c(1)}${c(2)}`), kin: r(`K${c(2)}${c(1)}`) }]);
      else
        micro(r('K'), [
          { kout: r(`K${c(1)}${c(2)}`), kin: r(`K${c(2)}${c(1)}`) },
          { kout: r(`K${c(1)}${c(3)}`), kin: r(`K${c(3)}${c(1)}`) },
        ]);
    } else if (tr === 5) {
      // K21 = (AOB·β + α)/(AOB + 1), K = αβ/K21, K12 = α + β − K21 − K
      const k21 = hv(
        `K${c(2)}${c(1)}`,
        b('/', b('+', b('*', r('AOB'), r('BETA')), r('ALPHA')), b('+', r('AOB'), num(1, pos))),
      );
      const k = hv('K', b('/', b('*', r('ALPHA'), r('BETA')), k21));
      const k12 = hv(`K${c(1)}${c(2)}`, b('-', b('-', b('+', r('ALPHA'), r('BETA')), k21), k));
      micro(k, [{ kout: k12, kin: k21 }]);
    } else if (tr === 6 && spec.structure === 'two_cmt') {
      const k21 = r(`K${c(2)}${c(1)}`);
      const k = hv('K', b('/', b('*', r('ALPHA'), r('BETA')), k21));
      const k12 = hv(`K${c(1)}${c(2)}`, b('-', b('-', b('+', r('ALPHA'), r('BETA')), k21), k));
      micro(k, [{ kout: k12, kin: k21 }]);
    } else {
      // Three compartments, TRANS6 (α, β, γ, K21, K31).
      const [A, B, G] = [r('ALPHA'), r('BETA'), r('GAMMA')];
      const k21 = r(`K${c(2)}${c(1)}`);
      const k31 = r(`K${c(3)}${c(1)}`);
      const k = hv('K', b('/', b('*', b('*', A, B), G), b('*', k21, k31)));
      const sumPairs = b('+', b('+', b('*', A, B), b('*', A, G)), b('*', B, G));
      const k13 = hv(
        `K${c(1)}${c(3)}`,
        b(
          '/',
          b('-', b('+', sumPairs, b('*', k31, b('-', b('-', b('-', k31, A), B), G))), b('*', k, k21)),
          b('-', k21, k31),
        ),
      );
      const k12 = hv(
        `K${c(1)}${c(2)}`,
        b('-', b('+', b('+', A, B), G), b('+', b('+', b('+', k, k13), k21), k31)),
      );
      micro(k, [
        { kout: k12, kin: k21 },
        { kout: k13, kin: k31 },
      ]);
    }
    const order = ['cl', 'v', 'v1', 'q', 'q2', 'v2', 'q3', 'v3', 'ka'];
    const sorted = Object.fromEntries(order.filter((k) => k in args).map((k) => [k, args[k]]));
    return { name: spec.structure, args: sorted, transit: 0, pos };
  }

  /** ADVAN5/7: dA_i/dt from the rate constants Kij (i → j; j = 0 or n+1 is the output). */
  function linearRates(): Stmt[] {
    const pos = sectionPos.PK;
    const rates: { from: number; to: number; name: string }[] = [];
    for (const n of assignedIr) {
      const m = /^K(\d)(\d)$/.exec(n) ?? /^K(\d+)T(\d+)$/.exec(n);
      if (!m) continue;
      const from = Number(m[1]);
      let to = Number(m[2]);
      if (to === nCmt + 1) to = 0;
      if (from >= 1 && from <= nCmt && to >= 0 && to <= nCmt && from !== to)
        rates.push({ from, to, name: n });
    }
    if (!rates.length)
      error('DT_NONMEM_PK', pos, '$PK', `ADVAN${advan} needs rate constants Kij in $PK (e.g. K12, K20)`);
    return irCmts.map((c, i) => {
      const n = i + 1;
      let e: Expr | null = null;
      const add = (x: Expr, sign: '+' | '-'): void => {
        e =
          e === null ? (sign === '+' ? x : { k: 'neg', a: x, pos }) : { k: 'bin', op: sign, a: e, b: x, pos };
      };
      for (const r of rates) {
        if (r.to === n)
          add({ k: 'bin', op: '*', a: ref(r.name, pos), b: ref(irCmts[r.from - 1], pos), pos }, '+');
        if (r.from === n) add({ k: 'bin', op: '*', a: ref(r.name, pos), b: ref(c, pos), pos }, '-');
      }
      return { k: 'ddt', cmt: c, expr: e ?? num(0, pos), pos } as Stmt;
    });
  }
  pk.push(...helper);
  if (issues.length) fail();

  // ---- F = A(CMT)/S(CMT) in $ERROR ----
  const scaleAssigned = (c: number): boolean => assignedIr.has(`S${c}`);
  const amountOver = (c: number, pos: Pos): Expr =>
    scaleAssigned(c)
      ? { k: 'bin', op: '/', a: ref(irCmts[c - 1], pos), b: ref(`S${c}`, pos), pos }
      : ref(irCmts[c - 1], pos);
  const ePos = sectionPos.ERROR;
  const fStmts: Stmt[] = [];
  if (nCmt && !assignedIr.has('F')) {
    fStmts.push({ k: 'assign', name: 'F', expr: amountOver(defaultObs, ePos), pos: ePos });
    const others = irCmts.map((_, i) => i + 1).filter((c) => c !== defaultObs);
    if (others.length)
      fStmts.push({
        k: 'if',
        branches: others.map((c) => ({
          cond: { k: 'bin', op: '==', a: ref('CMT', ePos), b: num(c, ePos), pos: ePos } as Expr,
          body: [{ k: 'assign', name: 'F', expr: amountOver(c, ePos), pos: ePos } as Stmt],
        })),
        otherwise: null,
        pos: ePos,
      });
  }
  err = [...fStmts, ...err];

  // ---- $ERROR: prediction at EPS = 0 and NONMEM's linearised residual variance ----
  if (!assignedIr.has('Y'))
    error('DT_NONMEM_ERROR', ePos, '$ERROR', '$ERROR does not set Y', 'write e.g. Y = IPRED + W*EPS(1)');
  if (issues.length) fail();
  const lin = linearise(err, 'Y', ePos, sigma.matrix, taken, file, issues);
  if (issues.length) fail();
  err = lin.stmts;
  if (!lin.variance)
    warn(
      ePos,
      '$ERROR',
      'Y does not depend on any EPS with a non-zero $SIGMA: the residual variance is 0 (simulation only; fitting needs a residual error)',
    );
  const variance = lin.variance ?? num(0, ePos);

  // ---- liveness: keep what the prediction, the variance and the dynamics need ----
  const roots = new Set<string>(['Y', ...refsOf(variance)]);
  if (pkStructure) Object.values(pkStructure.args).forEach((e) => refsOf(e, roots));
  /** Backward liveness: keep what `need` (the names read later) uses; an assignment kills its name. */
  const live = (list: Stmt[], need: Set<string>): Stmt[] => {
    const out: Stmt[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const st = list[i];
      if (st.k === 'assign') {
        if (!need.has(st.name)) continue;
        need.delete(st.name);
        refsOf(st.expr, need);
        out.push(st);
      } else if (st.k === 'ddt' || st.k === 'cmtprop') {
        refsOf(st.expr, need);
        out.push(st);
      } else {
        const after = new Set(need);
        const before = new Set<string>();
        let any = false;
        const branches = st.branches.map((b) => {
          const n = new Set(after);
          const body = live(b.body, n);
          if (body.length) any = true;
          n.forEach((x) => before.add(x));
          return { cond: b.cond, body };
        });
        let otherwise: Stmt[] | null = null;
        if (st.otherwise) {
          const n = new Set(after);
          otherwise = live(st.otherwise, n);
          if (otherwise.length) any = true;
          n.forEach((x) => before.add(x));
        } else after.forEach((x) => before.add(x));
        if (!any) continue;
        need.clear();
        before.forEach((x) => need.add(x));
        for (const br of branches) refsOf(br.cond, need);
        out.push({ ...st, branches, otherwise: otherwise && otherwise.length ? otherwise : null });
      }
    }
    return out.reverse();
  };
  const need = new Set(roots);
  err = live(err, need);
  const desLive = live(des, need);
  const pkLive = live(pk, need);
  const keptNames = new Set<string>();
  forEachAssign([...pkLive, ...desLive, ...err], (st) => keptNames.add(st.name));
  const droppedUser = [...assignedIr].filter((x) => !keptNames.has(x));
  if (droppedUser.length)
    warn(
      null,
      'code',
      `not needed for the prediction or the residual variance, so not translated: ${droppedUser.sort().join(', ')}`,
    );

  // ---- names: covariates from data items; everything else must be defined ----
  const all = [...pkLive, ...desLive, ...err];
  const assignedLive = new Set<string>();
  forEachAssign(all, (st) => assignedLive.add(st.name));
  const thetaNames = new Set(thetas.map((_, i) => `THETA${i + 1}`));
  const etaNames = new Set(Array.from({ length: nEta }, (_, i) => `ETA${i + 1}`));
  const sigmaNames = new Set(lin.sigmaUsed.map((s) => s.name));
  const covariates = new Map<string, CovariateDef>();
  const checkRefs = (list: Stmt[], sec: Section): void =>
    forEachExpr(list, (e) => {
      const visit = (x: Expr): void => {
        if (x.k === 'neg' || x.k === 'not') return visit(x.a);
        if (x.k === 'bin') {
          visit(x.a);
          visit(x.b);
          return;
        }
        if (x.k === 'call') {
          x.args.forEach(visit);
          return;
        }
        if (x.k !== 'ref') return;
        const n = x.name;
        if (n.startsWith('@?')) {
          const what = n.slice(2);
          error(
            'DT_NONMEM_UNSUPPORTED',
            x.pos,
            '$' + sec,
            UNSUPPORTED_NAMES.has(what)
              ? `${what}(…) is not supported`
              : `unknown function or array '${what}'`,
            what === 'PHI'
              ? "Beal's M3 likelihood (F_FLAG, PHI) is not translated: give censored records BLQ = 1 and their LLOQ in the data, dosetwin applies M3 itself"
              : UNSUPPORTED_NAMES.has(what)
                ? undefined
                : `functions: ${Object.keys(FUNCTIONS_NM).join(', ')}`,
          );
          return;
        }
        if (
          n === 't' ||
          assignedLive.has(n) ||
          thetaNames.has(n) ||
          etaNames.has(n) ||
          sigmaNames.has(n) ||
          irCmts.includes(n)
        )
          return;
        if (n === 'CMT') {
          if (sec !== 'ERROR')
            error(
              'DT_NONMEM_UNSUPPORTED',
              x.pos,
              '$' + sec,
              `CMT in $${sec} is not supported`,
              'CMT can be read in $ERROR (the observed compartment)',
            );
          return;
        }
        if (n === 'DV') {
          error(
            'DT_NONMEM_UNSUPPORTED',
            x.pos,
            '$' + sec,
            'the model reads DV: a prediction cannot depend on the observation',
          );
          return;
        }
        const item = dataItem.get(n);
        if (item) {
          if (!covariates.has(n))
            covariates.set(n, {
              name: n,
              unit: '-',
              valid: null,
              label: `data item ${n}${item.synonym && item.synonym !== n ? ` (= ${item.synonym})` : item.synonym ? ` (= ${item.label})` : ''} ($INPUT)`,
              handling: { kind: 'required' },
              pos: item.pos,
            });
          return;
        }
        if (items.some((it) => it.drop && it.label === n)) {
          error(
            'DT_NONMEM_UNDEFINED',
            x.pos,
            '$' + sec,
            `${n} is read by the code but dropped in $INPUT`,
            `remove =DROP from ${n} in $INPUT`,
          );
          return;
        }
        if (UNSUPPORTED_NAMES.has(n)) {
          error('DT_NONMEM_UNSUPPORTED', x.pos, '$' + sec, `${n} is not supported`);
          return;
        }
        if (n === 'T' && sec !== 'DES') {
          error(
            'DT_NONMEM_UNDEFINED',
            x.pos,
            '$' + sec,
            'T (integration time) exists only in $DES',
            'use TIME',
          );
          return;
        }
        error(
          'DT_NONMEM_UNDEFINED',
          x.pos,
          '$' + sec,
          `${n} is not defined: it is never assigned and is not a data item in $INPUT`,
          suggestName(n, [...assignedLive, ...dataItem.keys()]),
        );
      };
      visit(e);
    });
  checkRefs(pkLive, 'PK');
  checkRefs(desLive, 'DES');
  checkRefs(err, 'ERROR');
  for (const n of assignedLive)
    if (thetaNames.has(n) || etaNames.has(n) || /^SIGMA\d/.test(n))
      error(
        'DT_NONMEM_SYNTAX',
        origin,
        'code',
        `the variable ${n} clashes with dosetwin's name for the NONMEM parameter`,
        'rename the variable',
      );
  if (nCmt && !closed) {
    // NONMEM takes an unset DADT(n) as 0 (the compartment keeps its amount; doses accumulate): so
    // does dosetwin, with a warning, since it is more often a slip than a choice.
    const have = new Set<string>();
    forEachStmt(desLive, (st) => st.k === 'ddt' && have.add(st.cmt));
    for (const [i, c] of irCmts.entries())
      if (!have.has(c)) {
        const pos = GENERAL_LINEAR.has(advan) ? sectionPos.PK : sectionPos.DES;
        warnings.push({
          code: 'DT_NONMEM_DADT_UNSET',
          severity: 'warning',
          field: '$DES',
          message: `DADT(${i + 1}) (${nmCmts[i]}) is not set: taken as 0, as NONMEM does (the amount only changes by doses)`,
          hint: `write DADT(${i + 1}) = … if the compartment has inflow or outflow`,
          file,
          line: pos.line,
          column: pos.column,
        });
        desLive.push({ k: 'ddt', cmt: c, expr: { k: 'num', v: 0, pos }, pos });
      }
  }
  if (issues.length) fail();

  // ---- variables set only under some conditions ----
  const sections: Stmt[][] = [pkLive, desLive, err];
  const sectionOf = new Map<string, number>();
  sections.forEach((list, si) =>
    forEachAssign(list, (st) => {
      if (!sectionOf.has(st.name)) sectionOf.set(st.name, si);
    }),
  );
  const defaults: Stmt[][] = [[], [], []];
  const maybe = maybeAssigned([
    ...pkLive,
    ...desLive,
    ...err,
    { k: 'assign', name: '@variance', expr: variance, pos: ePos },
    { k: 'assign', name: '@output', expr: ref('Y', ePos), pos: ePos },
  ]);
  // NONMEM keeps a variable's value from the previous record when no branch sets it: variables of
  // abbreviated code live in the module NMPRD4, and "with a given data record, the value in NMPRD4
  // is the value computed with the previous data record" (NONMEM help, $ABBREVIATED, COMSAV); the
  // same help's $ABBR REPLACE example gives F1 = 1 before `IF (DOSN>1) F1 = …` for that reason.
  // At a subject's first record that value is the previous subject's (in the order NONMEM happens
  // to call PK) or 0 at the very first call: it is not defined by the model. Where the branches
  // depend on what varies from record to record (AMT, EVID, TIME…: the "time of last dose" idiom,
  // IF (AMT.GT.0) TDOS = TIME), the model depends on that memory, which dosetwin does not
  // reproduce: an error. Elsewhere (covariate categories) PREDPP's default for Fn, ALAGn, Rn, Dn
  // (1, 0, 0, 0), else 0, is set before the IF at every record, and said in a warning.
  const perRecord = new Set(
    ['AMT', 'EVID', 'MDV', 'RATE', 'SS', 'II', 'ADDL', 'TIME', 't'].filter(
      (n) => n === 't' || dataItem.has(n),
    ),
  );
  for (let changed = true; changed;) {
    changed = false;
    forEachAssign([...pkLive, ...desLive, ...err], (st) => {
      if (!perRecord.has(st.name) && [...refsOf(st.expr)].some((n) => perRecord.has(n))) {
        perRecord.add(st.name);
        changed = true;
      }
    });
  }
  const conditionsOf = (st: Stmt, into: Set<string>): void => {
    if (st.k !== 'if') return;
    st.branches.forEach((b) => {
      refsOf(b.cond, into);
      b.body.forEach((x) => conditionsOf(x, into));
    });
    st.otherwise?.forEach((x) => conditionsOf(x, into));
  };
  for (const [name, ifSt] of maybe) {
    const pos = ifSt.pos;
    const si = sectionOf.get(name) ?? 0;
    const sec = '$' + (['PK', 'DES', 'ERROR'] as const)[si];
    const conds = new Set<string>();
    conditionsOf(ifSt, conds);
    const memory = [...conds].filter((n) => perRecord.has(n));
    if (memory.length && !lin.generated.has(name)) {
      error(
        'DT_NONMEM_UNSUPPORTED',
        pos,
        sec,
        `${name} is set only under a condition on ${memory.map((n) => (n === 't' ? 'TIME' : n)).join(', ')} (IF at line ${pos.line}); on other records NONMEM keeps its value from an earlier record, which dosetwin does not reproduce`,
        'give the value on every record (a data item, e.g. time after dose), or set it in an ELSE branch',
      );
      continue;
    }
    const rp = reservedProp(name);
    const v = name.startsWith('A_0_') ? 0 : rp ? PROP_DEFAULT[rp.prop] : 0;
    defaults[si].push({ k: 'assign', name, expr: num(v, pos), pos });
    if (!lin.generated.has(name))
      warnings.push({
        code: 'DT_NONMEM_CONDITIONAL',
        severity: 'warning',
        field: sec,
        message: `${name} is set only under some conditions (IF at line ${pos.line}); where none holds, NONMEM keeps its value from the previous record, or from the previous subject (0 at first): dosetwin uses ${v} there, also when a covariate leaves the condition between records of one subject`,
        hint: 'set it in an ELSE branch to make the intent explicit',
        file,
        line: pos.line,
        column: pos.column,
      });
  }
  if (issues.length) fail();
  const statements: Stmt[] = [...defaults[0], ...pkLive, ...defaults[1], ...desLive, ...defaults[2], ...err];

  // ---- parameters, etas ----
  const parameters: ParameterDef[] = thetas.map((t, i) => {
    const label = t.comment ?? t.symbol ?? '';
    const unit = /\[([^\]\s]+)\]/.exec(label)?.[1] ?? '?';
    return {
      name: `THETA${i + 1}`,
      value: t.value,
      unit,
      // A label is one string in the model file, whose reader collapses runs of spaces.
      label: label.replace(/"/g, "'").replace(/\s+/g, ' '),
      source: `$THETA ${t.text}${t.symbol ? ` (${t.symbol})` : ''}`,
      pos: t.pos,
    };
  });
  for (const s of lin.sigmaUsed)
    parameters.push({
      name: s.name,
      value: sigma.matrix[s.k - 1][s.l - 1],
      unit: '?',
      label:
        s.k === s.l
          ? `variance of EPS(${s.k})${sigma.comments[s.k - 1] ? ': ' + sigma.comments[s.k - 1]!.replace(/\s+/g, ' ') : ''}`
          : `covariance of EPS(${s.k}) and EPS(${s.l})`,
      source: `$SIGMA${sigma.fixed[s.k - 1] ? ' FIX' : ''}`,
      pos: sigma.blockPos[sigma.block[s.k - 1]] ?? origin,
    });
  const etas: EtaDef[] = omega.matrix.map((_, i) => ({
    name: `ETA${i + 1}`,
    iov: false,
    pos: omega.blockPos[omega.block[i]] ?? origin,
  }));

  // ---- description ----
  const base = file.replace(/^.*[\\/]/, '');
  const noteList = warnings.filter((w) => w.field !== 'records').map((w) => w.message);
  const description = [
    problem ? problem.replace(/\s+/g, ' ') + '.' : '',
    `Translated from the NONMEM control stream ${base} (${subr ? recordText(subr) : 'no $SUBROUTINES'}).`,
    reported.length ? `Not run: ${reported.map((r) => `$${r.record} ${r.text}`.trim()).join('; ')}.` : '',
    omega.comments.some(Boolean)
      ? `Etas: ${omega.comments
          .map((c, i) => (c ? `ETA${i + 1} ${c}` : ''))
          .filter(Boolean)
          .join('; ')}.`
      : '',
    noteList.length ? `Notes: ${noteList.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const unitsFound = options.units ?? unitsFromComments(source);
  if (!unitsFound)
    warn(
      null,
      'units',
      'NONMEM control streams do not state units: dose, time and concentration units are unknown (?)',
      "pass them (dosetwin convert --units 'dose mg | time h | conc mg/L') or add a comment '; units dose mg | time h | conc mg/L'",
    );

  const ir: ModelIR = {
    id: options.id ?? `nonmem/${base.replace(/\.[^.]*$/, '') || 'model'}`,
    version: '',
    drug: '',
    citation: null,
    units: unitsFound ?? { dose: '?', time: '?', conc: '?' },
    measured: '',
    population: '',
    description,
    covariates: [...covariates.values()].sort(
      (a, b) =>
        items.findIndex((it) => it.label === a.name || it.synonym === a.name) -
        items.findIndex((it) => it.label === b.name || it.synonym === b.name),
    ),
    parameters,
    etas,
    omega: omega.matrix,
    compartments: irCmts,
    pk: pkStructure,
    statements,
    errors: [
      {
        output: 'Y',
        kind: 'variance',
        variance,
        addSd: 0,
        propSd: 0,
        sum: 'variance',
        ifZero: null,
        cmts: !closed && irCmts[defaultObs - 1] !== 'central' && nCmt > 1 ? [defaultObs] : [],
        pos: ePos,
      },
    ],
    targets: [],
    verified: [],
    file,
    // What a population fit may move: $THETA bounds (±1e6 is NONMEM's infinity) and FIX, $SIGMA
    // variances kept ≥ 0, $OMEGA FIX per eta.
    estimation: {
      parameters: [
        ...thetas.map((t, i) => ({
          name: `THETA${i + 1}`,
          low: t.low <= -1e6 ? -Infinity : t.low,
          up: t.up >= 1e6 ? Infinity : t.up,
          fixed: t.fixed,
        })),
        ...lin.sigmaUsed.map((q) => ({
          name: q.name,
          low: q.k === q.l ? 0 : -Infinity,
          up: Infinity,
          fixed: sigma.fixed[q.k - 1] || sigma.fixed[q.l - 1],
          sigma: true,
        })),
      ],
      omegaFixed: omega.matrix.map((_, i) => omega.fixed[i]),
    },
  };
  const data: NonmemDataSpec = {
    controlFile: file,
    file: dataFile,
    items,
    ignoreChar,
    conditions,
    records: recordsLimit,
    defaultDoseCmt: defaultDose,
    defaultObsCmt: defaultObs,
  };
  setDatasetReader(ir, (text, dataFileName) => readNonmemDataset(text, ir, data, dataFileName));
  return { ir, data, warnings, problem, reported };
}

const FUNCTIONS_NM = {
  EXP: 1,
  LOG: 1,
  LOG10: 1,
  SQRT: 1,
  ABS: 1,
  SIN: 1,
  COS: 1,
  TAN: 1,
  ASIN: 1,
  ACOS: 1,
  ATAN: 1,
  INT: 1,
  MOD: 1,
  MIN: 1,
  MAX: 1,
};

function forEachStmt(list: readonly Stmt[], f: (st: Stmt) => void): void {
  for (const st of list) {
    f(st);
    if (st.k === 'if') {
      st.branches.forEach((b) => forEachStmt(b.body, f));
      if (st.otherwise) forEachStmt(st.otherwise, f);
    }
  }
}

/**
 * Variables read where they are assigned only in some branches of an earlier IF (and never
 * unconditionally before): name → that IF.
 */
type IfStmt = Extract<Stmt, { k: 'if' }>;

function maybeAssigned(list: Stmt[]): Map<string, IfStmt> {
  const found = new Map<string, IfStmt>();
  const walk = (stmts: Stmt[], defined: Set<string>, maybe: Map<string, IfStmt>): void => {
    const read = (e: Expr): void => {
      for (const n of refsOf(e))
        if (!defined.has(n) && maybe.has(n) && !found.has(n)) found.set(n, maybe.get(n)!);
    };
    for (const st of stmts) {
      if (st.k === 'assign') {
        read(st.expr);
        defined.add(st.name);
        maybe.delete(st.name);
      } else if (st.k === 'ddt' || st.k === 'cmtprop') read(st.expr);
      else {
        const outs: Set<string>[] = [];
        for (const b of st.branches) {
          read(b.cond);
          const d = new Set(defined);
          walk(b.body, d, new Map(maybe));
          outs.push(d);
        }
        if (st.otherwise) {
          const d = new Set(defined);
          walk(st.otherwise, d, new Map(maybe));
          outs.push(d);
        }
        const union = new Set<string>();
        outs.forEach((o) => o.forEach((x) => union.add(x)));
        for (const x of union) {
          if (defined.has(x)) continue;
          if (st.otherwise && outs.every((o) => o.has(x))) defined.add(x);
          else if (!maybe.has(x)) maybe.set(x, st);
        }
      }
    }
  };
  walk(list, new Set(), new Map());
  return found;
}

/** `; units dose mg | time h | conc mg/L` anywhere in the control stream's comments. */
function unitsFromComments(source: string): Units | null {
  const m = /;.*\bunits\s+dose\s+(\S+)\s*\|\s*time\s+(\S+)\s*\|\s*conc\s+(\S+)/i.exec(source);
  return m ? { dose: m[1], time: m[2], conc: m[3] } : null;
}

function suggestName(name: string, candidates: string[]): string | undefined {
  const hit = candidates.find((c) => editDistance(c, name) <= 1 && c !== name);
  return hit ? `did you mean ${hit}?` : undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** `$DATA file [options]`: the file name, the record selection, and what is not supported. */
function parseDataRecord(
  text: string,
  _pos: Pos,
): {
  file: string | null;
  ignoreChar: string | null;
  conditions: DataCondition[];
  records: number | null;
  errors: { message: string; hint?: string }[];
  warnings: string[];
} {
  const errors: { message: string; hint?: string }[] = [];
  const warnings: string[] = [];
  const conditions: DataCondition[] = [];
  let ignoreChar: string | null = null;
  let records: number | null = null;
  let s = text.trim();
  let file: string | null = null;
  const q = /^(['"])(.*?)\1/.exec(s);
  if (q) {
    file = q[2];
    s = s.slice(q[0].length);
  } else {
    const m = /^(\S+)/.exec(s);
    if (m && !/^(IGNORE|ACCEPT|NULL|RECORDS|WIDE|NOWIDE|CHECKOUT)\b/i.test(m[1])) {
      file = m[1];
      s = s.slice(m[0].length);
    }
  }
  const condRe =
    /^([A-Za-z_][A-Za-z0-9_]*)\s*(\.(?:EQN|NEN|EQ|NE|GT|GE|LT|LE)\.|==|\/=|>=|<=|>|<|=)\s*(.+)$/i;
  const OPMAP: Record<string, string> = {
    '.EQ.': '==',
    '==': '==',
    '=': '==',
    '.NE.': '!=',
    '/=': '!=',
    '.EQN.': '==N',
    '.NEN.': '!=N',
    '.GT.': '>',
    '>': '>',
    '.GE.': '>=',
    '>=': '>=',
    '.LT.': '<',
    '<': '<',
    '.LE.': '<=',
    '<=': '<=',
  };
  while ((s = s.trim())) {
    let m = /^(IGNORE|ACCEPT)\s*=?\s*\(([^)]*)\)/i.exec(s);
    if (m) {
      const accept = m[1].toUpperCase() === 'ACCEPT';
      for (const part of m[2].split(',')) {
        const c = condRe.exec(part.trim());
        if (!c) {
          errors.push({
            message: `cannot read the condition '${part.trim()}' in ${m[1].toUpperCase()}=(…)`,
            hint: 'write LABEL.OP.VALUE, e.g. ID.EQ.3, DV.GT.0',
          });
          continue;
        }
        conditions.push({
          accept,
          label: c[1].toUpperCase(),
          op: OPMAP[c[2].toUpperCase()],
          value: c[3].trim().replace(/^(['"])(.*)\1$/, '$2'),
          pos: _pos,
        });
      }
      s = s.slice(m[0].length);
      continue;
    }
    m = /^IGNORE\s*=\s*(?:(['"])(.)\1|(\S))/i.exec(s);
    if (m) {
      ignoreChar = m[2] ?? m[3];
      s = s.slice(m[0].length);
      continue;
    }
    m = /^RECORDS\s*=\s*(\S+)/i.exec(s);
    if (m) {
      if (/^\d+$/.test(m[1])) records = Number(m[1]);
      else errors.push({ message: `RECORDS=${m[1]} is not supported` });
      s = s.slice(m[0].length);
      continue;
    }
    m = /^(NULL|LRECL|LAST20|MISDAT)\s*=\s*\S+/i.exec(s);
    if (m) {
      if (/^(NULL|MISDAT)$/i.test(m[1]))
        warnings.push(`${m[0]} is ignored: null fields are read as 0 (DV as missing)`);
      s = s.slice(m[0].length);
      continue;
    }
    m = /^(WIDE|NOWIDE|CHECKOUT|CHECKDATA|NOREWIND|REWIND|BLANKOK|NOOPEN|PRED_IGNORE_DATA)\b/i.exec(s);
    if (m) {
      s = s.slice(m[0].length);
      continue;
    }
    m = /^(TRANSLATE|REPL)\s*=\s*(\([^)]*\)|\S+)/i.exec(s);
    if (m) {
      errors.push({ message: `${m[1].toUpperCase()}= in $DATA is not supported` });
      s = s.slice(m[0].length);
      continue;
    }
    if (s.startsWith('(')) {
      errors.push({
        message: 'a Fortran format in $DATA is not supported',
        hint: 'use a comma- or blank-separated file',
      });
      break;
    }
    errors.push({ message: `unknown $DATA option '${s.split(/\s+/)[0]}'` });
    break;
  }
  return { file, ignoreChar, conditions, records, errors, warnings };
}
