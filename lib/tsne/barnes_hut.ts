/**
 * Barnes-Hut t-SNE gradient for 2-D embeddings (van der Maaten 2014): the repulsive forces
 * Σⱼ wᵢⱼ² (yᵢ − yⱼ) and Z = Σ wᵢⱼ are approximated with a quadtree, the attractive forces use the
 * sparse P exactly.
 *
 * θ convention (the same as bhtsne/Rtsne): a cell of half-width h whose centre of mass lies at
 * distance r from yᵢ is summarized as one point of mass `count` when h / r < θ. θ = 0 never
 * summarizes, so the result is the exact gradient (up to the order of summation); the error
 * shrinks as θ → 0. scikit-learn compares the full width instead, so its `angle` 0.5 is our 0.25.
 *
 * Gradient: dyᵢ = 4 (α Σⱼ pᵢⱼ wᵢⱼ (yᵢ − yⱼ) − (1/Z) Σⱼ wᵢⱼ² (yᵢ − yⱼ)), shapes [N, 2].
 *
 * Coincident points: points closer than the depth limit allows to separate share one leaf; a
 * point in such a leaf sees the others as mass `count − 1` at distance 0 (w = 1, no force).
 *
 * @module
 */

import type { CsrMatrix } from "./affinity.ts";

/**
 * Default Barnes-Hut threshold (half-width over distance). Rtsne uses 0.5 with the same
 * convention; 0.2 costs about 1.3× as much at MNIST-10k and reaches a lower KL than
 * scikit-learn's default (its `angle=0.5` is our 0.25): see the benchmark in the README.
 */
export const DEFAULT_THETA = 0.2;
/** Depth at which cells stop splitting (coincident points share a leaf). */
export const MAX_TREE_DEPTH = 48;
const CHILDREN = 4;
const NO_CHILD = -1;
const INITIAL_NODES_PER_POINT = 3;
const GROWTH = 2;

/** A quadtree over the rows of a [N, 2] embedding, stored in flat arrays. */
export interface QuadTree {
  /** Number of nodes in use; node 0 is the root. */
  size: number;
  /** Cell centre, x. */
  cx: Float64Array;
  /** Cell centre, y. */
  cy: Float64Array;
  /** Cell half-width. */
  hw: Float64Array;
  /** Centre of mass, x (after the build). */
  mx: Float64Array;
  /** Centre of mass, y. */
  my: Float64Array;
  /** Points in the cell. */
  count: Int32Array;
  /** First of the 4 children (consecutive), or −1 for a leaf. */
  child: Int32Array;
  /** A point of a leaf (−1 when empty). */
  point: Int32Array;
  /** Depth of each node. */
  depth: Int32Array;
  /**
   * The points in Morton (Z-curve) order of their position: nearby points are consecutive, so
   * traversing in this order reuses the same tree nodes from the cache.
   */
  order: Int32Array;
}

function allocate(capacity: number): QuadTree {
  return {
    size: 0,
    cx: new Float64Array(capacity),
    cy: new Float64Array(capacity),
    hw: new Float64Array(capacity),
    mx: new Float64Array(capacity),
    my: new Float64Array(capacity),
    count: new Int32Array(capacity),
    child: new Int32Array(capacity),
    point: new Int32Array(capacity),
    depth: new Int32Array(capacity),
    order: new Int32Array(0),
  };
}

function grow(t: QuadTree): QuadTree {
  const g = allocate(t.cx.length * GROWTH);
  g.size = t.size;
  g.cx.set(t.cx);
  g.cy.set(t.cy);
  g.hw.set(t.hw);
  g.mx.set(t.mx);
  g.my.set(t.my);
  g.count.set(t.count);
  g.child.set(t.child);
  g.point.set(t.point);
  g.depth.set(t.depth);
  return g;
}

