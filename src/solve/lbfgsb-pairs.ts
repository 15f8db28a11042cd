// The memory of L-BFGS-B (src/solve/lbfgsb.ts): the last m pairs (s_i, y_i), oldest
// first, with their Gram matrices SᵀY, SᵀS, YᵀY kept current as pairs come and go,
// so an iteration costs O(m·n) for them instead of O(m²·n); and a small dense inverse.

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Pairs with SY[i][j] = s_iᵀy_j, SS[i][j] = s_iᵀs_j, YY[i][j] = y_iᵀy_j. */
export class Pairs {
  readonly S: Float64Array[] = [];
  readonly Y: Float64Array[] = [];
  readonly SY: number[][] = [];
  readonly SS: number[][] = [];
  readonly YY: number[][] = [];

  constructor(readonly m: number) {}

  get length(): number {
    return this.S.length;
  }

  clear(): void {
    for (const a of [this.S, this.Y, this.SY, this.SS, this.YY]) a.length = 0;
  }

  /** Appends (s, y), dropping the oldest pair when m are kept: O(m·n). */
  push(s: Float64Array, y: Float64Array): void {
    const mats = [this.SY, this.SS, this.YY];
    if (this.S.length === this.m) {
      this.S.shift();
      this.Y.shift();
      for (const M of mats) {
        M.shift();
        for (const row of M) row.shift();
      }
    }
    this.S.push(s);
    this.Y.push(y);
    const k = this.S.length;
    for (const M of mats) M.push(new Array(k).fill(0));
    for (let j = 0; j < k; j++) {
      const sj = this.S[j], yj = this.Y[j];
      this.SY[k - 1][j] = dot(s, yj);
      this.SS[k - 1][j] = dot(s, sj);
      this.YY[k - 1][j] = dot(y, yj);
      if (j < k - 1) {
        this.SY[j].push(dot(sj, y));
        this.SS[j].push(this.SS[k - 1][j]);
        this.YY[j].push(this.YY[k - 1][j]);
      }
    }
  }
}

/** Inverse of the k×k row-major A by Gauss-Jordan with partial pivoting (null when singular). */
export function invert(A: Float64Array, k: number): Float64Array | null {
  const a = A.slice(), inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]) > Math.abs(a[p * k + c])) p = r;
    if (!(Math.abs(a[p * k + c]) > 0)) return null;
    for (const m of [a, inv]) for (let j = 0; j < k; j++) [m[c * k + j], m[p * k + j]] = [m[p * k + j], m[c * k + j]];
    const d = a[c * k + c];
    for (let j = 0; j < k; j++) {
      a[c * k + j] /= d;
      inv[c * k + j] /= d;
    }
    for (let r = 0; r < k; r++) {
      if (r === c || a[r * k + c] === 0) continue;
      const f = a[r * k + c];
      for (let j = 0; j < k; j++) {
        a[r * k + j] -= f * a[c * k + j];
        inv[r * k + j] -= f * inv[c * k + j];
      }
    }
  }
  return inv;
}
