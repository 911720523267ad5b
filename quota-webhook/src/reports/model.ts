/**
 * The shape every report kind produces and every format renders: metadata,
 * typed columns, rows streamed in pages, a summary (totals) and charts.
 * Money is exact: `usd` cells are pico-USD bigints until a format writes them.
 */

/** How a cell is typed, so that formats write it right (and CSV neutralises only text). */
export type ColumnType = 'text' | 'integer' | 'usd' | 'time' | 'number' | 'boolean';

export interface Column {
  /** Stable id: the CSV header and the JSON key (`*_usd` for money). */
  id: string;
  /** Header in the PDF. */
  label: string;
  type: ColumnType;
  /** Relative width in the PDF table; absent = left out of the PDF (the CSV/JSON carry it). */
  pdfWidth?: number;
}

/** `usd` → bigint pico-USD, `time` → epoch ms, `integer`/`number` → number, `boolean` → boolean, `text` → string. */
export type Cell = string | number | bigint | boolean | null;
export type Row = readonly Cell[];

export interface ReportPeriod {
  /** Inclusive start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  /** IANA time zone the period and buckets are in. */
  timezone: string;
  /** The preset it came from (`last_month`), or `custom`. */
  preset: string;
}

export interface ReportMeta {
  title: string;
  kind: string;
  period: ReportPeriod;
  /** When the report was generated (epoch ms); only records ingested by then count. */
  generatedAt: number;
  /** Filters and options, as given, for the header of the document. */
  filters: Readonly<Record<string, string>>;
  groupBy: readonly string[];
  granularity: string;
  /** Lines the document prints under the header (caveats, sources). */
  notes: readonly string[];
}

export interface SummaryFigure {
  id: string;
  label: string;
  type: ColumnType;
  value: Cell;
}

export interface ChartPoint {
  label: string;
  /** Exact value (pico-USD for money charts). */
  value: bigint;
}

export interface Chart {
  id: string;
  title: string;
  /** `time`: vertical bars in time order; `ranking`: horizontal bars, largest first. */
  layout: 'time' | 'ranking';
  points: readonly ChartPoint[];
}

export interface ReportSummary {
  figures: readonly SummaryFigure[];
  charts: readonly Chart[];
  rows: number;
}

/** One FOCUS row: column id → already formatted value (`null` = empty). */
export type FocusRow = Readonly<Record<string, string | null>>;

export interface Report {
  meta: ReportMeta;
  columns: readonly Column[];
  /** Streams the rows in pages; each call reads the source again (the same snapshot). */
  rows(): AsyncIterable<readonly Row[]>;
  /** Totals and charts: from a completed `rows()` pass when there was one, else from a pass of its own. */
  summary(): Promise<ReportSummary>;
  /** FOCUS 1.2 rows (kinds `usage` and `chargeback`). */
  focusRows?(): AsyncIterable<readonly FocusRow[]>;
}
