/**
 * The data of a training report: what `unfold train --report DIR` and `unfold demo` write as report.json
 * and render to a self-contained report.html (inline SVG, no script, no network). Plain JSON, so a report
 * can be re-rendered, compared or filled by other tools.
 */

/** One line of a chart: points (x, y) in order; a non-finite y breaks the line. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** Drawn dashed (e.g. a prediction against a solid truth). */
  readonly dashed?: boolean;
  /** A CSS colour (default: the palette's colour for the series' position). */
  readonly colour?: string;
}

/** Curves against a shared x axis: loss by epoch, a forecast against the truth. */
export interface LineChartSection {
  readonly kind: 'line-chart';
  /** Unique within the report (a chart's `data-chart` attribute). */
  readonly id: string;
  readonly title: string;
  readonly caption?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** A logarithmic y axis (every y must be > 0; others are left out of the line). */
  readonly logY?: boolean;
  /** A vertical rule at x, labelled (e.g. where a free-running rollout starts). */
  readonly marker?: { readonly x: number; readonly label: string };
}

/** Generated text, one line per sample: the prompt the model read, then what it wrote. */
export interface SamplesSection {
  readonly kind: 'samples';
  readonly id: string;
  readonly title: string;
  readonly caption?: string;
  readonly samples: readonly { readonly prompt: string; readonly text: string; readonly note?: string }[];
}

/**
 * A matrix of values in [min, max] drawn as coloured cells, rows top to bottom: attention weights (rows =
 * output steps, columns = input steps), next-token probabilities along a text (rows = positions, columns =
 * vocabulary), or any other map with labelled rows and columns.
 */
export interface HeatmapSection {
  readonly kind: 'heatmap';
  readonly id: string;
  readonly title: string;
  readonly caption?: string;
  readonly matrix: readonly (readonly number[])[];
  readonly rowLabels: readonly string[];
  readonly columnLabels: readonly string[];
  readonly rowAxis?: string;
  readonly columnAxis?: string;
  /** The colour scale's range (default: the matrix's own min and max). */
  readonly range?: readonly [number, number];
}

export type ReportSection = LineChartSection | SamplesSection | HeatmapSection;

/** One trained model: its name, a line saying what it is, key numbers, and its sections. */
export interface ReportModel {
  readonly name: string;
  readonly description: string;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly sections: readonly ReportSection[];
}

export interface Report {
  readonly title: string;
  readonly subtitle?: string;
  readonly models: readonly ReportModel[];
}
