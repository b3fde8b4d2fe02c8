/**
 * Bar charts drawn as plain SVG by React, on the server as in the browser (see decision 014): they
 * appear without JavaScript, print, hydrate without a mismatch and need no stylesheet of their own
 * (colours are SVG attributes; no `<style>` element, which the CSP refuses). Each chart is an image
 * with a short description, and its figures are in a data table right below it.
 */
import { formatNumber } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";

export interface ChartSeries {
  key: string;
  label: string;
  /** A fill with at least 3:1 contrast against white; white text is drawn on it. */
  color: string;
}

export interface ChartCategory {
  key: string;
  label: string;
  values: Record<string, number>;
}

interface ChartProps {
  /** Unique on the page: prefixes the ids and the table cells' `data-cell` names. */
  id: string;
  /** Names the chart and its table. */
  title: string;
  /** What the chart shows, in one or two sentences (the image's accessible name). */
  summary: string;
  series: ChartSeries[];
  categories: ChartCategory[];
  /** The first column's heading in the data table. */
  categoryHeading: string;
  totalLabel?: string;
}

/** Colours from the design tokens: accent, success, danger, warning. */
export const chartColors = {
  blue: "#1f5f8b",
  green: "#1d6b3a",
  red: "#a12a2a",
  amber: "#7a4d00",
  grey: "#555f6d",
} as const;

const TEXT = "#1c2330";
const MUTED = "#555f6d";
const GRID = "#d8dde4";
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** A round top for the value axis and its ticks: steps of 1, 2 or 5 times a power of ten, whole numbers only. */
export function niceScale(max: number, maxTicks = 5): { top: number; ticks: number[] } {
  if (!(max > 0)) return { top: 1, ticks: [0, 1] };
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const found = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => Math.ceil(max / s) <= maxTicks);
    if (found) {
      step = found;
      break;
    }
  }
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  return { top, ticks };
}

/** A rough width of a label in the chart's font, for laying out the legend without measuring the DOM. */
function textWidth(text: string, size: number): number {
  return text.length * size * 0.56;
}

function Legend({ series, x, y, maxWidth }: { series: ChartSeries[]; x: number; y: number; maxWidth: number }) {
  let cx = x;
  let cy = y;
  const items = series.map((s) => {
    const w = 14 + 6 + textWidth(s.label, 13) + 18;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 20;
    }
    const item = (
      <g key={s.key} transform={`translate(${cx},${cy})`}>
        <rect width={14} height={14} rx={2} fill={s.color} />
        <text x={20} y={11.5} fontSize={13} fill={TEXT}>
          {s.label}
        </text>
      </g>
    );
    cx += w;
    return item;
  });
  return <g>{items}</g>;
}

function legendHeight(series: ChartSeries[], maxWidth: number): number {
  let cx = 0;
  let rows = 1;
  for (const s of series) {
    const w = 14 + 6 + textWidth(s.label, 13) + 18;
    if (cx + w > maxWidth && cx > 0) {
      cx = 0;
      rows += 1;
    }
    cx += w;
  }
  return rows * 20;
}

