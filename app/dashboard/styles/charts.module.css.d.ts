/** The class names of charts.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly chart: string;
  readonly headline: string;
  readonly headlineUnit: string;
  readonly headlineValue: string;
  readonly num: string;
  readonly summary: string;
  readonly summaryItem: string;
  readonly table: string;
  readonly tableWrap: string;
  readonly tooltip: string;
};
export default styles;
