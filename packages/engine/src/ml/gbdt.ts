/**
 * Gradient-boosted regression trees (Friedman 2001; the regularised objective of XGBoost, Chen &
 * Guestrin, KDD 2016), squared-error loss, exact greedy splits.
 *
 * Why our own and not a library: no maintained GBDT *trainer* on npm runs in both Node and the
 * browser without native code or WebAssembly blobs, and the engine must stay pure and isomorphic.
 * This one is deliberately small (≈ 200 lines): depth-limited trees grown level by level, exact
 * split enumeration over pre-sorted columns (XGBoost's `tree_method = 'exact'`), shrinkage, L2
 * leaf regularisation λ, minimum split gain γ, minimum child weight (hessian sum = row count for
 * squared error), seeded row and column subsampling. It reproduces XGBoost's predictions on a
 * fixture (gbdt.test.ts) to float32 precision.
 *
 * For squared error ½(ŷ − y)², gradient g = ŷ − y, hessian h = 1. A node with sums G, H has the
 * optimal weight −G/(H + λ) and the score G²/(H + λ); a split is taken when
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) exceeds max(γ, 1e-6) and both children have H ≥ min child
 * weight. A row goes left when x < threshold, the threshold being the midpoint of two consecutive
 * distinct values (as XGBoost does). Leaves store η·weight.
 */
import { fail } from '../errors.ts';
import { createRng } from '../simulate/rng.ts';
import { STREAM, streamSeed } from './seeds.ts';

export interface GbdtParams {
  /** Boosting rounds (trees). */
  nTrees: number;
  /** Maximum depth (root = depth 0; a depth-d tree has at most 2^d leaves). */
  maxDepth: number;
  /** Shrinkage η applied to each tree's leaf weights. */
  learningRate: number;
  /** L2 regularisation λ of the leaf weights. */
  lambda: number;
  /** Minimum loss reduction γ to make a split. */
  gamma: number;
  /** Minimum hessian sum (= rows, squared error) in each child. */
  minChildWeight: number;
  /** Fraction of rows drawn (Bernoulli, per tree) for each tree; 1 = all. */
  subsample: number;
  /** Fraction of columns drawn (without replacement, per tree) for each tree; 1 = all. */
  colsample: number;
  /** Seed of the subsampling streams (one stream per tree). */
  seed: number;
}

/** A trained ensemble, as flat arrays (one entry per node, trees concatenated). JSON-serialisable. */
export interface Gbdt {
  nFeatures: number;
  /** Start node of each tree. */
  roots: number[];
  /** Split feature, or −1 for a leaf. */
  feature: number[];
  /** Split threshold (x < threshold → left). */
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf value (already multiplied by the learning rate); 0 for internal nodes. */
  value: number[];
}

const RT_EPS = 1e-6;

export function checkGbdtParams(p: GbdtParams, field = 'gbdt'): void {
  const bad = (name: string, msg: string): never => fail('DT_ML_PARAMS', `${field}.${name}`, msg);
  if (!Number.isInteger(p.nTrees) || p.nTrees < 1)
    bad('nTrees', `nTrees ${p.nTrees} must be a whole number ≥ 1`);
  if (!Number.isInteger(p.maxDepth) || p.maxDepth < 1 || p.maxDepth > 16)
    bad('maxDepth', `maxDepth ${p.maxDepth} must be a whole number in 1..16`);
  if (!(p.learningRate > 0 && p.learningRate <= 1))
    bad('learningRate', `learningRate ${p.learningRate} must be in (0, 1]`);
  if (!(p.lambda >= 0)) bad('lambda', `lambda ${p.lambda} must be ≥ 0`);
  if (!(p.gamma >= 0)) bad('gamma', `gamma ${p.gamma} must be ≥ 0`);
  if (!(p.minChildWeight >= 0)) bad('minChildWeight', `minChildWeight ${p.minChildWeight} must be ≥ 0`);
  if (!(p.subsample > 0 && p.subsample <= 1)) bad('subsample', `subsample ${p.subsample} must be in (0, 1]`);
  if (!(p.colsample > 0 && p.colsample <= 1)) bad('colsample', `colsample ${p.colsample} must be in (0, 1]`);
  if (!Number.isInteger(p.seed)) bad('seed', `seed ${p.seed} must be an integer`);
}

