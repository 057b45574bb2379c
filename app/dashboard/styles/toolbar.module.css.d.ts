/** The class names of toolbar.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly chip: string;
  readonly chipField: string;
  readonly chipRemove: string;
  readonly chipText: string;
  readonly chips: string;
  readonly clear: string;
  readonly dot: string;
  readonly field: string;
  readonly freshness: string;
  readonly period: string;
  readonly periods: string;
  readonly select: string;
  readonly stale: string;
  readonly themeButton: string;
};
export default styles;
