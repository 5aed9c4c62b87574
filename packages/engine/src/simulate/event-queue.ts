/** Kinds of scheduled (non-record) events. */
export const BOLUS = 1;
export const INFUSION_START = 2;
export const INFUSION_STOP = 3;
/**
 * An administration that enters after its record's time (a lag, an ADDL dose): its amount, rate
 * and duration are computed when it enters, from the parameters then in effect. `value` = AMT,
 * `duration` = index of the dose record.
 */
export const DOSE = 4;

/**
 * Min-heap of pending events (implied ADDL doses, lagged doses, infusion ends), ordered by time
 * then by scheduling order so equal-time events keep a deterministic order. Typed arrays, grown
 * by doubling and reused across patients, so steady-state simulation allocates nothing.
 */
export class EventQueue {
  size = 0;
  private seqNext = 0;
  time = new Float64Array(64);
  private seq = new Float64Array(64);
  kind = new Int8Array(64);
  cmt = new Int32Array(64);
  /** Bolus amount, or infusion rate. */
  value = new Float64Array(64);
  /** Infusion duration (INFUSION_START only). */
  duration = new Float64Array(64);

  clear(): void {
    this.size = 0;
    this.seqNext = 0;
  }

  push(time: number, kind: number, cmt: number, value: number, duration: number): void {
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    const sq = this.seqNext++;
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.time[p] < time || (this.time[p] === time && this.seq[p] < sq)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = time;
    this.seq[i] = sq;
    this.kind[i] = kind;
    this.cmt[i] = cmt;
    this.value[i] = value;
    this.duration[i] = duration;
  }

  /** Remove the top event; its fields are copied to `top*` first. */
  topTime = 0;
  topKind = 0;
  topCmt = 0;
  topValue = 0;
  topDuration = 0;
  pop(): void {
    this.topTime = this.time[0];
    this.topKind = this.kind[0];
    this.topCmt = this.cmt[0];
    this.topValue = this.value[0];
    this.topDuration = this.duration[0];
    const last = --this.size;
    if (last === 0) return;
    const t = this.time[last];
    const sq = this.seq[last];
    const k = this.kind[last];
    const c = this.cmt[last];
    const v = this.value[last];
    const d = this.duration[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      let m = l;
      if (
        r < last &&
        (this.time[r] < this.time[l] || (this.time[r] === this.time[l] && this.seq[r] < this.seq[l]))
      )
        m = r;
      if (t < this.time[m] || (t === this.time[m] && sq < this.seq[m])) break;
      this.move(m, i);
      i = m;
    }
    this.time[i] = t;
    this.seq[i] = sq;
    this.kind[i] = k;
    this.cmt[i] = c;
    this.value[i] = v;
    this.duration[i] = d;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.seq[to] = this.seq[from];
    this.kind[to] = this.kind[from];
    this.cmt[to] = this.cmt[from];
    this.value[to] = this.value[from];
    this.duration[to] = this.duration[from];
  }

  private grow(): void {
    const n = this.time.length * 2;
    const g = <T extends Float64Array | Int8Array | Int32Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.time = g(this.time, Float64Array);
    this.seq = g(this.seq, Float64Array);
    this.kind = g(this.kind, Int8Array);
    this.cmt = g(this.cmt, Int32Array);
    this.value = g(this.value, Float64Array);
    this.duration = g(this.duration, Float64Array);
  }
}
