/** The class names of shell.module.css (kept in step by test/unit/admin-ui-css-modules.test.ts). */
declare const styles: {
  readonly brand: string;
  readonly brandMark: string;
  readonly brandSub: string;
  readonly gate: string;
  readonly main: string;
  readonly nav: string;
  readonly navLink: string;
  readonly page: string;
  readonly pageHeader: string;
  readonly pageLead: string;
  readonly pageTitle: string;
  readonly spacer: string;
  readonly topbar: string;
  readonly topbarInner: string;
};
export default styles;