function addNode(t: QuadTree, cx: number, cy: number, hw: number, depth: number): number {
  const k = t.size++;
  t.cx[k] = cx;
  t.cy[k] = cy;
  t.hw[k] = hw;
  t.mx[k] = 0;
  t.my[k] = 0;
  t.count[k] = 0;
  t.child[k] = NO_CHILD;
  t.point[k] = -1;
  t.depth[k] = depth;
  return k;
}

function quadrant(t: QuadTree, node: number, x: number, y: number): number {
  return (x >= t.cx[node] ? 1 : 0) + (y >= t.cy[node] ? 2 : 0);
}

const box = new Float64Array(4);

/**
 * The bounding box of the row-major [N, 2] embedding `y`, written into `out` as
 * [min x, min y, max x, max y] (also returned); shared by the quadtree and the FFT grid.
 */
export function boundingBox(y: Float64Array, n: number, out: Float64Array): Float64Array {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[2 * i], b = y[2 * i + 1];
    if (a < minX) minX = a;
    if (a > maxX) maxX = a;
    if (b < minY) minY = b;
    if (b > maxY) maxY = b;
  }
  out[0] = minX;
  out[1] = minY;
  out[2] = maxX;
  out[3] = maxY;
  return out;
}

/**
 * Builds the quadtree of `y` (row-major [N, 2]). The root is the bounding square of the points.
 * Centres of mass are final when it returns. O(N log N) for spread-out points. `reuse`, a tree
 * returned by an earlier call, lends its storage (an optimizer rebuilds the tree every step);
 * it is overwritten.
 *
 * @example
 * ```ts
 * import { buildQuadTree } from "./barnes_hut.ts";
 * const t = buildQuadTree(new Float64Array([0, 0, 1, 0, 0, 1, 1, 1]), 4);
 * if (t.count[0] !== 4 || t.mx[0] !== 0.5 || t.my[0] !== 0.5) throw new Error();
 * ```
 */
export function buildQuadTree(y: Float64Array, n: number, reuse?: QuadTree): QuadTree {
  if (y.length !== 2 * n) {
    throw new RangeError(`buildQuadTree: y has ${y.length} entries, expected [${n}, 2]`);
  }
  const [minX, minY, maxX, maxY] = boundingBox(y, n, box);
  const capacity = Math.max(CHILDREN + 1, INITIAL_NODES_PER_POINT * n);
  let t = reuse && reuse.cx.length >= capacity ? reuse : allocate(capacity);
  t.size = 0;
  const half = Math.max(maxX - minX, maxY - minY) / 2;
  // A tiny margin keeps the largest coordinates inside the half-open cells.
  addNode(t, (minX + maxX) / 2, (minY + maxY) / 2, half * (1 + 1e-9) + Number.MIN_VALUE, 0);
  // Inserting in Morton order lays the nodes out roughly depth-first in space.
  const order = mortonOrder(y, n, t.cx[0] - t.hw[0], t.cy[0] - t.hw[0], 2 * t.hw[0]);
  for (let s = 0; s < n; s++) {
    const i = order[s];
    const px = y[2 * i], py = y[2 * i + 1];
    let node = 0;
    for (;;) {
      t.count[node]++;
      t.mx[node] += px;
      t.my[node] += py;
      if (t.child[node] !== NO_CHILD) {
        node = t.child[node] + quadrant(t, node, px, py);
        continue;
      }
      if (t.count[node] === 1) {
        t.point[node] = i;
        break;
      }
      const q = t.point[node];
      const qx = y[2 * q], qy = y[2 * q + 1];
      if ((qx === px && qy === py) || t.depth[node] >= MAX_TREE_DEPTH) break;
      // Split: move the resident point(s) (all at (qx, qy)) into a child, then descend.
      while (t.size + CHILDREN > t.cx.length) t = grow(t);
      const h = t.hw[node] / 2;
      const first = t.size;
      for (let c = 0; c < CHILDREN; c++) {
        addNode(
          t,
          t.cx[node] + (c & 1 ? h : -h),
          t.cy[node] + (c & 2 ? h : -h),
          h,
          t.depth[node] + 1,
        );
      }
      t.child[node] = first;
      const resident = t.count[node] - 1;
      const rc = first + quadrant(t, node, qx, qy);
      t.count[rc] = resident;
      t.mx[rc] = resident * qx;
      t.my[rc] = resident * qy;
      t.point[rc] = q;
      t.point[node] = -1;
      node = first + quadrant(t, node, px, py);
    }
  }
  for (let k = 0; k < t.size; k++) {
    if (t.count[k] > 0) {
      t.mx[k] /= t.count[k];
      t.my[k] /= t.count[k];
    }
  }
  t.order = order;
  return t;
}

