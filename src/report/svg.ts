// Minimal static SVG charts for report.html: line charts with shaded bands, histograms and scatter curves.
// Everything is rendered to a string here (no browser, no CDN), so the report opens offline, prints, and
// can be tested in Node; the page's small inline script only adds hover read-outs on top.

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dash?: boolean;
  /** Draw point markers (sparse series such as a sweep). */
  markers?: boolean;
  /** Per-point labels shown next to markers. */
  labels?: string[];
  width?: number;
  /** Error bars: half-widths per point, vertical (y) and horizontal (x), e.g. the std over seeds. */
  yErr?: number[];
  xErr?: number[];
  /** Markers only, no line between the points. */
  noLine?: boolean;
}

export interface Band {
  name: string;
  color: string;
  opacity: number;
  /** [x, low, high] */
  points: [number, number, number][];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  bands?: Band[];
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
  xMin?: number;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Legend placement: under the plot (default) or inside it, top-right. */
  legend?: 'inside' | 'below';
  note?: string;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values covering [lo, hi] (1, 2, 5 × 10^k steps), about `n` of them. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.ceil(lo / step - 1e-9) * step;
  const out: number[] = [];
  for (let i = 0; start + i * step <= hi + step * 1e-9 && i < 100; i++) {
    const v = Number((start + i * step).toPrecision(12));
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

/** Compact number: 1.2k, 3.4M, 5.6G, 7.8T; small numbers with up to 3 significant digits. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [u, s] of units) if (a >= u) return `${trim((v / u).toPrecision(3))}${s}`;
  if (a === 0) return '0';
  if (a >= 1) return trim(v.toPrecision(3));
  return trim(v.toPrecision(2));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 1] : [lo, hi];
}

/** A line chart with optional shaded bands; returns a complete <svg> element. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 300;
  const m = { l: 64, r: 16, t: 34, b: 46 };
  const legendBelow = o.legend !== 'inside';
  const legendNames = [...o.series.map((x) => x.name), ...(o.bands ?? []).map((b) => b.name)];
  const legendRows = legendBelow ? legendRowCount(legendNames, m.l, W - 8) : 0;
  const totalH = H + legendRows * 18 + (o.note ? 16 : 0);
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of o.series) {
    s.points.forEach(([x, y], i) => {
      const ex = s.xErr?.[i] ?? 0;
      const ey = s.yErr?.[i] ?? 0;
      xs.push(x - ex, x + ex);
      ys.push(y - ey, y + ey);
    });
  }
  for (const b of o.bands ?? []) for (const [x, lo, hi] of b.points) xs.push(x), ys.push(lo, hi);
  const empty = !xs.some((x, i) => Number.isFinite(x) && Number.isFinite(ys[i]!));
  let [x0, x1] = extent(xs);
  let [y0, y1] = extent(ys);
  if (o.xMin !== undefined) x0 = Math.min(o.xMin, x0);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + (Math.abs(y0) > 0 ? Math.abs(y0) * 0.1 : 1);
  // Pad the free ends of the ranges, so the extreme points (their markers) and a constant line (dense) sit inside
  // the frame instead of on it.
  x1 += 0.03 * (x1 - x0);
  const pad = 0.06 * (y1 - y0);
  if (o.yMin === undefined) y0 -= pad;
  if (o.yMax === undefined) y1 += pad;
  if (o.yMin !== undefined) y0 = o.yMin;
  if (o.yMax !== undefined) y1 = o.yMax;
  const yt = niceTicks(y0, y1, 5);
  if (o.yMin === undefined && yt.length) y0 = Math.min(y0, yt[0]!);
  if (o.yMax === undefined && yt.length) y1 = Math.max(y1, yt[yt.length - 1]!);
  const xt = niceTicks(x0, x1, 6).filter((v) => v >= x0 - 1e-9 && v <= x1 + 1e-9);
  const X = (v: number) => m.l + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;
  const xf = o.xFormat ?? fmtNum;
  const yf = o.yFormat ?? fmtNum;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${totalH}" width="${W}" height="${totalH}" role="img" aria-label="${esc(o.title)}" data-x0="${x0}" data-x1="${x1}" data-y0="${y0}" data-y1="${y1}" data-ml="${m.l}" data-mt="${m.t}" data-pw="${pw}" data-ph="${ph}">`,
  );
  parts.push(`<text x="${m.l}" y="20" ${FONT} font-size="14" font-weight="600" fill="#1f2937">${esc(o.title)}</text>`);
  // grid and axes
  for (const v of yt) {
    if (v < y0 - 1e-12 || v > y1 + 1e-12) continue;
    const y = Y(v).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#e5e7eb" stroke-width="1"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y}" dy="0.32em" text-anchor="end" ${FONT} font-size="11" fill="#4b5563">${esc(yf(v))}</text>`);
  }
  for (const v of xt) {
    const x = X(v).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#6b7280"/>`);
    parts.push(`<text x="${x}" y="${m.t + ph + 17}" text-anchor="middle" ${FONT} font-size="11" fill="#4b5563">${esc(xf(v))}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#9ca3af" stroke-width="1"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 36}" text-anchor="middle" ${FONT} font-size="12" fill="#374151">${esc(o.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" ${FONT} font-size="12" fill="#374151">${esc(o.yLabel)}</text>`,
  );
  parts.push(`<clipPath id="clip-${hashId(o.title)}"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath>`);
  parts.push(`<g clip-path="url(#clip-${hashId(o.title)})">`);
  for (const b of o.bands ?? []) {
    if (b.points.length === 0) continue;
    if (b.points.length === 1) {
      // One point has no area: draw its range as a bar.
      const [x, lo, hi] = b.points[0]!;
      parts.push(`<line class="band" x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${Y(lo).toFixed(1)}" y2="${Y(hi).toFixed(1)}" stroke="${b.color}" stroke-opacity="${Math.max(b.opacity, 0.3)}" stroke-width="10"><title>${esc(b.name)}</title></line>`);
      continue;
    }
    const up = b.points.map(([x, , hi]) => `${X(x).toFixed(1)},${Y(hi).toFixed(1)}`);
    const down = [...b.points].reverse().map(([x, lo]) => `${X(x).toFixed(1)},${Y(lo).toFixed(1)}`);
    parts.push(`<path class="band" d="M${up.join('L')}L${down.join('L')}Z" fill="${b.color}" fill-opacity="${b.opacity}" stroke="none"><title>${esc(b.name)}</title></path>`);
  }
  for (const s of o.series) {
    const finite = s.points.map(([x, y], i) => ({ x, y, i })).filter(({ x, y }) => Number.isFinite(x) && Number.isFinite(y));
    const pts = finite.map(({ x, y }): [number, number] => [x, y]);
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');
    parts.push(
      `<path class="series" data-name="${esc(s.name)}" data-points="${pts.length}" d="${d}" fill="none" stroke="${s.noLine ? 'none' : s.color}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${s.dash ? ' stroke-dasharray="6 4"' : ''}><title>${esc(s.name)}</title></path>`,
    );
    for (const { x, y, i } of finite) {
      const ey = s.yErr?.[i] ?? 0;
      const ex = s.xErr?.[i] ?? 0;
      if (ey > 0) {
        const [xa, ya, yb] = [X(x).toFixed(1), Y(y - ey).toFixed(1), Y(y + ey).toFixed(1)];
        parts.push(`<path class="errorbar" d="M${xa},${ya}V${yb}M${(X(x) - 4).toFixed(1)},${ya}h8M${(X(x) - 4).toFixed(1)},${yb}h8" stroke="${s.color}" stroke-width="1.5" fill="none"/>`);
      }
      if (ex > 0) {
        const [ya, xa, xb] = [Y(y).toFixed(1), X(x - ex).toFixed(1), X(x + ex).toFixed(1)];
        parts.push(`<path class="errorbar" d="M${xa},${ya}H${xb}M${xa},${(Y(y) - 4).toFixed(1)}v8M${xb},${(Y(y) - 4).toFixed(1)}v8" stroke="${s.color}" stroke-width="1.5" fill="none"/>`);
      }
    }
    // A single point draws no line: mark it.
    if (s.markers || pts.length === 1) {
      pts.forEach(([x, y], i) => {
        parts.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="4" fill="${s.color}" stroke="#fff" stroke-width="1.5"/>`);
        const label = s.labels?.[i];
        if (label) parts.push(`<text x="${(X(x) + 7).toFixed(1)}" y="${(Y(y) - 7).toFixed(1)}" ${FONT} font-size="11" fill="#374151">${esc(label)}</text>`);
      });
    }
  }
  parts.push('</g>');
  if (empty) parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph / 2}" text-anchor="middle" ${FONT} font-size="13" fill="#6b7280">nothing to plot: no finite values</text>`);
  parts.push(legend(o, m, pw, H, W));
  if (o.note) parts.push(`<text x="${m.l}" y="${totalH - 4}" ${FONT} font-size="11" fill="#6b7280">${esc(o.note)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function legend(o: ChartOptions, m: { l: number; t: number }, pw: number, H: number, W: number): string {
  const items = [
    ...o.series.map((s) => ({ name: s.name, color: s.color, dash: s.dash ?? false, band: false, opacity: 1 })),
    ...(o.bands ?? []).map((b) => ({ name: b.name, color: b.color, dash: false, band: true, opacity: b.opacity })),
  ];
  if (items.length === 0) return '';
  const out: string[] = [];
  const swatch = (x: number, y: number, it: (typeof items)[number]) =>
    it.band
      ? `<rect x="${x}" y="${y - 5}" width="18" height="10" fill="${it.color}" fill-opacity="${Math.max(it.opacity, 0.25)}"/>`
      : `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${it.color}" stroke-width="2.5"${it.dash ? ' stroke-dasharray="5 3"' : ''}/>`;
  if (o.legend !== 'inside') {
    // Flowing rows under the plot: each item takes its text's approximate width.
    for (const it of legendLayout(items.map((i) => i.name), m.l, W - 8, H + 4)) {
      const item = items[it.index]!;
      out.push(swatch(it.x, it.y, item));
      out.push(`<text x="${it.x + 24}" y="${it.y}" dy="0.32em" ${FONT} font-size="11" fill="#374151">${esc(item.name)}</text>`);
    }
    return out.join('');
  }
  const longest = Math.max(...items.map((it) => it.name.length));
  const bw = Math.min(pw - 8, 34 + longest * 6.3);
  const bx = m.l + pw - bw - 6;
  const by = m.t + 6;
  out.push(`<rect x="${bx}" y="${by}" width="${bw}" height="${items.length * 17 + 8}" rx="4" fill="#ffffff" fill-opacity="0.85" stroke="#d1d5db"/>`);
  items.forEach((it, i) => {
    const y = by + 12 + i * 17;
    out.push(swatch(bx + 8, y, it));
    out.push(`<text x="${bx + 32}" y="${y}" dy="0.32em" ${FONT} font-size="11" fill="#374151">${esc(it.name)}</text>`);
  });
  return out.join('');
}

const CHAR_W = 6.2;

/** Positions of legend items flowing left to right from x0, wrapping at x1; rows 18 px apart from y0. */
function legendLayout(names: string[], x0: number, x1: number, y0: number): { index: number; x: number; y: number }[] {
  const out: { index: number; x: number; y: number }[] = [];
  let x = x0;
  let y = y0;
  names.forEach((n, index) => {
    const w = 24 + n.length * CHAR_W + 18;
    if (x > x0 && x + w > x1) {
      x = x0;
      y += 18;
    }
    out.push({ index, x, y });
    x += w;
  });
  return out;
}

function legendRowCount(names: string[], x0: number, x1: number): number {
  const l = legendLayout(names, x0, x1, 0);
  return l.length === 0 ? 0 : l[l.length - 1]!.y / 18 + 1;
}

function hashId(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

export interface HistogramOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  values: number[];
  bins?: number;
  color?: string;
  width?: number;
  height?: number;
  note?: string;
  /** A vertical marker (e.g. the s = 0 threshold); the x-range is widened to include it. */
  marker?: { at: number; label: string };
}

/** A histogram of `values` with equal-width bins. */
export function histogram(o: HistogramOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 300;
  const m = { l: 64, r: 16, t: 34, b: 46 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const n = o.bins ?? 30;
  let [lo, hi] = extent(o.values);
  if (o.marker) {
    lo = Math.min(lo, o.marker.at);
    hi = Math.max(hi, o.marker.at);
  }
  if (hi === lo) hi = lo + 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of o.values) {
    if (!Number.isFinite(v)) continue;
    counts[Math.min(n - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * n)))]! += 1;
  }
  const cmax = Math.max(1, ...counts);
  const yt = niceTicks(0, cmax, 4);
  const ytop = Math.max(cmax, yt[yt.length - 1] ?? cmax);
  const X = (v: number) => m.l + ((v - lo) / (hi - lo)) * pw;
  const Y = (v: number) => m.t + ph - (v / ytop) * ph;
  const parts: string[] = [];
  const totalH = H + (o.note ? 16 : 0);
  parts.push(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${totalH}" width="${W}" height="${totalH}" role="img" aria-label="${esc(o.title)}">`);
  parts.push(`<text x="${m.l}" y="20" ${FONT} font-size="14" font-weight="600" fill="#1f2937">${esc(o.title)}</text>`);
  for (const v of yt) {
    const y = Y(v).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y}" dy="0.32em" text-anchor="end" ${FONT} font-size="11" fill="#4b5563">${esc(fmtNum(v))}</text>`);
  }
  const bw = pw / n;
  const bars: string[] = [];
  counts.forEach((c, i) => {
    if (c === 0) return;
    const y = Y(c);
    bars.push(`M${(m.l + i * bw + 0.5).toFixed(1)},${(m.t + ph).toFixed(1)}V${y.toFixed(1)}H${(m.l + (i + 1) * bw - 0.5).toFixed(1)}V${(m.t + ph).toFixed(1)}Z`);
  });
  parts.push(`<path class="bars" data-bars="${bars.length}" d="${bars.join('')}" fill="${o.color ?? '#2563eb'}" fill-opacity="0.8"/>`);
  for (const v of niceTicks(lo, hi, 6)) {
    if (v < lo - 1e-9 || v > hi + 1e-9) continue;
    const x = X(v).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#6b7280"/>`);
    parts.push(`<text x="${x}" y="${m.t + ph + 17}" text-anchor="middle" ${FONT} font-size="11" fill="#4b5563">${esc(fmtNum(v))}</text>`);
  }
  if (o.marker) {
    const x = X(o.marker.at).toFixed(1);
    parts.push(`<line class="marker" x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + ph}" stroke="#111827" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${(X(o.marker.at) + 5).toFixed(1)}" y="${m.t + 12}" ${FONT} font-size="11" fill="#111827">${esc(o.marker.label)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#9ca3af"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 36}" text-anchor="middle" ${FONT} font-size="12" fill="#374151">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" ${FONT} font-size="12" fill="#374151">${esc(o.yLabel)}</text>`);
  if (o.note) parts.push(`<text x="${m.l}" y="${totalH - 4}" ${FONT} font-size="11" fill="#6b7280">${esc(o.note)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** Colour for series i: a qualitative palette that stays readable on white, then cycles. */
export function colorAt(i: number): string {
  const p = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c', '#0d9488', '#9333ea'];
  return p[i % p.length]!;
}
