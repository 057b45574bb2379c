/** The class names of layout.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly brand: string;
  readonly brandMark: string;
  readonly grid2: string;
  readonly main: string;
  readonly navLink: string;
  readonly notice: string;
  readonly noticeError: string;
  readonly noticeWarn: string;
  readonly page: string;
  readonly sectionTitle: string;
  readonly spacer: string;
  readonly toolbar: string;
  readonly toolbarInner: string;
  readonly topbar: string;
  readonly topbarInner: string;
};
export default styles;
