/**
 * The standard normal distribution where Beal's M3 likelihood needs it: ln Φ(z) and the inverse
 * Mills ratio φ(z)/Φ(z), accurate to full double precision far into the lower tail (an observation
 * far below its LLOQ must not turn the objective into −ln 0).
 *
 * erfc and the scaled erfcx(x) = exp(x²)·erfc(x) use W. J. Cody's rational Chebyshev approximations
 * ("Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–638), with
 * the coefficients of his netlib SPECFUN routine CALERF (1990), which reach ≥ 18 significant digits
 * in exact arithmetic on the three intervals [0, 0.46875], (0.46875, 4], (4, ∞).
 */

// Cody 1969 / CALERF: erf on |x| ≤ 0.46875.
const A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
// erfcx on 0.46875 < x ≤ 4.
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
// erfcx on x > 4 (asymptotic form).
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378,
  0.016315387137302097,
];
const Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918,
];
const SQRPI = 0.5641895835477563; // 1/√π
const SQRT1_2 = Math.SQRT1_2;
const LN_SQRT_2PI = 0.9189385332046728; // ln √(2π)

/** erf(x) for |x| ≤ 0.46875. */
function erfSmall(x: number): number {
  const y2 = x * x;
  let num = A[4] * y2;
  let den = y2;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * y2;
    den = (den + B[i]) * y2;
  }
  return (x * (num + A[3])) / (den + B[3]);
}

/** erfcx(x) = exp(x²)·erfc(x) for x > 0.46875. */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return (num + C[7]) / (den + D[7]);
  }
  if (y >= 6.71e7) return SQRPI / y;
  const z = 1 / (y * y);
  let num = P[5] * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * z;
    den = (den + Q[i]) * z;
  }
  return (SQRPI - (z * (num + P[4])) / (den + Q[4])) / y;
}

/** exp(x²)·erfc(x) for x ≥ 0 (finite and ≈ 1/(x√π) for large x, where erfc underflows). */
export function erfcx(x: number): number {
  if (x <= 0.46875) return Math.exp(x * x) * (1 - erfSmall(x));
  return erfcxLarge(x);
}

/** erfc(x) for any real x. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  let r: number;
  if (y <= 0.46875) return 1 - erfSmall(x);
  if (y >= 26.543) r = 0;
  else {
    // exp(−y²) split as exp(−ys²)·exp(−(y − ys)(y + ys)) with ys = y rounded to 1/16 (CALERF), so
    // the rounding of y² is not amplified.
    const ys = Math.trunc(y * 16) / 16;
    r = Math.exp(-ys * ys) * Math.exp(-(y - ys) * (y + ys)) * erfcxLarge(y);
  }
  return x < 0 ? 2 - r : r;
}

/** Φ(z), the standard normal distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * SQRT1_2);
}

/** ln Φ(z), without underflow in the lower tail (z down to −1e154). */
export function logNormalCdf(z: number): number {
  if (z < -1) {
    // Φ(z) = ½·exp(−z²/2)·erfcx(−z/√2)
    return Math.log(0.5 * erfcx(-z * SQRT1_2)) - 0.5 * z * z;
  }
  if (z < 0) return Math.log(0.5 * erfc(-z * SQRT1_2));
  return Math.log1p(-0.5 * erfc(z * SQRT1_2));
}

/** φ(z)/Φ(z), the inverse Mills ratio: d ln Φ(z)/dz. ≈ −z for z → −∞, → 0 for z → +∞. */
export function millsRatio(z: number): number {
  if (z < 0) return Math.sqrt(2 / Math.PI) / erfcx(-z * SQRT1_2);
  return Math.exp(-0.5 * z * z - LN_SQRT_2PI) / (1 - 0.5 * erfc(z * SQRT1_2));
}

/**
 * Φ⁻¹(p), the standard normal quantile: Acklam's rational approximation (relative error < 1.2e-9)
 * refined by one Halley step on Φ (Acklam 2003, "An algorithm for computing the inverse normal
 * cumulative distribution function"), which brings it to ~1e-15.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step: e = Φ(x) − p, u = e·√(2π)·exp(x²/2), x ← x − u/(1 + x·u/2).
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
