/**
 * An entry form's errors and acknowledgement. The service holds an unusual entry (a dose outside
 * the usual range, a level that looks like another unit…) with DT_ACK_REQUIRED and the warnings it
 * found; the form shows them with a checkbox, and once it is ticked the next submission
 * acknowledges their codes (`acknowledge: [...]`), which the service records with the entry.
 */
import { useCallback, useState } from 'react';
import { ApiError } from '../lib/api.ts';

/** The codes of the warnings a refused entry waits to have acknowledged, else none. */
export function pendingCodes(error: unknown): string[] {
  if (!(error instanceof ApiError) || !error.issues.some((i) => i.code === 'DT_ACK_REQUIRED')) return [];
  return [...new Set(error.issues.filter((i) => i.code !== 'DT_ACK_REQUIRED').map((i) => i.code))];
}

/** The acknowledgement a form shows: the codes, whether confirmed, and its setter. */
export interface Acknowledgement {
  codes: string[];
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function useEntryErrors(): {
  error: unknown;
  /** The `acknowledge` field of the next submission: the pending codes once confirmed, else nothing. */
  acknowledge: () => { acknowledge?: string[] };
  fail: (e: unknown) => void;
  clear: () => void;
  ack: Acknowledgement | null;
} {
  const [error, setError] = useState<unknown>(null);
  const [confirmed, setConfirmed] = useState(false);
  const pending = pendingCodes(error);
  // Stable, so that effects may clear the form's errors.
  const fail = useCallback((e: unknown) => {
    setError(e);
    setConfirmed(false);
  }, []);
  const clear = useCallback(() => fail(null), [fail]);
  return {
    error,
    acknowledge: () => (confirmed && pending.length ? { acknowledge: pending } : {}),
    fail,
    clear,
    ack: pending.length ? { codes: pending, checked: confirmed, onChange: setConfirmed } : null,
  };
}
