/** The class names of empty.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly code: string;
  readonly empty: string;
  readonly snippet: string;
  readonly spinner: string;
  readonly waiting: string;
};
export default styles;
