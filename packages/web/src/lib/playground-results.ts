/**
 * The class's results, kept without names: each student is a random pseudonym drawn once per
 * browser; a result (case, times drawn, dose, the true patient's exposure, score) is kept in the
 * browser's storage, where the instructor's view reads it, and can be downloaded as a small file
 * that the instructor imports on another machine. No server, no account: the playground works
 * offline and a workshop needs no sign-up; results from several machines meet by file.
 */
export const RESULT_FORMAT = 'dosetwin-result/1';

export interface PlayResult {
  format: typeof RESULT_FORMAT;
  who: string;
  caseId: string;
  timesH: number[];
  doseMg: number;
  /** The case's target (text) and the true patient's metric under the dose. */
  target: string;
  metric: number;
  score: number;
  at: string;
}

const KEY = 'dosetwin.playground.results';
const WHO = 'dosetwin.playground.who';

/** This browser's pseudonym (`S-3F9A`), drawn once. */
export function pseudonym(storage: Storage): string {
  const kept = storage.getItem(WHO);
  if (kept) return kept;
  const b = crypto.getRandomValues(new Uint8Array(2));
  const who = `S-${Array.from(b, (x) => x.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()}`;
  storage.setItem(WHO, who);
  return who;
}

const isResult = (x: unknown): x is PlayResult => {
  const r = x as PlayResult;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.format === RESULT_FORMAT &&
    typeof r.who === 'string' &&
    typeof r.caseId === 'string' &&
    Array.isArray(r.timesH) &&
    r.timesH.every((t) => typeof t === 'number') &&
    typeof r.doseMg === 'number' &&
    typeof r.target === 'string' &&
    typeof r.metric === 'number' &&
    typeof r.score === 'number' &&
    typeof r.at === 'string'
  );
};

const same = (a: PlayResult, b: PlayResult) => a.who === b.who && a.caseId === b.caseId && a.at === b.at;

export function loadResults(storage: Storage): PlayResult[] {
  try {
    const v: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter(isResult) : [];
  } catch {
    return [];
  }
}

/** Add results (each once), keep them, and return them all. */
export function addResults(storage: Storage, more: readonly PlayResult[]): PlayResult[] {
  const all = loadResults(storage);
  for (const r of more) if (!all.some((x) => same(x, r))) all.push(r);
  storage.setItem(KEY, JSON.stringify(all));
  return all;
}

export function clearResults(storage: Storage): void {
  storage.removeItem(KEY);
}

/** The results in a downloaded file (one result or a list); null when it holds none. */
export function readResultFile(text: string): PlayResult[] | null {
  try {
    const v: unknown = JSON.parse(text);
    const list = (Array.isArray(v) ? v : [v]).filter(isResult);
    return list.length ? list : null;
  } catch {
    return null;
  }
}

/** A text as a file the browser downloads (no network: a blob URL). */
export function downloadText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
