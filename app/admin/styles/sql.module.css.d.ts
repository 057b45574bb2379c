/** The class names of sql.module.css (kept in step by test/unit/admin-ui-css-modules.test.ts). */
declare const styles: {
  readonly backdrop: string;
  readonly caret: string;
  readonly code: string;
  readonly editor: string;
  readonly error: string;
  readonly errorLine: string;
  readonly errorLineNumber: string;
  readonly errorText: string;
  readonly exampleButton: string;
  readonly examples: string;
  readonly examplesLabel: string;
  readonly expected: string;
  readonly gutter: string;
  readonly gutterError: string;
  readonly label: string;
  readonly mark: string;
  readonly ok: string;
  readonly status: string;
  readonly textarea: string;
  readonly toolbar: string;
  readonly wrap: string;
};
export default styles;
