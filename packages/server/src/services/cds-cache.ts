/**
 * The CDS hooks' analyses kept by what they were computed from. An EHR calls order-select, then
 * order-sign for the same draft with the same record, and calls order-select again as the
 * prescriber edits the order: the drug-level analysis depends on its inputs alone (the record as
 * imported, the drug, the targets; its draws have a fixed seed), so the same inputs give the same
 * candidates, computed once. Keyed by the SHA-256 of the inputs' canonical JSON; past `entries`,
 * the least recently used goes first. A call for inputs being analysed waits for that analysis.
 * A refusal or failure is not kept: the next call analyses again.
 */
import { createHash } from 'node:crypto';
import type { AnalysisCandidate, DrugAnalysisInputs } from '@dosetwin/models';
import { canonical } from '../canonical.ts';

export class CdsAnalysisCache {
  /** Calls answered from the cache, and calls that analysed. */
  hits = 0;
  misses = 0;
  private readonly kept = new Map<string, Promise<AnalysisCandidate[]>>();

  constructor(readonly entries = 256) {}

  candidates(
    inputs: DrugAnalysisInputs,
    analyse: (inputs: DrugAnalysisInputs) => Promise<AnalysisCandidate[]>,
  ): Promise<AnalysisCandidate[]> {
    const key = createHash('sha256').update(canonical(inputs)).digest('hex');
    const known = this.kept.get(key);
    if (known) {
      this.hits++;
      // Most recently used last: the Map keeps insertion order.
      this.kept.delete(key);
      this.kept.set(key, known);
      return known;
    }
    this.misses++;
    const p = analyse(inputs);
    if (this.entries > 0) {
      this.kept.set(key, p);
      p.catch(() => {
        if (this.kept.get(key) === p) this.kept.delete(key);
      });
      while (this.kept.size > this.entries) this.kept.delete(this.kept.keys().next().value!);
    }
    return p;
  }

  clear(): void {
    this.kept.clear();
  }
}
