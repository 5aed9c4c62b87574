/**
 * The `verified` block, read as data so the library sweep can re-check it:
 *
 *     verified
 *       status       verified                       # verified | partial | unconfirmed
 *       check        CL = 4.10 L/h +- 0.005 at AGE 35 y, WT 70 kg, SCR 0.83 mg/dL | Colin 2019 abstract | 2026-11-23
 *       source       PKPDsim pk_vanco_colin.json5: thetas, Ω, residual error | 2026-11-23
 *       unconfirmed  Ω and residual error: one secondary source only
 *       note         free text
 *
 * A `check` names a variable of the model's equations, its expected value for the listed patient
 * (etas 0) and the tolerance, then where the value comes from and when it was checked.
 */
export type VerificationStatus = 'verified' | 'partial' | 'unconfirmed';

export interface VerificationCheck {
  variable: string;
  value: number;
  unit: string;
  tolerance: number;
  /** The patient: covariate (or derivation input) → value with its unit ('-' = unitless). */
  at: { name: string; value: number; unit: string }[];
  source: string;
  date: string;
  text: string;
}

export interface Verification {
  status: VerificationStatus | null;
  checks: VerificationCheck[];
  sources: { text: string; date: string }[];
  unconfirmed: string[];
  notes: string[];
  /** Lines that follow none of the forms above. */
  problems: string[];
}

const NUM = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const CHECK_RE = new RegExp(
  String.raw`^check\s+([A-Za-z_]\w*)\s*=\s*(${NUM})\s+(\S+)\s*(?:\+-|±)\s*(${NUM})(?:\s+at\s+(.*?))?\s*\|\s*(.*?)\s*\|\s*(\d{4}-\d{2}-\d{2})$`,
);
const AT_RE = new RegExp(String.raw`^([A-Za-z_]\w*)\s+(${NUM})(?:\s+(\S+))?$`);

export function parseVerified(lines: readonly string[]): Verification {
  const v: Verification = { status: null, checks: [], sources: [], unconfirmed: [], notes: [], problems: [] };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const [kw] = line.split(/\s+/, 1);
    const rest = line.slice(kw.length).trim();
    if (kw === 'status') {
      if (rest === 'verified' || rest === 'partial' || rest === 'unconfirmed') v.status = rest;
      else v.problems.push(`status must be verified, partial or unconfirmed: '${line}'`);
    } else if (kw === 'check') {
      const m = CHECK_RE.exec(line);
      // A model without covariates has one typical patient: its checks carry no 'at' list.
      const at = m && (m[5] === undefined ? [] : m[5].split(',').map((a) => AT_RE.exec(a.trim())));
      if (!m || !at || at.some((a) => !a)) {
        v.problems.push(
          `check: 'check NAME = value unit +- tol [at COV value unit, ...] | source | YYYY-MM-DD': '${line}'`,
        );
        continue;
      }
      v.checks.push({
        variable: m[1],
        value: Number(m[2]),
        unit: m[3],
        tolerance: Number(m[4]),
        at: at.map((a) => ({ name: a![1], value: Number(a![2]), unit: a![3] ?? '-' })),
        source: m[6],
        date: m[7],
        text: line,
      });
    } else if (kw === 'source') {
      const m = /^(.*?)\s*\|\s*(\d{4}-\d{2}-\d{2})$/.exec(rest);
      if (m) v.sources.push({ text: m[1], date: m[2] });
      else v.problems.push(`source: 'source what was read | YYYY-MM-DD': '${line}'`);
    } else if (kw === 'unconfirmed') v.unconfirmed.push(rest);
    else if (kw === 'note') v.notes.push(rest);
    else v.problems.push(`unknown verified line (status, check, source, unconfirmed, note): '${line}'`);
  }
  return v;
}