const MORTON_BITS = 16;
const MORTON_CELLS = (1 << MORTON_BITS) - 1;

/** Spreads the low 16 bits of v to the even bit positions. */
function spreadBits(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** Point indices sorted by the Morton code of their cell in a 2¹⁶ × 2¹⁶ grid (ties by index). */
function mortonOrder(y: Float64Array, n: number, x0: number, y0: number, size: number): Int32Array {
  const order = new Int32Array(n);
  if (n > Number.MAX_SAFE_INTEGER / 2 ** (2 * MORTON_BITS) || !(size > 0)) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  const keys = new Float64Array(n);
  const scale = MORTON_CELLS / size;
  for (let i = 0; i < n; i++) {
    const gx = Math.min(MORTON_CELLS, Math.max(0, Math.floor((y[2 * i] - x0) * scale)));
    const gy = Math.min(MORTON_CELLS, Math.max(0, Math.floor((y[2 * i + 1] - y0) * scale)));
    const code = (spreadBits(gx) | (spreadBits(gy) << 1)) >>> 0;
    keys[i] = code * n + i;
  }
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = keys[i] % n;
  return order;
}

/**
 * Repulsion for the points at positions `start..end` of `tree.order`: writes Σⱼ wᵢⱼ² (yᵢ − yⱼ)
 * (un-normalized) into row i of `rep` [N, 2] and point i's share Σⱼ wᵢⱼ of Z into `zPart` [N].
 * Points are independent, so any split of the range gives identical numbers.
 */
export function repulsionRange(
  tree: QuadTree,
  y: Float64Array,
  theta: number,
  start: number,
  end: number,
  rep: Float64Array,
  zPart: Float64Array,
): void {
  const theta2 = theta * theta;
  const stack = new Int32Array(CHILDREN * (MAX_TREE_DEPTH + 2));
  const { mx, my, hw, count, child, point, order } = tree;
  for (let s = start; s < end; s++) {
    const i = order[s];
    const px = y[2 * i], py = y[2 * i + 1];
    let fx = 0, fy = 0, z = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const k = stack[--top];
      const c = count[k];
      if (c === 0) continue;
      const dx = px - mx[k], dy = py - my[k];
      const d2 = dx * dx + dy * dy;
      const first = child[k];
      if (first === NO_CHILD) {
        if (d2 === 0) {
          // The leaf holding point i (and any points coincident with it).
          z += c - 1;
          continue;
        }
        const w = 1 / (1 + d2);
        const cw = c * w;
        z += cw;
        fx += cw * w * dx;
        fy += cw * w * dy;
        if (point[k] === i) z -= w; // a depth-capped leaf that also holds i
        continue;
      }
      const h = hw[k];
      if (h * h < theta2 * d2) {
        const w = 1 / (1 + d2);
        const cw = c * w;
        z += cw;
        fx += cw * w * dx;
        fy += cw * w * dy;
      } else {
        stack[top++] = first;
        stack[top++] = first + 1;
        stack[top++] = first + 2;
        stack[top++] = first + 3;
      }
    }
    rep[2 * i] = fx;
    rep[2 * i + 1] = fy;
    zPart[i] = z;
  }
}