function DataTable({ id, title, series, categories, categoryHeading, totalLabel, locale }: ChartProps & { locale: string }) {
  const showTotal = totalLabel !== undefined && series.length > 1;
  return (
    <div className="table-wrap">
      <table className="table" id={`${id}-table`} data-testid={`${id}-table`}>
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{categoryHeading}</th>
            {series.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
            {showTotal ? <th scope="col">{totalLabel}</th> : null}
          </tr>
        </thead>
        <tbody>
          {categories.map((c) => {
            const total = series.reduce((sum, s) => sum + (c.values[s.key] ?? 0), 0);
            return (
              <tr key={c.key}>
                <th scope="row">{c.label}</th>
                {series.map((s) => (
                  <td key={s.key} data-label={s.label} data-cell={`${id}:${c.key}:${s.key}`} data-value={c.values[s.key] ?? 0}>
                    {formatNumber(c.values[s.key] ?? 0, locale)}
                  </td>
                ))}
                {showTotal ? (
                  <td data-label={totalLabel} data-cell={`${id}:${c.key}:total`} data-value={total}>
                    {formatNumber(total, locale)}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ChartFigure({ id, title, children, table }: { id: string; title: string; children: React.ReactNode; table: React.ReactNode }) {
  return (
    // A figure role on a plain element: a <figure> brings browser margins the stylesheet does not reset.
    <div className="chart stack" role="figure" aria-labelledby={`${id}-title`} data-testid={id}>
      <p id={`${id}-title`} className="cell-title">
        {title}
      </p>
      {children}
      {table}
    </div>
  );
}

/**
 * Horizontal bars, one per category, with the series stacked in each (a single series makes plain
 * bars). Suits long category names such as the pillars.
 */
export function StackedBarChart(props: ChartProps) {
  const { id, title, summary, series, categories } = props;
  const { locale } = useFormatPrefs();
  const width = 720;
  const labelWidth = Math.min(260, Math.max(80, ...categories.map((c) => textWidth(c.label, 13) + 16)));
  const right = 56;
  const plotWidth = width - labelWidth - right;
  const legendH = series.length > 1 ? legendHeight(series, width - labelWidth) + 8 : 0;
  const top = 8 + legendH;
  const rowHeight = 34;
  const barHeight = 20;
  const plotHeight = Math.max(1, categories.length) * rowHeight;
  const height = top + plotHeight + 30;
  const totals = categories.map((c) => series.reduce((sum, s) => sum + (c.values[s.key] ?? 0), 0));
  const { top: max, ticks } = niceScale(Math.max(0, ...totals));
  const x = (v: number) => labelWidth + (v / max) * plotWidth;

  return (
    <ChartFigure id={id} title={title} table={<DataTable {...props} locale={locale} />}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={`${title}. ${summary}`}
        fontFamily={FONT}
        data-chart="stacked-bars"
      >
        {series.length > 1 ? <Legend series={series} x={labelWidth} y={8} maxWidth={width - labelWidth} /> : null}
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={top} y2={top + plotHeight} stroke={GRID} strokeWidth={1} />
            <text x={x(t)} y={top + plotHeight + 18} fontSize={12} fill={MUTED} textAnchor="middle">
              {formatNumber(t, locale)}
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          const y = top + i * rowHeight + (rowHeight - barHeight) / 2;
          let start = 0;
          return (
            <g key={c.key}>
              <text x={labelWidth - 8} y={y + barHeight / 2 + 4.5} fontSize={13} fill={TEXT} textAnchor="end">
                {c.label}
              </text>
              {series.map((s) => {
                const v = c.values[s.key] ?? 0;
                if (v <= 0) return null;
                const x0 = x(start);
                const w = x(start + v) - x0;
                start += v;
                return (
                  <g key={s.key}>
                    <rect x={x0} y={y} width={w} height={barHeight} fill={s.color} stroke="#fff" strokeWidth={1} />
                    {w >= textWidth(formatNumber(v, locale), 12) + 8 ? (
                      <text x={x0 + w / 2} y={y + barHeight / 2 + 4} fontSize={12} fill="#fff" textAnchor="middle">
                        {formatNumber(v, locale)}
                      </text>
                    ) : null}
                  </g>
                );
              })}
              <text x={x(totals[i]!) + 6} y={y + barHeight / 2 + 4.5} fontSize={13} fill={TEXT} fontWeight={600}>
                {formatNumber(totals[i]!, locale)}
              </text>
            </g>
          );
        })}
        <line x1={labelWidth} x2={labelWidth} y1={top} y2={top + plotHeight} stroke={MUTED} strokeWidth={1} />
      </svg>
    </ChartFigure>
  );
}

/** Vertical columns side by side within each category (years), one per series. */
export function GroupedColumnChart(props: ChartProps) {
  const { id, title, summary, series, categories } = props;
  const { locale } = useFormatPrefs();
  const width = 720;
  const left = 48;
  const right = 8;
  const plotWidth = width - left - right;
  const legendH = legendHeight(series, plotWidth) + 12;
  const top = 8 + legendH;
  const plotHeight = 200;
  const height = top + plotHeight + 32;
  const max = Math.max(0, ...categories.flatMap((c) => series.map((s) => c.values[s.key] ?? 0)));
  const { top: topValue, ticks } = niceScale(max);
  const y = (v: number) => top + plotHeight - (v / topValue) * plotHeight;
  const groupWidth = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.min(36, (groupWidth * 0.8) / Math.max(1, series.length));

  return (
    <ChartFigure id={id} title={title} table={<DataTable {...props} locale={locale} />}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={`${title}. ${summary}`}
        fontFamily={FONT}
        data-chart="grouped-columns"
      >
        <Legend series={series} x={left} y={8} maxWidth={plotWidth} />
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={width - right} y1={y(t)} y2={y(t)} stroke={GRID} strokeWidth={1} />
            <text x={left - 8} y={y(t) + 4} fontSize={12} fill={MUTED} textAnchor="end">
              {formatNumber(t, locale)}
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          const groupX = left + i * groupWidth + (groupWidth - barWidth * series.length) / 2;
          return (
            <g key={c.key}>
              {series.map((s, j) => {
                const v = c.values[s.key] ?? 0;
                const bx = groupX + j * barWidth;
                return (
                  <g key={s.key}>
                    {v > 0 ? <rect x={bx + 1} y={y(v)} width={barWidth - 2} height={y(0) - y(v)} fill={s.color} /> : null}
                    <text x={bx + barWidth / 2} y={y(v) - 4} fontSize={11} fill={TEXT} textAnchor="middle">
                      {formatNumber(v, locale)}
                    </text>
                  </g>
                );
              })}
              <text x={left + i * groupWidth + groupWidth / 2} y={top + plotHeight + 20} fontSize={13} fill={TEXT} textAnchor="middle">
                {c.label}
              </text>
            </g>
          );
        })}
        <line x1={left} x2={width - right} y1={y(0)} y2={y(0)} stroke={MUTED} strokeWidth={1} />
      </svg>
    </ChartFigure>
  );
}
