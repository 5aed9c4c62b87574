// The issue catalogue against the sources: every DT_ code raised (or compared against) in any
// package is catalogued, every catalogued code is still raised, each entry's `raisedIn` is the
// packages that raise it, and every entry has its texts in English and French.
//
// How the sources are read: every .ts/.tsx file of packages/*/src and of packages/models (the
// model folders, scripts), tests, test support and node_modules excluded, is parsed with the
// TypeScript compiler, and only string literals count (comments and documentation do not):
// - a literal that is a whole code (`'DT_DATA'`) raises it, unless it is compared (`===`, `!==`,
//   `case`, `.includes(…)`, `.has(…)`, `issueInfo(…)`) or is a type: then it is a mention, which
//   must be catalogued but does not count as raising; `.startsWith('DT_…')` is a prefix filter
//   and is ignored;
// - a code written at the head of a message and followed by a colon (`'DT_APPEND_ONLY: …'`, as
//   the database triggers raise it) raises it;
// - a literal that ends in `_` (`'DT_NONMEM_' + kind`) or a template whose head is a code prefix
//   (`` `DT_NONMEM_${kind}` ``) raises a family: the catalogue must have the family entry
//   `DT_NONMEM_*`, which covers every code with that prefix; a template that builds the whole code
//   (`` `DT_${x}` ``) cannot be catalogued and fails.
// - an object key that is a code (`{ DT_REQUEST: 400 }`, the service's status map) is a mention.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  ISSUE_AREAS,
  ISSUE_CATALOGUE,
  ISSUE_PACKAGES,
  issueInfo,
  type IssueEntry,
} from './issue-catalogue.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** One DT_ code (or family prefix, ending in `_`) written in a source file. */
interface Occurrence {
  code: string;
  family: boolean;
  /** `raise`: the code is raised here; `mention`: compared against, a type, a map key. */
  kind: 'raise' | 'mention';
  file: string;
  line: number;
}

const CODE = /^DT_[A-Z0-9_]*[A-Z0-9]$/;
const PREFIX = /^DT_(?:[A-Z0-9]+_)*$/;
const MENTION_CALLS = new Set(['includes', 'has', 'indexOf', 'issueInfo']);

/** How a string literal is used: `filter` (a prefix filter, ignored), `mention` or `raise`. */
function usage(n: ts.Node): 'raise' | 'mention' | 'filter' {
  const p = n.parent;
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    const eq = [
      ts.SyntaxKind.EqualsEqualsEqualsToken,
      ts.SyntaxKind.ExclamationEqualsEqualsToken,
      ts.SyntaxKind.EqualsEqualsToken,
      ts.SyntaxKind.ExclamationEqualsToken,
    ];
    return eq.includes(op) ? 'mention' : 'raise';
  }
  if (ts.isCaseClause(p) || ts.isLiteralTypeNode(p)) return 'mention';
  if (ts.isCallExpression(p) && p.arguments.some((a) => a === n)) {
    const c = p.expression;
    const name = ts.isPropertyAccessExpression(c) ? c.name.text : ts.isIdentifier(c) ? c.text : '';
    if (name === 'startsWith') return 'filter';
    if (MENTION_CALLS.has(name)) return 'mention';
  }
  return 'raise';
}

