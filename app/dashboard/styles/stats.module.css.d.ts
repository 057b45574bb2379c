/** The class names of stats.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly card: string;
  readonly cards: string;
  readonly label: string;
  readonly late: string;
  readonly placeholder: string;
  readonly pulse: string;
  readonly sub: string;
  readonly value: string;
};
export default styles;