/** Row indices of each column sorted by value (stable: ties keep row order). */
export function sortColumns(X: Float64Array, n: number, p: number): Int32Array[] {
  const cols: Int32Array[] = [];
  for (let f = 0; f < p; f++) {
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => X[a * p + f] - X[b * p + f] || a - b);
    cols.push(idx);
  }
  return cols;
}

/**
 * Train on rows X (row-major n×p) with targets y, starting from the base margin `base` (one value
 * per row). `onRound(t, pred)` (optional) sees the training predictions after each tree.
 * `evalSet`: rows whose margin is updated alongside, for validation curves (CV).
 */
export function trainGbdt(
  X: Float64Array,
  y: Float64Array,
  base: Float64Array,
  n: number,
  p: number,
  params: GbdtParams,
  evalSet?: {
    X: Float64Array;
    n: number;
    margin: Float64Array;
    onRound: (t: number, margin: Float64Array) => void;
  },
  sorted?: Int32Array[],
): Gbdt {
  checkGbdtParams(params);
  if (X.length !== n * p) fail('DT_ML_DATA', 'X', `X has ${X.length} values; expected ${n} × ${p}`);
  if (y.length !== n || base.length !== n) fail('DT_ML_DATA', 'y', `y and base must have ${n} values`);
  for (let i = 0; i < X.length; i++)
    if (!Number.isFinite(X[i]))
      fail('DT_ML_DATA', `X[${Math.floor(i / p)}][${i % p}]`, `feature value ${X[i]} is not finite`);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(y[i])) fail('DT_ML_DATA', `y[${i}]`, `target ${y[i]} is not finite`);
  const cols = sorted ?? sortColumns(X, n, p);
  const { maxDepth, lambda, minChildWeight, learningRate } = params;
  const minGain = Math.max(params.gamma, RT_EPS);
  const pred = Float64Array.from(base);
  const g = new Float64Array(n);
  const rowNode = new Int32Array(n);
  const maxNodes = 2 ** (maxDepth + 1);
  const G = new Float64Array(maxNodes);
  const H = new Float64Array(maxNodes);
  const GL = new Float64Array(maxNodes);
  const HL = new Float64Array(maxNodes);
  const last = new Float64Array(maxNodes);
  const bestGain = new Float64Array(maxNodes);
  const bestFeat = new Int32Array(maxNodes);
  const bestThr = new Float64Array(maxNodes);
  const nCols = Math.max(1, Math.round(p * params.colsample));
  const colOrder = new Int32Array(p);
  const model: Gbdt = { nFeatures: p, roots: [], feature: [], threshold: [], left: [], right: [], value: [] };

  for (let t = 0; t < params.nTrees; t++) {
    const rng = createRng(streamSeed(params.seed, STREAM.tree, t));
    for (let i = 0; i < n; i++) {
      g[i] = pred[i] - y[i];
      rowNode[i] = params.subsample < 1 && !(rng.uniform() < params.subsample) ? -1 : 0;
    }
    // Columns of this tree: a partial Fisher–Yates shuffle, then ascending order.
    for (let f = 0; f < p; f++) colOrder[f] = f;
    if (nCols < p)
      for (let k = 0; k < nCols; k++) {
        const j = k + Math.floor(rng.uniform() * (p - k));
        const tmp = colOrder[k];
        colOrder[k] = colOrder[j];
        colOrder[j] = tmp;
      }
    const useCols = Array.from(colOrder.subarray(0, nCols)).sort((a, b) => a - b);
    // Nodes of this tree, local numbering; level-wise growth.
    // tf: split feature; −2 = open (may still split), −1 = leaf.
    const tf: number[] = [-2];
    const tthr: number[] = [0];
    const tl: number[] = [-1];
    const tr: number[] = [-1];
    let level = [0];
    G[0] = 0;
    H[0] = 0;
    for (let i = 0; i < n; i++)
      if (rowNode[i] === 0) {
        G[0] += g[i];
        H[0] += 1;
      }
    for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
      for (const nd of level) {
        bestGain[nd] = -Infinity;
        bestFeat[nd] = -1;
      }
      for (const f of useCols) {
        for (const nd of level) {
          GL[nd] = 0;
          HL[nd] = 0;
          last[nd] = NaN;
        }
        const col = cols[f];
        for (let k = 0; k < n; k++) {
          const r = col[k];
          const nd = rowNode[r];
          if (nd < 0 || tf[nd] !== -2) continue;
          const v = X[r * p + f];
          if (HL[nd] > 0 && v !== last[nd]) {
            const hl = HL[nd];
            const hr = H[nd] - hl;
            if (hl >= minChildWeight && hr >= minChildWeight) {
              const gl = GL[nd];
              const gr = G[nd] - gl;
              const gain =
                (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - (G[nd] * G[nd]) / (H[nd] + lambda);
              if (gain > bestGain[nd]) {
                bestGain[nd] = gain;
                bestFeat[nd] = f;
                bestThr[nd] = (last[nd] + v) * 0.5;
              }
            }
          }
          GL[nd] += g[r];
          HL[nd] += 1;
          last[nd] = v;
        }
      }
      const next: number[] = [];
      for (const nd of level) {
        if (bestFeat[nd] >= 0 && bestGain[nd] > minGain) {
          const a = tf.length;
          tf.push(-2, -2);
          tthr.push(0, 0);
          tl.push(-1, -1);
          tr.push(-1, -1);
          tf[nd] = bestFeat[nd];
          tthr[nd] = bestThr[nd];
          tl[nd] = a;
          tr[nd] = a + 1;
          G[a] = G[a + 1] = H[a] = H[a + 1] = 0;
          next.push(a, a + 1);
        } else tf[nd] = -1;
      }
      for (let i = 0; i < n; i++) {
        const nd = rowNode[i];
        if (nd < 0 || tf[nd] < 0) continue;
        const c = X[i * p + tf[nd]] < tthr[nd] ? tl[nd] : tr[nd];
        rowNode[i] = c;
        G[c] += g[i];
        H[c] += 1;
      }
      level = next;
    }
    for (const nd of level) tf[nd] = -1;
    const offset = model.feature.length;
    model.roots.push(offset);
    for (let k = 0; k < tf.length; k++) {
      const leaf = tf[k] < 0;
      model.feature.push(leaf ? -1 : tf[k]);
      model.threshold.push(leaf ? 0 : tthr[k]);
      model.left.push(leaf ? -1 : offset + tl[k]);
      model.right.push(leaf ? -1 : offset + tr[k]);
      model.value.push(leaf && H[k] + lambda > 0 ? (-G[k] / (H[k] + lambda)) * learningRate : 0);
    }
    // A row skipped by subsampling still gets its tree's prediction.
    for (let i = 0; i < n; i++) pred[i] += predictTree(model, offset, X, i * p);
    if (evalSet) {
      const m = evalSet.margin;
      for (let i = 0; i < evalSet.n; i++) m[i] += predictTree(model, offset, evalSet.X, i * p);
      evalSet.onRound(t, m);
    }
  }
  return model;
}

/** Value of tree `root` for the row starting at `at` in X. */
export function predictTree(m: Gbdt, root: number, X: ArrayLike<number>, at: number): number {
  let k = root;
  while (m.feature[k] >= 0) k = X[at + m.feature[k]] < m.threshold[k] ? m.left[k] : m.right[k];
  return m.value[k];
}

/** Sum of all trees for one row (the caller adds the base margin). Trees in order: bit-reproducible. */
export function predictGbdt(m: Gbdt, x: ArrayLike<number>, at = 0): number {
  let s = 0;
  for (const r of m.roots) s += predictTree(m, r, x, at);
  return s;
}