/** The DT_ codes and families a source file writes, with how each is used. */
function scanSource(text: string, file: string): Occurrence[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const out: Occurrence[] = [];
  const add = (n: ts.Node, code: string, family: boolean, k: 'raise' | 'mention' | 'filter'): void => {
    if (k === 'filter') return;
    const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    out.push({ code, family, kind: k, file, line });
  };
  // 'DT_APPEND_ONLY: % is append-only': a code heading a message.
  const headed = (n: ts.Node, s: string): void => {
    for (const m of s.matchAll(/\bDT_[A-Z0-9_]*[A-Z0-9](?=:)/g)) add(n, m[0], false, 'raise');
  };
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
      if (CODE.test(n.text)) add(n, n.text, false, usage(n));
      else if (PREFIX.test(n.text)) add(n, n.text, true, usage(n));
      else headed(n, n.text);
    } else if (ts.isTemplateExpression(n)) {
      if (PREFIX.test(n.head.text)) add(n, n.head.text, true, 'raise');
      else headed(n, n.head.text);
      for (const s of n.templateSpans) headed(s.literal, s.literal.text);
    } else if (
      ts.isIdentifier(n) &&
      CODE.test(n.text) &&
      (ts.isPropertyAssignment(n.parent) || ts.isPropertySignature(n.parent)) &&
      n.parent.name === n
    ) {
      add(n, n.text, false, 'mention');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The source files scanned, relative to the repository (`packages/engine/src/units.ts`). */
function sourceFiles(): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (
        /\.tsx?$/.test(name) &&
        !/\.test\.tsx?$/.test(name) &&
        name !== 'test-support.ts' &&
        name !== 'issue-catalogue.ts'
      )
        out.add(relative(ROOT, p).split(sep).join('/'));
    }
  };
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const src = join(ROOT, 'packages', pkg, 'src');
    if (statSync(src, { throwIfNoEntry: false })?.isDirectory()) walk(src);
  }
  walk(join(ROOT, 'packages', 'models'));
  return [...out].sort();
}

/** Every problem between a catalogue and the occurrences found, one sentence each. */
function problems(catalogue: readonly IssueEntry[], found: readonly Occurrence[]): string[] {
  const out: string[] = [];
  const where = (os: Occurrence[]): string => {
    const first = os.slice(0, 3).map((o) => `${o.file}:${o.line}`);
    return first.join(', ') + (os.length > 3 ? `, … (${os.length} places)` : '');
  };
  const group = (pred: (o: Occurrence) => boolean): Map<string, Occurrence[]> => {
    const m = new Map<string, Occurrence[]>();
    for (const o of found.filter(pred)) m.set(o.code, [...(m.get(o.code) ?? []), o]);
    return m;
  };
  const codes = group((o) => !o.family);
  const raised = group((o) => !o.family && o.kind === 'raise');
  const families = group((o) => o.family && o.kind === 'raise');
  const entries = new Map(catalogue.map((e) => [e.code as string, e]));
  const familyEntries = catalogue.filter((e) => e.code.endsWith('_*'));
  const packagesOf = (os: Occurrence[]): string[] => [...new Set(os.map((o) => o.file.split('/')[1]))].sort();

  for (const e of catalogue.filter((x, i) => catalogue.findIndex((y) => y.code === x.code) !== i))
    out.push(`${e.code} is catalogued twice`);
  for (const [prefix, os] of families) {
    if (prefix === 'DT_')
      out.push(`a code is built whole from a template and cannot be catalogued (${where(os)})`);
    else if (!entries.has(`${prefix}*`))
      out.push(
        `codes are built from the template prefix ${prefix} but the catalogue has no family entry ${prefix}* (${where(os)})`,
      );
  }
  for (const [code, os] of codes) {
    if (entries.has(code) || familyEntries.some((f) => code.startsWith(f.code.slice(0, -1)))) continue;
    out.push(
      raised.has(code)
        ? `${code} is raised but not catalogued (${where(raised.get(code)!)})`
        : `${code} is compared against but neither catalogued nor raised anywhere (${where(os)})`,
    );
  }
  for (const e of catalogue) {
    const family = e.code.endsWith('_*');
    const os = family ? families.get(e.code.slice(0, -1)) : raised.get(e.code);
    if (!os) {
      out.push(
        family
          ? `${e.code} is catalogued as a family but no template builds a code with its prefix`
          : `${e.code} is catalogued but no longer raised anywhere`,
      );
      continue;
    }
    const pkgs = packagesOf(os);
    if (pkgs.join(',') !== [...e.raisedIn].sort().join(','))
      out.push(`${e.code}: raisedIn is ${e.raisedIn.join(', ')}; it is raised in ${pkgs.join(', ')}`);
  }
  return out;
}

