/** The class names of breakdown.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly bar: string;
  readonly count: string;
  readonly empty: string;
  readonly head: string;
  readonly label: string;
  readonly list: string;
  readonly other: string;
  readonly props: string;
  readonly propsTable: string;
  readonly row: string;
  readonly share: string;
};
export default styles;
