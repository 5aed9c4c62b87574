import { toDateTimeLocal } from '../lib/time.ts';

/** Now, as the value of an `<input type="datetime-local">`. */
export const nowLocal = (): string => toDateTimeLocal(new Date().toISOString());
