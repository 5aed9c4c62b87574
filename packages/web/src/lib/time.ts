/** Clinical date-times in the browser's zone, written as ISO 8601 with the zone's offset. */

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

/** `2026-11-12T08:00+01:00` for a local Date (seconds only when not zero). */
export function toLocalIso(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const sec = d.getSeconds() ? `:${pad(d.getSeconds())}` : '';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}${sec}` +
    `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
  );
}

/** Value of an `<input type="datetime-local">` (local wall time) → ISO with offset; null when empty or invalid. */
export function fromDateTimeLocal(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  return Number.isFinite(d.getTime()) ? toLocalIso(d) : null;
}

/** ISO (any zone) → value for `<input type="datetime-local">` in the local zone. */
export function toDateTimeLocal(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Short local display: `12/11 08:00` (fr) or `12 Nov 08:00` (en). */
export function showDateTime(iso: string | number, lang: 'en' | 'fr'): string {
  const d = new Date(iso);
  return d.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', {
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Local display with the year: `12/11/2026 08:00` (fr) or `12 Nov 2026 08:00` (en). */
export function showDateTimeYear(iso: string | number, lang: 'en' | 'fr'): string {
  return new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', {
    day: '2-digit',
    month: lang === 'fr' ? '2-digit' : 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
