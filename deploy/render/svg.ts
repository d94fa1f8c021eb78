// Dashboard panels as small SVG line charts in a grid: a stand-in for Grafana screenshots where
// Grafana cannot run. Dependency-free; the data comes from Prometheus range queries.

export interface ChartSeries {
  name: string;
  /** [unix seconds, value]; NaN and missing points break the line. */
  points: Array<[number, number]>;
}

export interface ChartPanel {
  title: string;
  /** Grafana unit id: `s`, `bytes`, `percentunit`, `reqps`, `ops`, `short`. */
  unit: string;
  series: ChartSeries[];
}

export interface PanelGrid {
  title: string;
  subtitle?: string;
  /** Unix seconds. */
  start: number;
  end: number;
  panels: ChartPanel[];
  columns?: number;
}

const PALETTE = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0'];
const WIDTH = 380;
const HEIGHT = 210;
const PLOT = { left: 52, right: 10, top: 28, bottom: 62 };
const GAP = 12;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A value as Grafana would label it on an axis, roughly. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const trim = (n: number, digits = 2) => String(Number(n.toFixed(digits)));
  switch (unit) {
    case 'percentunit':
      return `${trim(value * 100, 1)}%`;
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let scaled = value;
      let index = 0;
      while (Math.abs(scaled) >= 1024 && index < units.length - 1) {
        scaled /= 1024;
        index++;
      }
      return `${trim(scaled, 1)} ${units[index]}`;
    }
    case 's':
      if (abs === 0) return '0 s';
      if (abs < 1e-3) return `${trim(value * 1e6, 0)} µs`;
      if (abs < 1) return `${trim(value * 1e3, 1)} ms`;
      return `${trim(value, 2)} s`;
    case 'reqps':
    case 'ops':
      return `${compact(value)}/s`;
    default:
      return compact(value);
  }
}

function compact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${Number((value / 1e9).toFixed(1))}G`;
  if (abs >= 1e6) return `${Number((value / 1e6).toFixed(1))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toFixed(1))}k`;
  if (abs >= 100) return String(Math.round(value));
  return String(Number(value.toFixed(abs >= 10 ? 1 : abs >= 1 ? 2 : 3)));
}

/** A round upper bound and step for the y axis. */
export function niceScale(min: number, max: number, ticks = 4): { min: number; max: number; step: number } {
  if (!(max > min)) {
    const base = max === 0 ? 1 : Math.abs(max);
    return niceScale(Math.min(0, min), max + base, ticks);
  }
  const raw = (max - min) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? raw;
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step, step };
}

function clock(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(11, 19);
}

function renderPanel(panel: ChartPanel, grid: PanelGrid, x: number, y: number): string {
  const parts: string[] = [];
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  parts.push(`<g transform="translate(${x},${y})">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" rx="3" fill="#181b1f" stroke="#2c3235"/>`);
  parts.push(
    `<text x="10" y="18" fill="#d8d9da" font-size="12" font-weight="600">${escapeXml(truncate(panel.title, 56))}</text>`,
  );
  const values = panel.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  if (values.length === 0) {
    parts.push(
      `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" fill="#8e8e8e" font-size="13" text-anchor="middle">No data</text></g>`,
    );
    return parts.join('');
  }
  const scale = niceScale(Math.min(0, ...values), Math.max(...values));
  const sx = (t: number) => PLOT.left + ((t - grid.start) / Math.max(grid.end - grid.start, 1)) * plotW;
  const sy = (v: number) => PLOT.top + plotH - ((v - scale.min) / (scale.max - scale.min)) * plotH;
  for (let tick = scale.min; tick <= scale.max + scale.step / 2; tick += scale.step) {
    const ty = sy(tick).toFixed(1);
    parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plotW}" y1="${ty}" y2="${ty}" stroke="#2c3235"/>`);
    parts.push(
      `<text x="${PLOT.left - 4}" y="${ty}" dy="3" fill="#8e8e8e" font-size="9" text-anchor="end">${escapeXml(formatValue(tick, panel.unit))}</text>`,
    );
  }
  for (let index = 0; index <= 3; index++) {
    const t = grid.start + ((grid.end - grid.start) * index) / 3;
    const anchor = index === 0 ? 'start' : index === 3 ? 'end' : 'middle';
    parts.push(
      `<text x="${sx(t).toFixed(1)}" y="${PLOT.top + plotH + 13}" fill="#8e8e8e" font-size="9" text-anchor="${anchor}">${clock(t)}</text>`,
    );
  }
  panel.series.forEach((series, index) => {
    const color = PALETTE[index % PALETTE.length]!;
    const segments: string[] = [];
    let current: string[] = [];
    for (const [t, v] of series.points) {
      if (!Number.isFinite(v)) {
        if (current.length > 0) segments.push(current.join(' '));
        current = [];
        continue;
      }
      current.push(`${current.length === 0 ? 'M' : 'L'}${sx(t).toFixed(1)},${sy(v).toFixed(1)}`);
    }
    if (current.length > 0) segments.push(current.join(' '));
    for (const d of segments) {
      // A lone point is drawn as a dot.
      if (!d.includes('L')) {
        const [cx, cy] = d.slice(1).split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="1.8" fill="${color}"/>`);
      } else parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
    }
  });
  const shown = panel.series.slice(0, 4);
  shown.forEach((series, index) => {
    const ly = PLOT.top + plotH + 27 + index * 11;
    parts.push(`<rect x="10" y="${ly - 7}" width="9" height="3" fill="${PALETTE[index % PALETTE.length]}"/>`);
    parts.push(
      `<text x="24" y="${ly - 2}" fill="#c7d0d9" font-size="9">${escapeXml(truncate(series.name, 64))}</text>`,
    );
  });
  if (panel.series.length > shown.length)
    parts.push(
      `<text x="${WIDTH - 10}" y="${PLOT.top + plotH + 58}" fill="#8e8e8e" font-size="9" text-anchor="end">+${panel.series.length - shown.length} more</text>`,
    );
  parts.push('</g>');
  return parts.join('');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The whole grid as one SVG document. */
export function renderPanelGrid(grid: PanelGrid): string {
  const columns = grid.columns ?? 3;
  const rows = Math.ceil(grid.panels.length / columns);
  const header = grid.subtitle ? 48 : 34;
  const width = columns * WIDTH + (columns + 1) * GAP;
  const height = header + rows * (HEIGHT + GAP) + GAP;
  const body = grid.panels
    .map((panel, index) =>
      renderPanel(
        panel,
        grid,
        GAP + (index % columns) * (WIDTH + GAP),
        header + GAP + Math.floor(index / columns) * (HEIGHT + GAP),
      ),
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#111217"/>`,
    `<text x="${GAP}" y="24" fill="#d8d9da" font-size="16" font-weight="600">${escapeXml(grid.title)}</text>`,
    grid.subtitle
      ? `<text x="${GAP}" y="40" fill="#8e8e8e" font-size="11">${escapeXml(grid.subtitle)}</text>`
      : '',
    body,
    '</svg>',
    '',
  ].join('\n');
}
