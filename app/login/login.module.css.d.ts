/** The class names of login.module.css (kept in step by test/unit/admin-ui-css-modules.test.ts). */
declare const styles: {
  readonly brand: string;
  readonly brandMark: string;
  readonly card: string;
  readonly error: string;
  readonly form: string;
  readonly input: string;
  readonly label: string;
  readonly muted: string;
  readonly notice: string;
  readonly page: string;
  readonly submit: string;
  readonly title: string;
};
export default styles;
