/** The class names of feed.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly hideNarrow: string;
  readonly mono: string;
  readonly muted: string;
  readonly nowrap: string;
  readonly path: string;
  readonly prop: string;
  readonly props: string;
  readonly row: string;
  readonly table: string;
  readonly title: string;
  readonly type: string;
  readonly wrap: string;
};
export default styles;