/**
 * Attraction for points `start..end`: writes α Σⱼ pᵢⱼ wᵢⱼ (yᵢ − yⱼ) into `attr` [N, 2].
 */
export function attractionRange(
  p: CsrMatrix,
  y: Float64Array,
  exaggeration: number,
  start: number,
  end: number,
  attr: Float64Array,
): void {
  const { rowPtr, cols, vals } = p;
  for (let i = start; i < end; i++) {
    const px = y[2 * i], py = y[2 * i + 1];
    let fx = 0, fy = 0;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const j = cols[e];
      const dx = px - y[2 * j], dy = py - y[2 * j + 1];
      const c = vals[e] / (1 + dx * dx + dy * dy);
      fx += c * dx;
      fy += c * dy;
    }
    attr[2 * i] = exaggeration * fx;
    attr[2 * i + 1] = exaggeration * fy;
  }
}

/**
 * Combines the parts: Z = Σᵢ zPartᵢ (in index order) and dyᵢ = 4 (attrᵢ − repᵢ / Z). Returns Z.
 */
export function combineGradient(
  attr: Float64Array,
  rep: Float64Array,
  zPart: Float64Array,
  dy: Float64Array,
): number {
  let z = 0;
  for (let i = 0; i < zPart.length; i++) z += zPart[i];
  const invZ = 1 / z;
  for (let k = 0; k < dy.length; k++) dy[k] = 4 * (attr[k] - rep[k] * invZ);
  return z;
}

/** Options of {@linkcode barnesHutGradient}. */
export interface BarnesHutOptions {
  /** Threshold θ ≥ 0 on half-width / distance. Default 0.2. */
  theta?: number;
  /** Early exaggeration α. Default 1. */
  exaggeration?: number;
}

/**
 * The Barnes-Hut t-SNE gradient of a [N, 2] embedding (row-major buffer `y`) written into `dy`;
 * returns the approximate Z. O(N log N) per call for θ > 0.
 *
 * @example
 * ```ts
 * import { knnAffinities } from "./affinity.ts";
 * import { barnesHutGradient } from "./barnes_hut.ts";
 * import { exactKlGradient } from "./kl.ts";
 * import { randn } from "../ndarray.ts";
 * const p = knnAffinities(randn([40, 3], { seed: 1 }), { perplexity: 5 }).p;
 * const y = randn([40, 2], { seed: 2 }).data;
 * const bh = new Float64Array(80), ex = new Float64Array(80);
 * barnesHutGradient(y, p, bh, { theta: 0 });
 * exactKlGradient(y, p, ex);
 * if (bh.some((v, i) => Math.abs(v - ex[i]) > 1e-12)) throw new Error("θ = 0 is exact");
 * ```
 */
export function barnesHutGradient(
  y: Float64Array,
  p: CsrMatrix,
  dy: Float64Array,
  options: BarnesHutOptions = {},
): number {
  const theta = options.theta ?? DEFAULT_THETA;
  const alpha = options.exaggeration ?? 1;
  const n = p.n;
  if (!(theta >= 0) || !Number.isFinite(theta)) {
    throw new RangeError(`barnesHutGradient: theta must be a finite number ≥ 0, got ${theta}`);
  }
  if (y.length !== 2 * n || dy.length !== 2 * n) {
    throw new RangeError(
      `barnesHutGradient: y (${y.length}) and dy (${dy.length}) must be [${n}, 2]`,
    );
  }
  const tree = buildQuadTree(y, n);
  const rep = new Float64Array(2 * n);
  const attr = new Float64Array(2 * n);
  const zPart = new Float64Array(n);
  repulsionRange(tree, y, theta, 0, n, rep, zPart);
  attractionRange(p, y, alpha, 0, n, attr);
  return combineGradient(attr, rep, zPart, dy);
}