const fake = (code: IssueEntry['code'], raisedIn: IssueEntry['raisedIn'] = ['engine']): IssueEntry => ({
  code,
  severity: 'error',
  area: 'data',
  raisedIn,
  title: { en: 't', fr: 't' },
  meaning: { en: 'm', fr: 'm' },
  action: { en: 'a', fr: 'a' },
});

describe('the issue scanner', () => {
  const scan = (src: string) =>
    scanSource(src, 'packages/engine/src/x.ts').map((o) => `${o.kind}${o.family ? ' family' : ''} ${o.code}`);

  test('a code raised in a literal is found; comments, messages and comparisons are not raises', () => {
    const src = [
      '// DT_IN_A_COMMENT',
      '/** @throws DT_IN_A_DOC */',
      "fail('DT_RAISED', 'field', 'mentions DT_IN_A_MESSAGE, e.g. DT_EXAMPLE');",
      "const i = { code: 'DT_IN_AN_OBJECT', severity: 'warning' };",
      "if (e.code === 'DT_COMPARED' || x.code !== 'DT_COMPARED_TOO') skip();",
      "switch (c) { case 'DT_CASE': break; }",
      "type C = 'DT_TYPE';",
      "issues.some((i) => i.code.startsWith('DT_SAMPLE'));",
      'const STATUS = { DT_KEY: 400 };',
      "const q = cond ? 'DT_LEFT' : 'DT_RIGHT';",
    ].join('\n');
    assert.deepEqual(scan(src), [
      'raise DT_RAISED',
      'raise DT_IN_AN_OBJECT',
      'mention DT_COMPARED',
      'mention DT_COMPARED_TOO',
      'mention DT_CASE',
      'mention DT_TYPE',
      'mention DT_KEY',
      'raise DT_LEFT',
      'raise DT_RIGHT',
    ]);
  });

  test('a code heading a message (database triggers) and template families are found', () => {
    const src = [
      "sql`BEGIN RAISE EXCEPTION 'DT_TRIGGER: % is append-only'; END`;",
      'const m = `DT_TEMPLATED: ${t} is append-only`;',
      'const a = `DT_NONMEM_${kind}`;',
      "const b = 'DT_ML_' + kind;",
      'const c = `DT_${anything}`;',
      "const d = 'stable code, e.g. DT_NOT_A_RAISE';",
    ].join('\n');
    assert.deepEqual(scan(src), [
      'raise DT_TRIGGER',
      'raise DT_TEMPLATED',
      'raise family DT_NONMEM_',
      'raise family DT_ML_',
      'raise family DT_',
    ]);
  });

  test('.tsx files are read', () => {
    const found = scanSource("const x = <div title={'DT_X'} />;", 'packages/web/src/x.tsx');
    assert.deepEqual(
      found.map((o) => o.code),
      ['DT_X'],
    );
  });
});

describe('the comparison of the catalogue with the sources', () => {
  const at = (code: string, file = 'packages/engine/src/a.ts', kind: Occurrence['kind'] = 'raise') => ({
    code,
    family: code.endsWith('_'),
    kind,
    file,
    line: 7,
  });

  test('a code raised but not catalogued is named with its place; so is one only compared against', () => {
    assert.deepEqual(
      problems([fake('DT_A')], [at('DT_A'), at('DT_NEW'), at('DT_GONE', undefined, 'mention')]),
      [
        'DT_NEW is raised but not catalogued (packages/engine/src/a.ts:7)',
        'DT_GONE is compared against but neither catalogued nor raised anywhere (packages/engine/src/a.ts:7)',
      ],
    );
  });

  test('a catalogued code no longer raised is named; a mention alone does not keep it', () => {
    assert.deepEqual(
      problems([fake('DT_A'), fake('DT_OLD')], [at('DT_A'), at('DT_OLD', undefined, 'mention')]),
      ['DT_OLD is catalogued but no longer raised anywhere'],
    );
  });

  test('raisedIn must be the packages that raise the code', () => {
    assert.deepEqual(
      problems([fake('DT_A', ['engine'])], [at('DT_A'), at('DT_A', 'packages/server/src/b.ts')]),
      ['DT_A: raisedIn is engine; it is raised in engine, server'],
    );
    assert.deepEqual(
      problems([fake('DT_A', ['server', 'engine'])], [at('DT_A'), at('DT_A', 'packages/server/src/b.ts')]),
      [],
    );
  });

  test('a template family needs its family entry, which covers its written-out members; and the reverse', () => {
    assert.deepEqual(problems([], [at('DT_NONMEM_')]), [
      'codes are built from the template prefix DT_NONMEM_ but the catalogue has no family entry DT_NONMEM_* (packages/engine/src/a.ts:7)',
    ]);
    assert.deepEqual(problems([fake('DT_NONMEM_*')], [at('DT_NONMEM_'), at('DT_NONMEM_PK')]), []);
    assert.deepEqual(problems([fake('DT_NONMEM_*')], [at('DT_NONMEM_PK')]), [
      'DT_NONMEM_* is catalogued as a family but no template builds a code with its prefix',
    ]);
    assert.deepEqual(problems([], [at('DT_')]), [
      'a code is built whole from a template and cannot be catalogued (packages/engine/src/a.ts:7)',
    ]);
  });

  test('issueInfo finds a code, then its family, else null', () => {
    const cat = [fake('DT_A'), fake('DT_NONMEM_*')];
    assert.equal(issueInfo('DT_A', cat)?.code, 'DT_A');
    assert.equal(issueInfo('DT_NONMEM_THETA', cat)?.code, 'DT_NONMEM_*');
    assert.equal(issueInfo('DT_B', cat), null);
  });
});

describe('the issue catalogue', () => {
  const found = sourceFiles().flatMap((f) => scanSource(readFileSync(join(ROOT, f), 'utf8'), f));

  test('the sources of every package were read', () => {
    const pkgs = new Set(found.map((o) => o.file.split('/')[1]));
    assert.deepEqual([...pkgs].sort(), [...ISSUE_PACKAGES].sort());
    assert.ok(
      sourceFiles().some((f) => /^packages\/models\/[a-z-]+\/drug\.ts$/.test(f)),
      'the model folders',
    );
  });

  test('every code raised is catalogued, every catalogued code is raised, where the catalogue says', () => {
    const p = problems(ISSUE_CATALOGUE, found);
    assert.deepEqual(
      p,
      [],
      `the catalogue (packages/models/src/issue-catalogue.ts) is out of date:\n${p.join('\n')}`,
    );
  });

  test('every entry has its title, meaning and action in English and French, and a known severity and area', () => {
    const bad: string[] = [];
    for (const e of ISSUE_CATALOGUE) {
      if (!/^DT_[A-Z0-9_]*[A-Z0-9]$|^DT_(?:[A-Z0-9]+_)+\*$/.test(e.code)) bad.push(`${e.code}: code`);
      if (!['error', 'warning', 'both'].includes(e.severity)) bad.push(`${e.code}: severity ${e.severity}`);
      if (!ISSUE_AREAS.includes(e.area)) bad.push(`${e.code}: area ${e.area}`);
      if (!e.raisedIn.length || e.raisedIn.some((p) => !ISSUE_PACKAGES.includes(p)))
        bad.push(`${e.code}: raisedIn ${e.raisedIn.join(', ')}`);
      for (const k of ['title', 'meaning', 'action'] as const) {
        const t = e[k];
        if (!t.en?.trim()) bad.push(`${e.code}: ${k}.en is empty`);
        if (!t.fr?.trim()) bad.push(`${e.code}: ${k}.fr is empty`);
        if (t.en?.trim() && t.en.trim() === t.fr?.trim()) bad.push(`${e.code}: ${k}.fr is not translated`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('issueInfo gives the entry of a known code, null for another', () => {
    const e = issueInfo('DT_SAMPLE_BLQ')!;
    assert.equal(e.severity, 'warning');
    assert.equal(e.area, 'clinical policy');
    assert.match(e.title.fr, /LIQ/);
    assert.equal(issueInfo('DT_NO_SUCH_CODE'), null);
  });
});
